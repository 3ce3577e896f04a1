"""Runs that die leave clean traces: ``python -m traceur run`` as the operator starts it,
against a slow local site, stopped by SIGTERM or SIGINT, killed outright (it or the
scheduler), and two runs at once.

Every wait is a bounded polling loop on what the processes record (run history, store,
``/proc``), never a fixed sleep; the only slowness is the site's, on purpose."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.runs import RunLog, RunRecord
from traceur.store import SearchQuery, open_store

pytestmark = pytest.mark.integration

SLOW = "www.gazette-du-bocage.example"
QUICK = "www.echo-des-marais.example"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
# More articles than the crawl hands its downloader at once (16): a graceful stop
# finishes those, and leaves the rest.
ARTICLES = 30
# Seconds each article of the slow site takes to answer: with two requests at a time, a
# pass over it lasts several seconds, long enough to be stopped in the middle.
SLOW_SECONDS = 0.5

WATCHLIST = f"""\
candidates:
  - id: claire-martin
    name: Claire Martin
  - id: elodie-arnaud
    name: Élodie Arnaud
sources:
  - id: gazette-bocage
    name: "La Gazette du Bocage"
    kind: feed
    url: "http://{SLOW}/rss.xml"
    every: 1h
  - id: echo-marais
    name: "L'Écho des Marais"
    kind: feed
    url: "http://{QUICK}/rss.xml"
    every: 1h
"""

PARAGRAPHS = (
    "Réunie jeudi soir à la salle des fêtes, l'assemblée a longuement débattu du projet de"
    " réaménagement de la place du marché, que Claire Martin défend depuis le printemps.",
    "Les commerçants craignent une baisse de fréquentation pendant les travaux ; la"
    " municipalité promet un calendrier échelonné et des places de stationnement provisoires.",
    "Élodie Arnaud, conseillère d'opposition, réclame une consultation des habitants avant"
    " tout engagement budgétaire et dénonce un dossier « bouclé d'avance ».",
)


def article(host: str, number: int) -> bytes:
    title = f"Place du marché : le débat continue (épisode {number})"
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><header><nav><a href='/'>Accueil</a>"
        " · <a href='/politique/'>Politique</a></nav></header>"
        f"<main><article><h1>{title}</h1>{body}</article></main>"
        f"<footer>© {host} — mentions légales · nous contacter</footer></body></html>"
    ).encode()


def feed(host: str, name: str) -> bytes:
    items = "".join(
        f"<item><title>Place du marché, épisode {n}</title>"
        f"<link>http://{host}/articles/episode-{n}.html</link>"
        f"<guid isPermaLink='false'>{host}-episode-{n}</guid>"
        f"<pubDate>Tue, 01 Dec 2026 0{n % 10}:00:00 +0000</pubDate></item>"
        for n in range(1, ARTICLES + 1)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{name}</title><link>http://{host}/</link>"
        f"<description>L'actualité locale de {name}</description>{items}</channel></rss>"
    ).encode()


def serve(web: LocalWeb, host: str, name: str, delay: float) -> None:
    web.set(host, "/rss.xml", Response(200, feed(host, name), RSS))
    for number in range(1, ARTICLES + 1):

        def slow_page(method: str, path: str, headers: dict[str, str], n: int = number) -> Response:
            time.sleep(delay)
            return Response(200, article(host, n), HTML)

        web.set(host, f"/articles/episode-{number}.html", slow_page)


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as server:
        serve(server, SLOW, "La Gazette du Bocage", SLOW_SECONDS)
        serve(server, QUICK, "L'Écho des Marais", 0.0)
        yield server


@dataclass
class Setup:
    settings: Settings
    watchlist: Path
    env: dict[str, str]
    tmp: Path  # the runs' temporary directory (TMPDIR)
    root: Path


@pytest.fixture
def setup(tmp_path: Path, web: LocalWeb, make_settings: Callable[..., Settings]) -> Iterator[Setup]:
    settings = make_settings(web, concurrent_per_domain=2, crawl_stop_timeout=30)
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, **settings.to_env(), "TMPDIR": str(tmp)}
    yield Setup(settings, watchlist, env, tmp, tmp_path)


class Run:
    """``python -m traceur run`` in its own process, output in files."""

    def __init__(self, setup: Setup, name: str, *sources: str) -> None:
        self.out = setup.root / f"{name}.out"
        self.err = setup.root / f"{name}.err"
        command = [sys.executable, "-m", "traceur", "run", "--watchlist", str(setup.watchlist)]
        for source in sources:
            command += ["--source", source]
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.process = subprocess.Popen(command, env=setup.env, stdout=out, stderr=err)

    def wait(self, timeout: float = 90) -> int:
        return self.process.wait(timeout)

    def output(self) -> tuple[str, str]:
        return self.out.read_text(encoding="utf-8"), self.err.read_text(encoding="utf-8")

    def crawl_child(self) -> int | None:
        return crawl_child(self.process.pid)


def crawl_child(pid: int) -> int | None:
    """The crawl process ``pid`` started and that still runs."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        # A thread (or a child) may end between listing and reading: skip it.
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for child in (task / "children").read_text().split():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    if b"crawler.process" in Path(f"/proc/{child}/cmdline").read_bytes():
                        return int(child)
    return None


@pytest.fixture
def started() -> Iterator[list[Run]]:
    runs: list[Run] = []
    yield runs
    for run in runs:  # a failed test leaves no process behind
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait(30)


def wait_until(
    predicate: Callable[[], Any],
    timeout: float,
    what: str,
    run: Run | subprocess.Popen[bytes] | None = None,
) -> Any:
    """``predicate``'s first true value; fails after ``timeout``, or as soon as ``run`` ends."""
    deadline = time.monotonic() + timeout
    process = run.process if isinstance(run, Run) else run
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            detail = run.output()[1] if isinstance(run, Run) else "see its output"
            raise AssertionError(f"the process ended while waiting for {what}: {detail}")
        time.sleep(0.1)
    raise AssertionError(f"gave up after {timeout:.0f}s waiting for {what}")


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to read it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stored_count(settings: Settings, source_id: str) -> int:
    store = open_store(settings)
    try:
        return store.count(SearchQuery(source_id=source_id))
    finally:
        store.close()


def history(settings: Settings, source_id: str) -> list[RunRecord]:
    """The source's runs, newest first."""
    with RunLog.in_data_dir(settings.data_dir) as log:
        return log.recent(source_id)


def is_running(settings: Settings, source_id: str) -> bool:
    runs = history(settings, source_id)
    return bool(runs) and runs[0].result is None


def leftovers(setup: Setup) -> list[str]:
    return sorted(p.name for p in setup.tmp.iterdir() if p.name.startswith("traceur-"))


def status_json(setup: Setup) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "traceur", "status", "--json", "--watchlist", str(setup.watchlist)],
        env=setup.env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    return {s["id"]: s for s in json.loads(done.stdout)["sources"]}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_stops_the_crawl_child_and_records_an_interrupted_run_with_its_documents(
    setup: Setup, started: list[Run], sig: signal.Signals
) -> None:
    run = Run(setup, "run", "gazette-bocage")
    started.append(run)
    wait_until(
        lambda: is_running(setup.settings, "gazette-bocage"), 60, "the run to be recorded", run
    )
    child = wait_until(run.crawl_child, 30, "the crawl child", run)
    wait_until(
        lambda: stored_count(setup.settings, "gazette-bocage") >= 2, 60, "two documents", run
    )

    run.process.send_signal(sig)
    code = run.wait(60)

    out, err = run.output()
    assert code == 128 + sig, err
    assert not alive(child), f"the crawl child {child} still runs after its launcher ended"
    assert f"stopped by {sig.name}" in err and "Traceback" not in err
    assert f"Pass interrupted by {sig.name}" in out
    found = stored_count(setup.settings, "gazette-bocage")
    assert 2 <= found < ARTICLES  # stopped in the middle, what it had stored is kept
    last = history(setup.settings, "gazette-bocage")[0]
    assert last.result == "interrupted"
    assert last.new == found and sig.name in last.message
    assert leftovers(setup) == []
    shown = status_json(setup)["gazette-bocage"]
    assert shown["last_result"] == "interrupted"
    assert shown["documents_found"] == found


def test_a_killed_run_is_shown_interrupted_with_what_it_stored_and_its_directory_is_swept(
    setup: Setup, started: list[Run]
) -> None:
    run = Run(setup, "killed", "gazette-bocage")
    started.append(run)
    child = wait_until(run.crawl_child, 60, "the crawl child", run)
    wait_until(
        lambda: stored_count(setup.settings, "gazette-bocage") >= 2, 60, "two documents", run
    )

    run.process.kill()  # no chance to clean anything
    run.wait(10)
    # The crawl stops with its launcher instead of running on alone.
    wait_until(lambda: not alive(child), 60, f"the orphaned crawl {child} to stop")
    assert leftovers(setup), "a SIGKILL leaves the temporary directory (swept later)"

    shown = status_json(setup)["gazette-bocage"]
    found = stored_count(setup.settings, "gazette-bocage")
    assert shown["last_result"] == "interrupted"
    assert shown["documents_found"] == found >= 2
    assert found < ARTICLES  # the orphan stopped; it did not crawl on to the end
    assert "stopped or killed" in shown["last_message"]

    again = Run(setup, "again", "echo-marais")
    started.append(again)
    assert again.wait() == 0, again.output()[1]
    assert leftovers(setup) == []


def test_a_killed_scheduler_leaves_no_crawl_running_and_its_run_is_shown_interrupted(
    setup: Setup, started: list[Run]
) -> None:
    watchlist = setup.root / "bocage.yaml"
    watchlist.write_text(WATCHLIST.split("  - id: echo-marais")[0], encoding="utf-8")
    env = {**setup.env, "TRACEUR_SCHEDULER_JITTER": "0"}
    log = setup.root / "schedule.out"
    with open(log, "wb") as output:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "traceur", "schedule", "--watchlist", str(watchlist)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        child = wait_until(lambda: crawl_child(daemon.pid), 60, "the scheduled crawl", daemon)
        wait_until(
            lambda: stored_count(setup.settings, "gazette-bocage") >= 2, 60, "two documents", daemon
        )
        daemon.kill()
        daemon.wait(10)
        wait_until(lambda: not alive(child), 60, f"the orphaned crawl {child} to stop")
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait(10)

    shown = status_json(setup)["gazette-bocage"]
    found = stored_count(setup.settings, "gazette-bocage")
    assert shown["last_result"] == "interrupted"
    assert shown["documents_found"] == found and 2 <= found < ARTICLES


def test_a_second_run_skips_the_source_the_first_is_collecting_and_fetches_nothing_twice(
    setup: Setup, web: LocalWeb, started: list[Run]
) -> None:
    first = Run(setup, "first", "gazette-bocage")
    started.append(first)
    wait_until(lambda: is_running(setup.settings, "gazette-bocage"), 60, "the first run", first)

    second = Run(setup, "second")  # every source of the watchlist
    started.append(second)
    assert second.wait() == 0, second.output()[1]
    assert first.wait() == 0, first.output()[1]

    _, err = second.output()
    skipped = [line for line in err.splitlines() if "skipped" in line]
    assert skipped == [
        f"gazette-bocage: skipped, another run (pid {first.process.pid}) is collecting it right now"
    ]
    for host in (SLOW, QUICK):
        fetched = Counter(r.path for r in web.requested(host))
        assert fetched[f"/articles/episode-{ARTICLES}.html"] == 1
        assert [path for path, count in fetched.items() if count > 1] == [], host
    assert stored_count(setup.settings, "gazette-bocage") == ARTICLES
    assert stored_count(setup.settings, "echo-marais") == ARTICLES
    assert [r.result for r in history(setup.settings, "gazette-bocage")] == ["ok"]
    assert [r.result for r in history(setup.settings, "echo-marais")] == ["ok"]
