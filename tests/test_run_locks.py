"""The pieces that keep runs' traces straight, each with real processes and files: source
locks that die with their holder, the sweep of crawl temporary directories, runs of dead
processes closed as interrupted with what the store received, and the scheduler leaving
alone a source another run holds. The whole ``traceur run`` is in test_run_traces.py."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.document import Document, content_hash, document_id
from traceur.orchestra.collection import settle_stale_runs
from traceur.orchestra.launch import OWNER_LOCK, sweep_stale_directories
from traceur.orchestra.runs import RunLog
from traceur.orchestra.scheduler import Daemon
from traceur.orchestra.sourcelock import SourceLocks, is_locked
from traceur.store import open_store

HOLD = """\
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
handle.seek(0); handle.truncate(); handle.write(sys.argv[2]); handle.flush()
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
def holders() -> Iterator[Callable[[Path], subprocess.Popen[str]]]:
    """Processes that flock a file (and write their pid in it) until killed."""
    started: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> subprocess.Popen[str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path), "pending"],
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None and process.stdout.readline() == "held\n"
        path.write_text(str(process.pid), encoding="utf-8")
        return process

    yield hold
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL: nothing cleaned, only the kernel releases the lock
    process.wait(10)


def test_a_source_held_by_another_process_names_its_pid_and_is_free_once_it_is_killed(
    tmp_path: Path, holders: Callable[[Path], subprocess.Popen[str]]
) -> None:
    holder = holders(tmp_path / "locks" / "gazette-bocage.lock")

    with SourceLocks(tmp_path) as locks:
        assert locks.acquire("gazette-bocage") == holder.pid
        assert locks.acquire("echo-marais") is None
        assert locks.held == ["echo-marais"] and is_locked(tmp_path, "echo-marais")
        assert is_locked(tmp_path, "gazette-bocage")

        kill(holder)
        assert not is_locked(tmp_path, "gazette-bocage")
        assert locks.acquire("gazette-bocage") is None
        assert (tmp_path / "locks" / "gazette-bocage.lock").read_text() == str(os.getpid())
    assert not is_locked(tmp_path, "gazette-bocage") and not is_locked(tmp_path, "echo-marais")


def test_crawl_directories_are_swept_once_their_owner_is_gone_and_others_are_left(
    tmp_path: Path, holders: Callable[[Path], subprocess.Popen[str]]
) -> None:
    live = tmp_path / "traceur-pass-vivant"
    live.mkdir()
    holder = holders(live / OWNER_LOCK)
    dead = tmp_path / "traceur-run-abandonne"
    dead.mkdir()
    (dead / OWNER_LOCK).write_bytes(b"")
    (dead / "summary.json").write_text("{}", encoding="utf-8")
    # Without an owner lock: an old version's directory, or one being created right now.
    old = tmp_path / "traceur-pass-ancien"
    old.mkdir()
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    fresh = tmp_path / "traceur-crawl-naissant"
    fresh.mkdir()
    unrelated = tmp_path / "traceur-notes"
    unrelated.mkdir()

    assert sorted(p.name for p in sweep_stale_directories(tmp_path)) == [
        "traceur-pass-ancien",
        "traceur-run-abandonne",
    ]
    assert live.is_dir() and fresh.is_dir() and unrelated.is_dir()

    kill(holder)
    assert sweep_stale_directories(tmp_path) == [live]


def _document(source_id: str, slug: str) -> Document:
    url = f"http://www.gazette-du-bocage.example/articles/{slug}.html"
    text = (
        "Claire Martin a inauguré samedi la nouvelle médiathèque du Bocage, en présence des"
        " élus du canton et de nombreux habitants venus découvrir les lieux."
    )
    return Document(
        id=document_id(url),
        url=url,
        canonical_url=url,
        domain="www.gazette-du-bocage.example",
        kind="article",
        source_id=source_id,
        title=f"Médiathèque du Bocage : {slug}",
        text=text,
        content_hash=content_hash("", text + slug),
    )


def test_a_run_whose_process_died_is_closed_interrupted_with_what_the_store_received(
    tmp_path: Path,
    make_settings: Callable[..., Settings],
    holders: Callable[[Path], subprocess.Popen[str]],
) -> None:
    settings = make_settings()
    store = open_store(settings)
    store.upsert([_document("gazette-bocage", "avant-la-passe")])  # an earlier run's
    with RunLog.in_data_dir(settings.data_dir) as runs:
        dead_run = runs.start("gazette-bocage", "run")
        live_run = runs.start("echo-marais", "schedule")
    store.upsert([_document("gazette-bocage", f"episode-{n}") for n in range(1, 4)])
    store.upsert([_document("echo-marais", "inauguration")])
    store.close()
    # The echo-marais run's process still runs: its lock is held.
    holder = holders(Path(settings.data_dir) / "locks" / "echo-marais.lock")

    [settled] = settle_stale_runs(settings)

    assert (settled.id, settled.result, settled.new) == (dead_run, "interrupted", 3)
    assert "3 documents stored or updated" in settled.message
    with RunLog.in_data_dir(settings.data_dir) as runs:
        still = runs.get(live_run)
    assert still is not None and still.result is None
    kill(holder)
    [later] = settle_stale_runs(settings)
    assert (later.id, later.result, later.new) == (live_run, "interrupted", 1)


def test_the_scheduler_skips_a_source_another_run_is_collecting_and_records_nothing(
    tmp_path: Path, make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    watchlist = tmp_path / "veille.yaml"
    watchlist.write_text(
        "candidates:\n  - id: claire-martin\n    name: Claire Martin\nsources:\n"
        "  - {id: gazette-bocage, kind: feed, url: 'http://www.gazette-du-bocage.example/rss.xml',"
        " every: 1h}\n",
        encoding="utf-8",
    )
    settings = make_settings(scheduler_jitter=0)
    daemon = Daemon(settings, watchlist, tick=0.2)
    daemon.start()  # paused: nothing runs on its own
    try:
        with SourceLocks(Path(settings.data_dir)) as other_run:
            assert other_run.acquire("gazette-bocage") is None
            with caplog.at_level(logging.INFO, logger="traceur.scheduler"):
                assert daemon.run_source("gazette-bocage", "manual") is None
        assert daemon.runs is not None and daemon.runs.recent("gazette-bocage") == []
        assert f"source gazette-bocage skipped: another run (pid {os.getpid()})" in caplog.text
    finally:
        daemon.stop()


def test_settling_a_dead_run_before_anything_was_stored_creates_no_store(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    with RunLog.in_data_dir(settings.data_dir) as runs:
        runs.start("gazette-bocage", "run")

    [settled] = settle_stale_runs(settings)

    assert (settled.result, settled.new) == ("interrupted", 0)
    assert "0 documents stored" in settled.message
    assert not Path(settings.store.removeprefix("sqlite:///")).exists()
