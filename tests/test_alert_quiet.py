"""Quiet hours: ``quiet: "22:00-07:00"`` in the rule's time zone holds non-urgent messages
until the period ends, across midnight and both daylight-saving changes; ``urgent: true``
still goes out. The clock is the ``now`` given to each evaluation and delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.mailsink import MailSink
from traceur.alerts.quiet import quiet_until
from traceur.config import Settings
from traceur.watchlist.rules import ImmediateRule

from .test_alert_pacing import BRIEFS, bench_opener, deliver
from .test_alerts import Bench

QUIET_IMMEDIATE = """\
  - id: claire-immediat
    kind: immediate
    name: Claire Martin en direct
    to: [equipe-numerique@example.org]
    candidates: [claire-martin]
    quiet: "22:00-07:00"
"""
URGENT = """\
  - id: claire-urgent
    kind: immediate
    name: Claire Martin, même la nuit
    to: [astreinte@example.org]
    candidates: [claire-martin]
    quiet: "22:00-07:00"
    urgent: true
"""
EVENING_DIGEST = """\
  - id: synthese-soir
    kind: digest
    name: Synthèse du soir
    to: [equipe-numerique@example.org]
    at: ["23:00"]
    quiet: 22:00-07:00
"""


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


@pytest.fixture
def open_bench(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> Iterator[Callable[[str], Bench]]:
    yield from bench_opener(tmp_path, make_settings, sink)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def night_brief(bench: Bench, n: int) -> None:
    source, title, text = BRIEFS[n]
    bench.store_docs(bench.document(title, text, source=source))


def test_matches_found_overnight_go_out_together_at_seven_paris_time(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(QUIET_IMMEDIATE)
    evening = utc(2026, 11, 20, 21, 30)  # 22:30 in Paris (UTC+1 in November)
    bench.evaluate("claire-immediat", evening - timedelta(hours=1))
    night_brief(bench, 0)
    bench.evaluate("claire-immediat", evening)
    held = bench.evaluate("claire-immediat", evening + timedelta(minutes=5))
    assert held.queued == [] and "quiet hours: 1 held until 06:00 UTC" in held.note
    night_brief(bench, 1)  # after midnight, still quiet
    bench.evaluate("claire-immediat", utc(2026, 11, 21, 2, 0))
    assert bench.evaluate("claire-immediat", utc(2026, 11, 21, 5, 59)).queued == []
    assert deliver(bench, sink, utc(2026, 11, 21, 5, 59)) == []

    assert len(bench.evaluate("claire-immediat", utc(2026, 11, 21, 6, 0)).queued) == 1
    [mail] = deliver(bench, sink, utc(2026, 11, 21, 6, 0))
    assert mail.subject.startswith("[Traceur] 2 nouvelles mentions — Claire Martin")
    assert BRIEFS[0][1] in mail.part("plain") and BRIEFS[1][1] in mail.part("plain")


def test_a_digest_due_in_quiet_hours_waits_for_the_morning_and_is_sent_once(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(EVENING_DIGEST)
    bench.evaluate("synthese-soir", utc(2026, 11, 20, 12, 0))
    night_brief(bench, 2)
    at_eleven = utc(2026, 11, 20, 22, 0)  # 23:00 in Paris
    assert len(bench.evaluate("synthese-soir", at_eleven).queued) == 1  # rendered, then held
    assert bench.queued() == [] and deliver(bench, sink, at_eleven) == []

    bench.close()  # the scheduler restarts overnight: the held digest is in alerts.db
    bench = open_bench(EVENING_DIGEST)
    bench.evaluate("synthese-soir", utc(2026, 11, 21, 5, 30))
    assert deliver(bench, sink, utc(2026, 11, 21, 5, 30)) == []
    bench.evaluate("synthese-soir", utc(2026, 11, 21, 6, 1))
    bench.evaluate("synthese-soir", utc(2026, 11, 21, 6, 2))
    [mail] = deliver(bench, sink, utc(2026, 11, 21, 6, 5))
    assert mail.subject.startswith("[Traceur] Synthèse du soir — 1 nouveau document")
    assert BRIEFS[2][1] in mail.part("plain")


def test_urgent_rule_sends_in_the_middle_of_the_night(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(QUIET_IMMEDIATE + URGENT)
    night = utc(2026, 11, 21, 1, 0)  # 02:00 in Paris
    for rule_id in ("claire-immediat", "claire-urgent"):
        bench.evaluate(rule_id, night - timedelta(hours=1))
    night_brief(bench, 3)
    for rule_id in ("claire-immediat", "claire-urgent"):
        bench.evaluate(rule_id, night)
    assert bench.evaluate("claire-immediat", night + timedelta(minutes=3)).queued == []
    assert len(bench.evaluate("claire-urgent", night + timedelta(minutes=3)).queued) == 1
    [mail] = deliver(bench, sink, night + timedelta(minutes=3))
    assert mail.recipients == ("astreinte@example.org",)
    assert mail.subject.endswith(BRIEFS[3][1])


def rule(quiet: tuple[int, int], timezone: str | None = None) -> ImmediateRule:
    return ImmediateRule(
        id="r", kind="immediate", to=("a@example.org",), quiet=quiet, timezone=timezone
    )


NIGHT = (22 * 60, 7 * 60)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        # Spring change (29 March 2026, 02:00 CET -> 03:00 CEST): 07:00 is 05:00 UTC.
        (utc(2026, 3, 28, 20, 59), None),  # 21:59 CET
        (utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 5, 0)),  # 22:00 CET
        (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 5, 0)),  # 03:30 CEST, just after the change
        (utc(2026, 3, 29, 4, 59), utc(2026, 3, 29, 5, 0)),  # 06:59 CEST
        (utc(2026, 3, 29, 5, 0), None),  # 07:00 CEST
        # Autumn change (25 October 2026, 03:00 CEST -> 02:00 CET): 07:00 is 06:00 UTC.
        (utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 6, 0)),  # 22:00 CEST
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 6, 0)),  # 02:30 CEST, the first one
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 6, 0)),  # 02:30 CET, the second one
        (utc(2026, 10, 25, 5, 30), utc(2026, 10, 25, 6, 0)),  # 06:30 CET (07:30 in summer time)
        (utc(2026, 10, 25, 6, 0), None),  # 07:00 CET
    ],
)
def test_quiet_hours_follow_paris_time_through_both_daylight_saving_changes(
    now: datetime, until: datetime | None
) -> None:
    assert quiet_until(rule(NIGHT), "Europe/Paris", now) == until


def test_quiet_hours_are_read_in_the_rule_time_zone_and_may_stay_within_one_day() -> None:
    montreal = rule(NIGHT, "America/Montreal")  # UTC-5 in November
    assert quiet_until(montreal, "Europe/Paris", utc(2026, 11, 20, 23, 0)) is None  # 18:00
    assert quiet_until(montreal, "Europe/Paris", utc(2026, 11, 21, 4, 0)) == utc(
        2026, 11, 21, 12, 0
    )
    lunch = rule((12 * 60, 14 * 60))
    assert quiet_until(lunch, "Europe/Paris", utc(2026, 11, 20, 11, 30)) == utc(2026, 11, 20, 13)
    assert quiet_until(lunch, "Europe/Paris", utc(2026, 11, 20, 13, 0)) is None
