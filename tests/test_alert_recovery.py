"""Source health episodes close: a source announced as failing (or empty, or silent) gets
one "de nouveau opérationnelle" notice when it works again, and a new failure after that
opens, and announces, a new episode.

Real run history (``runs.db``), alert state and SMTP sink; the clock is the ``now`` of each
evaluation and delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.mailsink import MailSink
from traceur.config import Settings

from .test_alert_pacing import bench_opener, deliver
from .test_alerts import NOW, Bench, _run

HEALTH = """\
  - id: sante-sources
    kind: source_health
    name: Santé des sources
    to: [ops@example.org]
    failures: 3
    empty_runs: 2
"""
HEALTH_GAZETTE_ONLY = HEALTH + "    sources: [gazette]\n"


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


@pytest.fixture
def open_bench(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> Iterator[Callable[[str], Bench]]:
    yield from bench_opener(tmp_path, make_settings, sink)


def failing(bench: Bench, source: str, first_minute: int, runs: int = 3) -> None:
    for n in range(runs):
        _run(
            bench,
            source,
            NOW + timedelta(minutes=first_minute + 10 * n),
            pages=0,
            errors={"connection_refused": 1},
        )


def test_a_recovered_source_gets_one_notice_per_episode_and_a_new_failure_a_new_alert(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(HEALTH)
    _run(bench, "actu", NOW - timedelta(minutes=10), pages=4, new=3)
    failing(bench, "actu", 0)
    assert len(bench.evaluate("sante-sources", NOW + timedelta(minutes=25)).queued) == 1
    failing(bench, "actu", 30, runs=1)
    assert bench.evaluate("sante-sources", NOW + timedelta(minutes=35)).queued == []

    bench.close()  # restarted while the source is down: the open episode is in alerts.db
    bench = open_bench(HEALTH)
    _run(bench, "actu", NOW + timedelta(minutes=115), pages=5, new=2)
    recovered = bench.evaluate("sante-sources", NOW + timedelta(minutes=2 * 60 + 5))
    assert len(recovered.queued) == 1 and recovered.queued[0].startswith("health-ok:")
    assert bench.evaluate("sante-sources", NOW + timedelta(minutes=130)).queued == []
    _run(bench, "actu", NOW + timedelta(minutes=140), pages=5, new=1)
    assert bench.evaluate("sante-sources", NOW + timedelta(minutes=145)).queued == []

    alert, notice = deliver(bench, sink, NOW + timedelta(minutes=150))
    assert alert.subject == "[Traceur] Source Actu du Val : 3 échecs de suite"
    assert notice.subject == "[Traceur] Source Actu du Val : de nouveau opérationnelle"
    assert notice.recipients == ("ops@example.org",)
    plain = notice.part("plain")
    assert "Actu du Val — de nouveau opérationnelle" in plain
    # Announced at 10:55 in Paris (09:55 UTC), back 1 h 40 min later.
    assert "Les collectes réussissent de nouveau : le problème signalé le 20/11/2026 10:55" in plain
    assert "a duré 1 h 40 min." in plain
    assert "de nouveau opérationnelle</h2>" in notice.part("html")

    # A new failure is a new episode: announced, then closed by its own notice.
    failing(bench, "actu", 200)
    assert len(bench.evaluate("sante-sources", NOW + timedelta(minutes=225)).queued) == 1
    _run(bench, "actu", NOW + timedelta(minutes=240), pages=3, new=1)
    assert len(bench.evaluate("sante-sources", NOW + timedelta(minutes=245)).queued) == 1
    mails = deliver(bench, sink, NOW + timedelta(minutes=250))
    assert [mail.subject.rsplit(" : ", 1)[1] for mail in mails] == [
        "3 échecs de suite",
        "de nouveau opérationnelle",
        "3 échecs de suite",
        "de nouveau opérationnelle",
    ]


def test_pages_that_extract_text_again_close_the_empty_pages_episode(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(HEALTH)
    _run(bench, "gazette", NOW - timedelta(minutes=60), pages=12, new=10)
    for minutes in (0, 30):
        _run(bench, "gazette", NOW + timedelta(minutes=minutes), pages=12, not_documents=11)
    assert len(bench.evaluate("sante-sources", NOW + timedelta(minutes=31)).queued) == 1
    _run(bench, "gazette", NOW + timedelta(minutes=60), pages=12, new=2, unchanged=9)
    assert len(bench.evaluate("sante-sources", NOW + timedelta(minutes=61)).queued) == 1
    _, notice = deliver(bench, sink, NOW + timedelta(minutes=62))
    assert notice.subject == (
        "[Traceur] Source La Gazette des deux rives : de nouveau opérationnelle"
    )
    assert "Les pages donnent de nouveau du texte exploitable" in notice.part("plain")


def test_a_source_no_longer_watched_closes_its_episode_without_a_notice(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(HEALTH)
    _run(bench, "actu", NOW - timedelta(minutes=10), pages=4, new=3)
    failing(bench, "actu", 0)
    assert len(bench.evaluate("sante-sources", NOW + timedelta(minutes=25)).queued) == 1
    bench.close()

    bench = open_bench(HEALTH_GAZETTE_ONLY)  # the operator narrowed the rule
    assert bench.evaluate("sante-sources", NOW + timedelta(minutes=35)).queued == []
    bench.close()
    # Widened again while the same failures go on: that streak was announced already.
    bench = open_bench(HEALTH)
    assert bench.evaluate("sante-sources", NOW + timedelta(minutes=45)).queued == []
    [mail] = deliver(bench, sink, NOW + timedelta(minutes=50))
    assert mail.subject == "[Traceur] Source Actu du Val : 3 échecs de suite"
