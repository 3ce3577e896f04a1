"""The scheduler daemon as the operator runs it: ``python -m traceur schedule`` in its own
process, a local web whose feed changes during the test, a real SMTP server in-process,
SIGTERM by PID, and a second start on the same data directory.

Sources are polled every 10 s (the smallest interval a watchlist allows) and the daemon
looks at its watchlist and outbox every second (``--tick 1``); every wait is a bounded
polling loop on what the daemon records (run history, outbox, log), never a sleep."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mailsink import MailSink
from tests.test_alerts_smtp import UNPACED
from traceur.alerts.outbox import AlertState
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.orchestra.runs import RunLog, RunRecord

pytestmark = pytest.mark.integration

HOST = "www.actu-val.example"
FEED_FILE = Path(__file__).parent / "sites" / HOST / "feeds" / "politique.xml"
RSS = {"Content-Type": "application/rss+xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
WATCHLIST = f"""\
candidates:
  - id: claire-martin
    name: Claire Martin
    exclude: ["Saint-Martin"]
  - id: elodie-arnaud
    name: Élodie Arnaud
sources:
  - id: actu
    name: "Actu du Val"
    kind: feed
    url: "http://{HOST}/feeds/politique.xml"
    every: 10s
"""
IMMEDIATE = """\
alerts:
  - id: candidates-immediat
    kind: immediate
    to: [equipe-numerique@example.org]
    candidates: [claire-martin, elodie-arnaud]
"""


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up after {timeout:.0f}s waiting for {what}")


class DaemonProcess:
    """``python -m traceur schedule`` with these settings; its output goes to a file."""

    def __init__(self, settings: Settings, watchlist: Path, log: Path) -> None:
        self.settings = settings
        self.log = log
        self.env = {**os.environ, **settings.to_env()}
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "traceur",
                    "schedule",
                    "--watchlist",
                    str(watchlist),
                    "--tick",
                    "1",
                ],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def crawl_children(self) -> list[int]:
        """The crawl processes this daemon started and that still run."""
        found: list[int] = []
        try:
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                for pid in (task / "children").read_text().split():
                    if b"crawler.process" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        found.append(int(pid))
        except (FileNotFoundError, ProcessLookupError):
            pass
        return found


def runs(settings: Settings, source: str = "actu") -> list[RunRecord]:
    """Finished runs of ``source``, oldest first."""
    with RunLog.in_data_dir(settings.data_dir) as log:
        return [r for r in reversed(log.recent(source, 200)) if r.finished_at is not None]


def running(settings: Settings, source: str) -> bool:
    with RunLog.in_data_dir(settings.data_dir) as log:
        latest = log.recent(source, 1)
    return bool(latest) and latest[0].finished_at is None


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


@pytest.fixture
def daemons() -> Iterator[list[DaemonProcess]]:
    started: list[DaemonProcess] = []
    yield started
    for daemon in started:  # a failed test must not leave a daemon behind
        if daemon.alive:
            daemon.process.kill()
            daemon.process.wait(30)


def new_entry(
    web: LocalWeb, entries: list[tuple[str, str, str]], slug: str, title: str, paragraph: str
) -> None:
    """Publish an article and put it on top of the feed."""
    page = (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body>"
        f"<main><article><h1>{title}</h1><p>{paragraph}</p>"
        "<p>Le conseil municipal se réunira de nouveau le mois "
        "prochain pour examiner les amendements déposés par les différents groupes.</p>"
        "</article></main></body></html>"
    )
    web.set(HOST, f"/articles/{slug}.html", Response(200, page.encode(), HTML))
    entries.insert(0, (title, f"/articles/{slug}.html", f"actu-val-{slug}"))
    items = "".join(
        f"<item><title>{t}</title><link>http://{HOST}{p}</link>"
        f"<guid isPermaLink='false'>{g}</guid></item>\n"
        for t, p, g in entries
    )
    feed = FEED_FILE.read_text(encoding="utf-8").replace("<item>", items + "<item>", 1)
    web.set(HOST, "/feeds/politique.xml", Response(200, feed.encode(), RSS))


def test_scheduled_feed_entry_is_emailed_once_and_nothing_is_lost_or_resent_across_restarts(
    tmp_path: Path,
    sites_web: LocalWeb,
    make_settings: Callable[..., Settings],
    sink: MailSink,
    daemons: list[DaemonProcess],
) -> None:
    settings = make_settings(
        sites_web,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_security="none",
        scheduler_jitter=0,
        adaptive_polling_factor=1,
        alert_retry_seconds=1,
        crawl_stop_timeout=20,
        **UNPACED,  # each run's email at once: this pins delivery across restarts
    )
    watchlist = tmp_path / "veille.yaml"
    watchlist.write_text(WATCHLIST + IMMEDIATE, encoding="utf-8")
    run_pass(settings, watchlist, quiet=True)  # what was there before the campaign's alerts began
    log = tmp_path / "daemon.log"

    daemons.append(first := DaemonProcess(settings, watchlist, log))
    wait_until(lambda: runs(settings), 30, "the first scheduled run")
    second = subprocess.run(
        [sys.executable, "-m", "traceur", "schedule", "--watchlist", str(watchlist)],
        env=first.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 3 and "a scheduler is already running on" in second.stderr

    entries: list[tuple[str, str, str]] = []
    new_entry(
        sites_web,
        entries,
        "reunion-arnaud",
        "Réunion publique d’Élodie Arnaud aux Tanneurs",
        "Élodie Arnaud a réuni deux cents habitants mardi "
        "soir pour présenter son projet de maison de santé.",
    )
    [mail] = wait_until(lambda: sink.messages(), 40, "the immediate email")
    assert (
        mail.subject
        == "[Traceur] Élodie Arnaud — Actu du Val : Réunion publique d’Élodie Arnaud aux Tanneurs"
    )
    assert "«Élodie Arnaud» a réuni deux cents habitants" in mail.part("plain")
    assert f"http://{HOST}/articles/reunion-arnaud.html" in mail.part("plain")

    # The mail server goes down; a second entry appears; the daemon is stopped before it is back.
    sink.stop()
    new_entry(
        sites_web,
        entries,
        "claire-martin-gare",
        "Claire Martin veut rouvrir le guichet de la gare",
        "Claire Martin a lancé une pétition pour la "
        "réouverture du guichet de la gare, fermé depuis l’été.",
    )
    with AlertState.in_data_dir(settings.data_dir) as state:
        wait_until(
            lambda: state.activity("candidates-immediat").last_error,
            40,
            "a failed attempt to send the second email",
        )
    assert first.stop() == 0
    assert all(r.result in ("ok", "stopped") for r in runs(settings))

    sink.start()
    daemons.append(again := DaemonProcess(settings, watchlist, log))
    two = wait_until(
        lambda: len(sink.messages()) >= 2 and sink.messages(),
        40,
        "the queued email after the restart",
    )
    assert two[1].subject == (
        "[Traceur] Claire Martin — Actu du Val : Claire Martin veut rouvrir le guichet de la gare"
    )
    # Two more scheduled runs after the restart, each followed by an evaluation: nothing else is
    # sent.
    count = len(runs(settings))
    wait_until(lambda: len(runs(settings)) >= count + 2, 40, "two more runs")
    with AlertState.in_data_dir(settings.data_dir) as state:
        last_finish = runs(settings)[-1].finished_at
        wait_until(
            lambda: (
                (state.activity("candidates-immediat").evaluated_at or last_finish) > last_finish
            ),
            20,
            "the evaluation after the last run",
        )
    assert len(sink.messages()) == 2
    assert len({m.message["Message-ID"] for m in sink.messages()}) == 2

    status = subprocess.run(
        [sys.executable, "-m", "traceur", "status", "--json"],
        env=again.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(status.stdout)
    assert report["scheduler"]["running"] and report["scheduler"]["pid"] == again.process.pid
    [actu] = report["sources"]
    assert (
        actu["last_result"] == "ok"
        and actu["documents_found"] == 2
        and actu["runs"] >= 4
        and actu["next_run"]
    )
    [rule] = report["alerts"]
    assert (rule["sent"], rule["queued"]) == (2, 0) and rule["last_evaluation"]
    assert again.stop() == 0


def test_scheduler_survives_a_crashing_crawl_and_an_invalid_watchlist_then_stops_cleanly(
    tmp_path: Path,
    sites_web: LocalWeb,
    make_settings: Callable[..., Settings],
    daemons: list[DaemonProcess],
) -> None:
    slow = threading.Event()
    feed = FEED_FILE.read_bytes()

    def feed_answer(method: str, path: str, headers: dict[str, str]) -> Response:
        if slow.is_set():
            time.sleep(8)  # long enough to catch the crawl in the act
        return Response(200, feed, RSS)

    sites_web.set(HOST, "/feeds/politique.xml", feed_answer)
    settings = make_settings(
        sites_web, scheduler_jitter=0, adaptive_polling_factor=1, crawl_stop_timeout=20
    )
    watchlist = tmp_path / "veille.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    slow.set()
    daemons.append(daemon := DaemonProcess(settings, watchlist, tmp_path / "daemon.log"))

    # A crawl dies (OOM killer, segfault…): recorded as crashed, the daemon goes on.
    [child] = wait_until(daemon.crawl_children, 30, "a running crawl")
    os.kill(child, signal.SIGKILL)
    crashed = wait_until(
        lambda: [r for r in runs(settings) if r.result == "crashed"], 20, "the crashed run"
    )
    assert "killed by signal 9" in crashed[0].message
    slow.clear()
    wait_until(lambda: runs(settings)[-1].result == "ok", 40, "a good run after the crash")
    assert daemon.alive

    # An edit that breaks the watchlist: logged, and the previous schedule goes on.
    watchlist.write_text(WATCHLIST.replace("every: 10s", "every: 10 secondes"), encoding="utf-8")
    schedule_log = Path(settings.data_dir) / "schedule.log"
    wait_until(
        lambda: (
            "is now invalid; keeping the previous schedule"
            in schedule_log.read_text(encoding="utf-8")
        ),
        20,
        "the invalid watchlist to be noticed",
    )
    assert "sources[0].every: '10 secondes' is not a duration" in schedule_log.read_text(
        encoding="utf-8"
    )
    count = len(runs(settings))
    wait_until(lambda: len(runs(settings)) > count, 30, "a run with the previous schedule")
    assert daemon.alive

    # Fixed, with a second source: applied.
    second_source = (
        "  - {id: actu-edition, kind: feed, "
        f'url: "http://{HOST}/feeds/politique.xml?edition=soir", every: 10s}}\n'
    )
    watchlist.write_text(WATCHLIST + second_source, encoding="utf-8")
    wait_until(lambda: runs(settings, "actu-edition"), 30, "the new source's first run")

    # SIGTERM while a crawl is running: it is stopped cleanly and recorded, the daemon exits 0.
    slow.set()
    wait_until(
        lambda: daemon.crawl_children() and running(settings, "actu"), 30, "a running crawl of actu"
    )
    assert daemon.stop() == 0
    with RunLog.in_data_dir(settings.data_dir) as log:
        last = log.recent("actu", 1)[0]
        assert last.result == "stopped" and last.finished_at is not None
        assert all(r.finished_at is not None for r in log.recent("actu-edition", 50))
    assert daemon.crawl_children() == []
