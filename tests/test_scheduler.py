"""The scheduler's decisions, in-process: adaptive polling, the daemon lock, the
persistent job store across restarts (no copies, missed runs kept), watchlist reloads.
Crawls are not started here (sources are disabled or never due); the daemon as a whole
is tested in a subprocess in test_scheduler_daemon.py."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from traceur.alerts.outbox import AlertState
from traceur.config import Settings
from traceur.document import Document, content_hash, document_id
from traceur.enrich.tagging import Tagger
from traceur.orchestra.runs import RunRecord
from traceur.orchestra.scheduler import (
    Daemon,
    DaemonLock,
    SchedulerRunning,
    adapt_interval,
    interval_bounds,
    jitter_for,
)
from traceur.store import open_store
from traceur.watchlist.loader import load_watchlist

WATCHLIST = """\
candidates:
  - id: claire-martin
    name: Claire Martin
sources:
  - id: actu
    kind: feed
    url: "http://www.actu-val.example/feeds/politique.xml"
    every: 10m
    enabled: false
  - {id: forum, kind: forum, url: "http://forum.val.example/", every: 1h, enabled: false}
alerts:
  - id: synthese-matin
    kind: digest
    to: [equipe@example.org]
    at: ["08:00"]
  - id: claire-immediat
    kind: immediate
    to: [equipe@example.org]
    candidates: [claire-martin]
    every: 5m
"""


def run(result: str, new: int = 0) -> RunRecord:
    now = datetime.now(UTC)
    return RunRecord(1, "actu", "schedule", now, now, result, pages=1 + new, new=new)


def test_adaptive_polling_speeds_up_busy_sources_and_slows_quiet_ones_within_bounds() -> None:
    every = 600
    assert interval_bounds(every, 4) == (150, 2400)
    interval = every
    for _ in range(5):  # a feed that brings news at every poll
        interval = adapt_interval(every, interval, run("ok", new=2), 4)
    assert interval == 150
    for _ in range(12):  # then goes quiet
        interval = adapt_interval(every, interval, run("ok"), 4)
    assert interval == 2400
    assert adapt_interval(every, 900, run("failed"), 4) == 1350  # a failing server is not hammered
    assert (
        adapt_interval(every, 900, run("stopped", new=3), 4) == 900
    )  # the scheduler, not the source, stopped it
    assert adapt_interval(every, 600, run("ok", new=5), 1) == 600  # factor 1: off
    # Never under the watchlist's minimum interval, whatever the factor.
    assert interval_bounds(20, 4) == (10, 80)


def test_jitter_stays_under_a_tenth_of_the_interval(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(scheduler_jitter=30)
    assert (jitter_for(settings, 3600), jitter_for(settings, 120), jitter_for(settings, 10)) == (
        30,
        12,
        1,
    )
    assert jitter_for(make_settings(scheduler_jitter=0), 3600) is None


def test_a_second_daemon_lock_on_one_data_dir_is_refused_until_the_first_is_released(
    tmp_path: Path,
) -> None:
    first, second = DaemonLock(tmp_path), DaemonLock(tmp_path)
    first.acquire()
    try:
        assert second.holder() is not None
        with pytest.raises(
            SchedulerRunning,
            match="a scheduler is already running on .* two schedulers on one job store",
        ):
            second.acquire()
    finally:
        first.release()
    assert second.holder() is None
    second.acquire()
    second.release()


@pytest.fixture
def daemon_factory(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []
    path = tmp_path / "veille.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")

    def build(**changes: Any) -> Daemon:
        daemon = Daemon(make_settings(scheduler_jitter=0, **changes), path, tick=0.2)
        daemon.start()  # paused: nothing runs until resume()
        started.append(daemon)
        return daemon

    yield build
    for daemon in started:
        if daemon.scheduler is not None:
            daemon.stop()


def _jobs(daemon: Daemon) -> dict[str, Any]:
    return {job.id: job for job in daemon.scheduler.get_jobs(jobstore="default")}


def test_restart_keeps_the_stored_jobs_without_copies_and_replaces_only_changed_ones(
    daemon_factory: Callable[..., Daemon],
) -> None:
    first = daemon_factory()
    jobs = _jobs(first)
    assert set(jobs) == {"alert:synthese-matin", "alert:claire-immediat", "maintenance:purge"}
    digest_next = jobs["alert:synthese-matin"].next_run_time
    assert (digest_next.hour, digest_next.minute) == (8, 0) and str(
        digest_next.tzinfo
    ) == "Europe/Paris"
    assert all(
        job.misfire_grace_time is None and job.coalesce and job.max_instances == 1
        for job in jobs.values()
    )
    first.stop()

    second = daemon_factory()
    again = _jobs(second)
    assert set(again) == set(jobs)
    assert again["alert:synthese-matin"].next_run_time == digest_next
    second.stop()

    # The immediate rule now checks every minute: its job is replaced, the digest's kept.
    path = second.watchlist_path
    path.write_text(WATCHLIST.replace("every: 5m", "every: 1m"), encoding="utf-8")
    third = daemon_factory()
    changed = _jobs(third)
    assert len(changed) == 3
    assert changed["alert:claire-immediat"].trigger.interval == timedelta(minutes=1)
    assert changed["alert:synthese-matin"].next_run_time == digest_next


def test_digest_due_while_the_daemon_was_down_is_sent_at_restart_not_the_next_day(
    daemon_factory: Callable[..., Daemon], tmp_path: Path
) -> None:
    first = daemon_factory()
    settings = first.settings
    # The digest became due while this daemon was stopping (paused, so it did not run),
    # and the daemon stayed down for two hours.
    missed = datetime.now(UTC) - timedelta(hours=2)
    first.scheduler.modify_job("alert:synthese-matin", jobstore="default", next_run_time=missed)
    first.stop()

    watchlist = load_watchlist(first.watchlist_path)
    store = open_store(settings)
    text = "Claire Martin a présenté ses vœux aux associations sportives du Val, salle Jean-Moulin."
    url = "http://www.actu-val.example/articles/voeux.html"
    store.upsert(
        [
            Tagger(watchlist).apply(
                Document(
                    id=document_id(url),
                    url=url,
                    canonical_url=url,
                    domain="www.actu-val.example",
                    kind="article",
                    source_id="actu",
                    title="Les vœux de Claire Martin",
                    text=text,
                    published_at=missed,
                    fetched_at=missed,
                    content_hash=content_hash("", text),
                )
            )
        ]
    )
    store.close()

    second = daemon_factory()
    assert _jobs(second)["alert:synthese-matin"].next_run_time < datetime.now(UTC)
    second.scheduler.resume()
    deadline = time.monotonic() + 20
    with AlertState.in_data_dir(settings.data_dir) as state:
        while time.monotonic() < deadline and not state.messages("synthese-matin"):
            time.sleep(0.1)
        [(key, status, subject, _)] = state.messages("synthese-matin")
    # A rule without a name is called by what it watches, never by its id.
    assert subject == (
        "[Traceur] Synthèse quotidienne — tous les documents — 1 nouveau document (Claire Martin 1)"
    )
    following = _jobs(second)["alert:synthese-matin"].next_run_time
    assert following > datetime.now(UTC) and (following.hour, following.minute) == (8, 0)


def test_invalid_watchlist_edit_keeps_the_schedule_and_a_fixed_one_is_applied(
    daemon_factory: Callable[..., Daemon], caplog: pytest.LogCaptureFixture
) -> None:
    daemon = daemon_factory()
    path = daemon.watchlist_path
    daemon.check_watchlist()  # records the file as seen
    before = set(_jobs(daemon))

    path.write_text(WATCHLIST.replace("every: 5m", "every: 5 minutes"), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="traceur.scheduler"):
        daemon.check_watchlist()
        daemon.check_watchlist()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1  # said once, not at every tick
    assert (
        "is now invalid; keeping the previous schedule" in errors[0]
        and "alerts[1].every: '5 minutes' is not a duration" in errors[0]
    )
    assert (
        set(_jobs(daemon)) == before
        and daemon.watchlist is not None
        and daemon.watchlist.alerts[1].every == 300
    )

    path.write_text(
        WATCHLIST
        + """\
  - id: sante
    kind: source_health
    to: [ops@example.org]
""",
        encoding="utf-8",
    )
    daemon.check_watchlist()
    assert set(_jobs(daemon)) == before | {"alert:sante"}
    assert (
        (Path(daemon.settings.data_dir) / "watchlist.active.yaml")
        .read_text(encoding="utf-8")
        .endswith("to: [ops@example.org]\n")
    )


def _alias_bomb(levels: int = 9) -> str:
    # Nine anchors, each a list of nine aliases of the previous one: a few hundred bytes
    # that stand for 9**9 values once expanded.
    lines = ['  - &b0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"  - &b{level} [" + ", ".join([f"*b{level - 1}"] * 9) + "]")
    return "\n".join(lines)


HOSTILE_EDITS = {
    "alias-bomb-as-key": WATCHLIST.replace("alerts:\n", "bombe:\n" + _alias_bomb() + "\nalerts:\n")
    + "  - {? *b8 : 1}\n",
    "alias-bomb-as-id": "bombe:\n"
    + _alias_bomb()
    + "\n"
    + WATCHLIST.replace("id: claire-martin", "id: *b8"),
    "250-parentheses-query": WATCHLIST.replace(
        "sources:", "topics:\n  - id: t\n    query: '" + "(" * 250 + "a" + ")" * 250 + "'\nsources:"
    ),
    "huge-interval": WATCHLIST.replace("every: 10m", "every: 99999999999999999999d"),
    "1000-levels": WATCHLIST + "profond: " + "[" * 1000 + "]" * 1000 + "\n",
    "2-mb-file": WATCHLIST + "# " + "remplissage " * 180_000 + "\n",
}


@pytest.mark.parametrize("edit", sorted(HOSTILE_EDITS))
def test_a_hostile_watchlist_edit_is_refused_quickly_and_the_previous_schedule_kept(
    daemon_factory: Callable[..., Daemon], caplog: pytest.LogCaptureFixture, edit: str
) -> None:
    daemon = daemon_factory()
    path = daemon.watchlist_path
    daemon.check_watchlist()
    before = set(_jobs(daemon))

    path.write_text(HOSTILE_EDITS[edit], encoding="utf-8")
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="traceur.scheduler"):
        daemon.check_watchlist()
    elapsed = time.monotonic() - started

    assert elapsed < 5, f"the reload took {elapsed:.1f}s"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "keeping the previous schedule" in errors[0].getMessage()
    assert errors[0].exc_info is None  # a known refusal: its reason, not a traceback
    assert len(errors[0].getMessage()) < 2000
    assert set(_jobs(daemon)) == before
    assert daemon.watchlist is not None and daemon.watchlist.alerts[1].every == 300


def test_an_unexpected_error_while_reloading_keeps_the_previous_schedule_and_logs_why(
    daemon_factory: Callable[..., Daemon],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    daemon = daemon_factory()
    daemon.check_watchlist()
    before = set(_jobs(daemon))

    # A fault injected on purpose: every known bad input is now refused by the loader, and
    # this pins the net under the ones nobody has found yet.
    def broken(path: Path) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr("traceur.orchestra.scheduler.daemon.load_watchlist", broken)
    daemon.watchlist_path.write_text(WATCHLIST.replace("every: 5m", "every: 6m"), "utf-8")
    with caplog.at_level(logging.ERROR, logger="traceur.scheduler"):
        daemon.check_watchlist()

    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "could not be loaded; keeping the previous schedule" in error.getMessage()
    assert error.exc_info is not None and error.exc_info[0] is OverflowError
    assert set(_jobs(daemon)) == before
    assert daemon.watchlist is not None and daemon.watchlist.alerts[1].every == 300
