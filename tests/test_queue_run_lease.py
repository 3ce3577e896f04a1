"""``traceur run`` on a machine with a work queue takes the sources' leases in Redis that
the workers take: a source a worker on another machine is collecting is skipped, with a
French line saying who has it and since when, and the others are collected; while the run
collects a source, its lease names the run, and a worker's job for it is skipped.

Redis is Debian's ``redis-server``, started on loopback by the test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import isolated_settings
from tests.queuekit import Fleet, finished_job_ids, stored, wait_for
from tests.redisserver import RedisServer
from traceur.cli.app import main
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import DEMO_WATCHLIST
from traceur.orchestra.queue.connection import connect, key, raw_connection
from traceur.orchestra.queue.leases import Lease, holder_token
from traceur.orchestra.queue.passes import enqueue_pass, pass_job_id
from traceur.orchestra.runs import RunLog

pytestmark = pytest.mark.timeout(180)

FORUM = "forum-citoyens"
BLOG = "carnet-de-lucie"


@pytest.fixture
def settings(tmp_path: Path, demo_web: LocalWeb) -> Iterator[Settings]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield isolated_settings(tmp_path, demo_web, queue=server.url, queue_lease=3)
    server.stop()


def enqueue(settings: Settings, source_id: str, slot: int) -> str:
    raw = raw_connection(settings)
    try:
        text = DEMO_WATCHLIST.read_text(encoding="utf-8")
        assert enqueue_pass(raw, settings, source_id, 3600, slot, text)
    finally:
        raw.close()
    return pass_job_id(source_id, slot)


def test_run_skips_a_source_a_worker_elsewhere_holds_and_says_who_in_french(
    settings: Settings,
) -> None:
    client = connect(settings)
    # A worker on another machine collecting the forum: its lease, as its job takes it.
    worker = Lease(client, key("source", FORUM), 60, token=holder_token("pass-forum-citoyens-7"))
    assert worker.try_acquire()
    result = CliRunner().invoke(
        main,
        ["run", "--watchlist", str(DEMO_WATCHLIST), "--source", FORUM, "--source", BLOG],
        env=settings.to_env(),
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith(f"{FORUM} :"))
    assert "source ignorée" in line and "pass-forum-citoyens-7" in line
    assert f"processus {os.getpid()}" in line
    assert re.search(r"depuis le \d\d/\d\d/\d{4} à \d\d:\d\d:\d\d UTC", line), line
    assert "Traceback" not in result.output
    docs = stored(settings)
    assert docs and {doc.source_id for doc in docs.values()} == {BLOG}
    with RunLog.in_data_dir(Path(settings.data_dir)) as runs:
        assert runs.source_ids() == [BLOG]
    # The blog's lease was given back at the end; the worker's is untouched.
    assert not client.exists(key("source", BLOG))
    assert worker.renew()
    worker.release()
    client.close()


def test_run_with_every_source_held_elsewhere_collects_nothing_and_exits_as_for_a_lock(
    settings: Settings,
) -> None:
    client = connect(settings)
    Lease(client, key("source", FORUM), 60, token=holder_token("traceur run")).try_acquire()
    result = CliRunner().invoke(
        main, ["run", "--watchlist", str(DEMO_WATCHLIST), "--source", FORUM], env=settings.to_env()
    )
    client.close()
    assert result.exit_code == 0, result.output
    assert "source ignorée : un `traceur run` sur la machine" in result.output
    assert "Nothing collected" in result.output
    assert stored(settings) == {}


def test_a_running_pass_holds_the_lease_in_its_own_name_and_a_worker_job_skips_it(
    tmp_path: Path, settings: Settings
) -> None:
    # Slow enough to be found in the middle: each forum request waits its turn.
    slow = settings.replace(download_delay=1.5)
    command = [sys.executable, "-m", "traceur", "run", "--watchlist", str(DEMO_WATCHLIST)]
    run = subprocess.Popen(
        [*command, "--source", FORUM],
        env={**os.environ, **slow.to_env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # A worker on another machine (its own data directory), given the forum's pass.
    fleet = Fleet(tmp_path, settings.replace(data_dir=tmp_path / "autre-machine"))
    client = connect(settings)
    try:
        token = wait_for(lambda: client.get(key("source", FORUM)), 60, "the run takes the lease")
        holder = json.loads(token)
        assert (holder["what"], holder["pid"]) == ("traceur run", run.pid)
        job_id = enqueue(fleet.settings, FORUM, 1)
        fleet.worker()
        wait_for(lambda: job_id in finished_job_ids(settings.queue), 60, "the job ends")
        assert run.poll() is None  # the job did not wait for the run's end
        _, errors = run.communicate(timeout=150)
        assert not client.exists(key("source", FORUM))
    finally:
        fleet.stop_all()
        if run.poll() is None:
            run.kill()
        client.close()
    assert run.returncode == 0, errors.decode()
    assert "skipped: traceur run is collecting it" in fleet.output("worker")
    assert {doc.source_id for doc in stored(settings).values()} == {FORUM}
    # The job never started a pass there: no run recorded on the other machine.
    assert not (tmp_path / "autre-machine" / "runs.db").exists()
