"""Pacing of immediate rules: a batch window gathers matches into one message, a story
cluster is alerted once per cooldown with its reprints counted, and past the hourly limit
the rest waits and goes out as one digest.

Real components: the tagger, a SQLite store, the alert state in ``alerts.db``, and the
in-process SMTP sink as the mail server. The clock is the ``now`` given to each evaluation
and delivery: nothing sleeps.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.mailsink import MailSink, Received
from traceur.alerts.smtp import deliver_due
from traceur.config import Settings, default_settings, load_settings
from traceur.errors import ConfigError, WatchlistError
from traceur.watchlist.loader import load_watchlist

from .test_alerts import NOW, WATCHLIST, Bench, write_watchlist

IMMEDIATE = """\
  - id: claire-immediat
    kind: immediate
    name: Claire Martin en direct
    to: [equipe-numerique@example.org]
    candidates: [claire-martin]
"""

# Four short news items from four sites, each naming the candidate: what one scheduled run
# over four sources brings, one collection after another.
BRIEFS = (
    ("actu", "Claire Martin visite le chantier du tramway", "Claire Martin a visité lundi le "
     "chantier de la ligne B du tramway avec les riverains de la rue des Tanneurs."),
    ("gazette", "Claire Martin répond aux commerçants", "Interrogée par l'union des commerçants, "
     "Claire Martin promet une aide aux boutiques touchées par les travaux."),
    ("forum", "Réunion avec Claire Martin jeudi", "Quelqu'un ira à la réunion de Claire Martin "
     "jeudi soir à la salle des fêtes ? Je voudrais poser la question des parkings."),
    ("actu", "Claire Martin et la piscine municipale", "Claire Martin s'engage à rouvrir la "
     "piscine Jean-Bouin avant l'été, fermée depuis deux ans pour travaux."),
)  # fmt: skip


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


def paced_settings(make_settings: Callable[..., Settings], sink: MailSink) -> Settings:
    """The packaged pacing defaults, with the sink as the mail server."""
    return make_settings(
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_security="none",
        smtp_from="Veille Traceur <veille@example.org>",
    )


def bench_opener(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> Iterator[Callable[[str], Bench]]:
    """Opens benches over ``tmp_path`` (the ``open_bench`` fixture of the alert tests);
    opened again, a bench is a new service over the same data."""
    made: list[Bench] = []

    def build(alerts: str) -> Bench:
        bench = Bench(tmp_path, paced_settings(make_settings, sink), alerts)
        made.append(bench)
        return bench

    yield build
    for bench in made:
        bench.close()


@pytest.fixture
def open_bench(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> Iterator[Callable[[str], Bench]]:
    yield from bench_opener(tmp_path, make_settings, sink)


def deliver(bench: Bench, sink: MailSink, now: datetime) -> list[Received]:
    """Send what is due at ``now``; every message the sink holds."""
    report = deliver_due(bench.settings, bench.state, now)
    assert not report.failed, report
    return sink.messages()


def started(bench: Bench, rule_id: str = "claire-immediat") -> None:
    assert "started" in bench.evaluate(rule_id, NOW - timedelta(minutes=30)).note


def test_packaged_defaults_gather_two_minutes_and_cool_a_story_down_for_six_hours() -> None:
    settings = default_settings()
    assert settings.alert_batch_seconds == 120
    assert settings.alert_cluster_cooldown_seconds == 6 * 3600
    assert settings.alert_max_per_hour > 0


def test_a_batch_setting_longer_than_an_hour_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"TRACEUR_ALERT_BATCH_SECONDS": "7200"})
    assert "alert_batch_seconds: at most 3600" in str(caught.value)
    assert "use a digest rule" in str(caught.value)


def test_four_matches_of_one_scheduled_run_within_five_seconds_become_one_message(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(IMMEDIATE)
    started(bench)
    # Each collection ends with an evaluation, as the scheduler does: 0, 1, 3 and 5 s.
    for offset, (source, title, text) in zip((0, 1, 3, 5), BRIEFS, strict=True):
        bench.store_docs(bench.document(title, text, source=source))
        outcome = bench.evaluate("claire-immediat", NOW + timedelta(seconds=offset))
        assert outcome.queued == [] and "gathering" in outcome.note
    assert deliver(bench, sink, NOW + timedelta(seconds=6)) == []
    assert bench.evaluate("claire-immediat", NOW + timedelta(seconds=119)).queued == []

    assert len(bench.evaluate("claire-immediat", NOW + timedelta(seconds=121)).queued) == 1
    [mail] = deliver(bench, sink, NOW + timedelta(seconds=122))
    assert mail.subject.startswith("[Traceur] 4 nouvelles mentions — Claire Martin")
    plain = mail.part("plain")
    for _, title, _ in BRIEFS:
        assert title in plain
    # Nothing left to send, later or again.
    assert bench.evaluate("claire-immediat", NOW + timedelta(minutes=10)).queued == []
    assert len(deliver(bench, sink, NOW + timedelta(minutes=11))) == 1


def test_restart_between_batch_start_and_send_loses_nothing_and_sends_nothing_twice(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    first = open_bench(IMMEDIATE)
    started(first)
    for offset, (source, title, text) in zip((0, 20), BRIEFS[:2], strict=True):
        first.store_docs(first.document(title, text, source=source))
        assert first.evaluate("claire-immediat", NOW + timedelta(seconds=offset)).queued == []
    first.close()  # the scheduler stops inside the batch window

    # A new service over the same data directory: a document arrives after the restart.
    second = open_bench(IMMEDIATE)
    source, title, text = BRIEFS[2]
    second.store_docs(second.document(title, text, source=source, slug="apres-redemarrage"))
    assert second.evaluate("claire-immediat", NOW + timedelta(seconds=60)).queued == []
    assert len(second.evaluate("claire-immediat", NOW + timedelta(seconds=125)).queued) == 1
    second.close()

    third = open_bench(IMMEDIATE)
    assert third.evaluate("claire-immediat", NOW + timedelta(minutes=5)).queued == []
    [mail] = deliver(third, sink, NOW + timedelta(minutes=5))
    assert mail.subject.startswith("[Traceur] 3 nouvelles mentions")
    for _, title, _ in BRIEFS[:3]:
        assert mail.part("plain").count(title) == 1


def test_a_new_process_sends_what_a_stopped_one_was_gathering_exactly_once(
    tmp_path: Path, open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    # The clock of the first service is five minutes behind: its batch is over by the
    # time the new process, on the real clock, evaluates.
    now = datetime.now(UTC)
    bench = open_bench(IMMEDIATE)
    bench.evaluate("claire-immediat", now - timedelta(minutes=10))
    for source, title, text in BRIEFS[:2]:
        bench.store_docs(bench.document(title, text, source=source))
    assert "gathering 2" in bench.evaluate("claire-immediat", now - timedelta(minutes=5)).note
    bench.close()

    env = {
        **os.environ,
        **bench.settings.to_env(),
        "TRACEUR_DATA_DIR": str(tmp_path),  # where Bench keeps alerts.db
        "TRACEUR_STORE": f"sqlite:///{tmp_path / 'docs.db'}",
    }
    command = [sys.executable, "-m", "traceur", "alerts", "run", "--watchlist"]
    command.append(str(tmp_path / "veille.yaml"))
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "claire-immediat: 1 message queued" in first.stdout, first.stdout
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert "claire-immediat: 0 messages queued" in second.stdout, second.stdout
    [mail] = sink.messages()
    assert mail.subject.startswith("[Traceur] 2 nouvelles mentions — Claire Martin")


REPRINT = (
    "Le conseil municipal a voté jeudi soir le budget du tramway. Claire Martin a dénoncé "
    "un dépassement de 40 millions d'euros et réclamé un audit indépendant du chantier."
)
SITES = (
    "www.actu-val.example", "gazette.example", "www.lepetitvalois.example", "radio-rives.example",
    "www.echos-du-val.example", "infos-tanneurs.example", "www.le-courrier-val.example",
    "www.quotidien-sud.example", "val-matin.example", "www.hebdo-rives.example",
    "www.journal-des-communes.example", "www.depeche-val.example", "www.ouest-val.example",
    "www.lettre-du-canton.example", "www.voix-du-fleuve.example",
)  # fmt: skip


def reprint(bench: Bench, site: str, when: datetime) -> None:
    bench.store_docs(
        bench.document(
            "Budget du tramway : Claire Martin dénonce un dérapage",
            REPRINT,
            source="gazette",
            url=f"http://{site}/politique/budget-tramway.html",
            cluster="budget-tramway",
            published=when,
        )
    )


def test_story_reprinted_on_twelve_sites_is_one_alert_saying_plus_eleven_reprises(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(IMMEDIATE)
    started(bench)
    for n, site in enumerate(SITES[:12]):
        reprint(bench, site, NOW)
        bench.evaluate("claire-immediat", NOW + timedelta(seconds=5 * n))
    assert len(bench.evaluate("claire-immediat", NOW + timedelta(minutes=3)).queued) == 1
    [mail] = deliver(bench, sink, NOW + timedelta(minutes=3))
    assert mail.subject == (
        "[Traceur] Claire Martin — La Gazette des deux rives :"
        " Budget du tramway : Claire Martin dénonce un dérapage (+11 reprises)"
    )
    assert "+11 reprises du même sujet sur d'autres sources" in mail.part("plain")
    assert "<strong>+11 reprises</strong>" in mail.part("html")
    assert mail.part("plain").count("Budget du tramway") == 1

    # Two more reprints within the cooldown: counted, not sent. Other news still goes.
    reprint(bench, SITES[12], NOW + timedelta(hours=1))
    reprint(bench, SITES[13], NOW + timedelta(hours=1))
    source, title, text = BRIEFS[3]
    bench.store_docs(bench.document(title, text, source=source))
    bench.evaluate("claire-immediat", NOW + timedelta(hours=1))
    bench.evaluate("claire-immediat", NOW + timedelta(hours=1, minutes=3))
    mails = deliver(bench, sink, NOW + timedelta(hours=1, minutes=3))
    assert len(mails) == 2
    assert mails[1].subject.endswith(title) and "Budget du tramway" not in mails[1].part("plain")

    # After the six hours, the next reprint alerts again and counts those held back.
    reprint(bench, SITES[14], NOW + timedelta(hours=7))
    bench.evaluate("claire-immediat", NOW + timedelta(hours=7))
    bench.evaluate("claire-immediat", NOW + timedelta(hours=7, minutes=3))
    mails = deliver(bench, sink, NOW + timedelta(hours=7, minutes=3))
    assert len(mails) == 3 and mails[2].subject.endswith("dérapage (+2 reprises)")


def test_a_batch_of_more_stories_than_one_email_shows_goes_as_one_digest(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(IMMEDIATE)
    started(bench)
    quartiers = ("Tanneurs", "Gare", "Bords de Loire", "Vieux Port", "Plateau")
    for n in range(25):
        quartier = quartiers[n % 5]
        bench.store_docs(
            bench.document(
                f"Claire Martin en visite aux {quartier} ({n + 1}/25)",
                f"Claire Martin a rencontré les habitants du quartier {quartier} pour la"
                f" {n + 1}e étape de sa tournée des conseils de quartier.",
            )
        )
    bench.evaluate("claire-immediat", NOW)
    assert len(bench.evaluate("claire-immediat", NOW + timedelta(minutes=3)).queued) == 1
    [mail] = deliver(bench, sink, NOW + timedelta(minutes=3))
    assert mail.subject.startswith("[Traceur] Synthèse Claire Martin en direct — 25 nouveaux")
    assert "(25/25)" in mail.part("plain") and "(1/25)" in mail.part("plain")


LIMITED = """\
  - id: claire-immediat
    kind: immediate
    name: Claire Martin en direct
    to: [equipe-numerique@example.org]
    candidates: [claire-martin]
    batch: 1m
    max_per_hour: 2
"""


def test_past_max_per_hour_the_rest_rolls_into_one_digest_when_the_hour_allows(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(LIMITED)
    started(bench)
    notes = []
    for n, (source, title, text) in enumerate(BRIEFS):
        bench.store_docs(bench.document(title, text, source=source))
        bench.evaluate("claire-immediat", NOW + timedelta(minutes=5 * n))
        notes.append(bench.evaluate("claire-immediat", NOW + timedelta(minutes=5 * n + 2)).note)
    assert len(deliver(bench, sink, NOW + timedelta(minutes=20))) == 2
    assert "2 messages sent in the last hour" in notes[2] and "next digest" in notes[3]

    # An hour after the first message, the two held documents go out together as a digest.
    assert bench.evaluate("claire-immediat", NOW + timedelta(minutes=61)).queued == []
    assert len(bench.evaluate("claire-immediat", NOW + timedelta(minutes=62, seconds=1)).queued)
    mails = deliver(bench, sink, NOW + timedelta(minutes=63))
    assert len(mails) == 3
    digest = mails[2]
    assert digest.subject.startswith("[Traceur] Synthèse Claire Martin en direct — 2 nouveaux")
    assert BRIEFS[2][1] in digest.part("plain") and BRIEFS[3][1] in digest.part("plain")
    assert BRIEFS[0][1] not in digest.part("plain")


def test_rule_keys_override_the_settings_and_zero_sends_each_evaluation_at_once(
    open_bench: Callable[[str], Bench], sink: MailSink
) -> None:
    bench = open_bench(
        IMMEDIATE.replace("candidates:", "batch: 0\n    cooldown: 0\n    candidates:")
    )
    started(bench)
    for n in range(2):
        reprint(bench, SITES[n], NOW)
        assert len(bench.evaluate("claire-immediat", NOW + timedelta(seconds=n)).queued) == 1
    assert len(deliver(bench, sink, NOW + timedelta(seconds=2))) == 2


def test_invalid_pacing_and_quiet_keys_are_reported_with_file_line_and_fix(
    tmp_path: Path,
) -> None:
    path = write_watchlist(
        tmp_path,
        """\
  - id: claire-immediat
    kind: immediate
    to: [equipe@example.org]
    batch: bientôt
    cooldown: 6 heures
    max_per_hour: -3
    quiet: "22h-7h"
  - id: synthese
    kind: digest
    to: [equipe@example.org]
    at: ["08:00"]
    quiet: "07:00-07:00"
    urgent: oui
    timezone: Europe/Pariss
  - id: lente
    kind: immediate
    to: [equipe@example.org]
    batch: 3h
  - id: pic
    kind: spike
    to: [equipe@example.org]
    max_per_hour: 3
""",
    )
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)
    problems = "\n".join(caught.value.problems)
    base = len(WATCHLIST.splitlines()) + 1  # the line of `alerts:`
    assert f"{path}:{base + 4}: alerts[0].batch: 'bientôt' is not a duration" in problems
    assert f"{path}:{base + 5}: alerts[0].cooldown: '6 heures' is not a duration" in problems
    assert f"{path}:{base + 6}: alerts[0].max_per_hour: -3 is too small" in problems
    assert (
        f"{path}:{base + 7}: alerts[0].quiet: '22h-7h' is not a period of the day;"
        ' write it quoted as "HH:MM-HH:MM"'
    ) in problems
    assert f"{path}:{base + 12}: alerts[1].quiet: '07:00-07:00' starts and ends" in problems
    assert f"{path}:{base + 13}: alerts[1].urgent: must be true or false" in problems
    assert f"{path}:{base + 14}: alerts[1].timezone: 'Europe/Pariss' is not a time zone" in problems
    assert f"{path}:{base + 18}: alerts[2].batch: '3h' is too long; use at most 60m" in problems
    assert f"{path}:{base + 22}: alerts[3].max_per_hour: unknown key" in problems
