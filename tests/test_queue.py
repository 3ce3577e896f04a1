"""Collection spread over workers through a real Redis: the scheduler leader enqueues one
job per source pass, ``traceur worker`` processes run them, and the store ends as a
single-machine ``traceur run`` leaves it.

Every process is real (redis-server, ``python -m traceur worker|schedule``, the crawls they
start) and talks to the bundled demo web on loopback. The workers share one data
directory and store, as two workers of one machine would; the scheduler has its own data
directory, as on its own machine, and sees the workers' runs through Redis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import isolated_settings
from tests.queuekit import Fleet, clusters, finished_job_ids, rq_counts, stored, wait_for
from tests.redisserver import RedisServer
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import DEMO_WATCHLIST
from traceur.orchestra.collection import collect
from traceur.orchestra.runs import RunLog
from traceur.watchlist.loader import load_watchlist

pytestmark = pytest.mark.timeout(300)

DEMO_SOURCES = [source.id for source in load_watchlist(DEMO_WATCHLIST).sources if source.enabled]


@pytest.fixture
def fleet(tmp_path: Path, demo_web: LocalWeb, redis_server: RedisServer) -> Iterator[Fleet]:
    settings = isolated_settings(tmp_path / "workers", demo_web, queue=redis_server.url)
    fleet = Fleet(tmp_path, settings.replace(queue_lease=3))
    yield fleet
    fleet.stop_all()


def single_machine_run(tmp_path: Path, web: LocalWeb) -> Settings:
    settings = isolated_settings(tmp_path / "single", web)
    collect(settings, DEMO_WATCHLIST, DEMO_SOURCES, quiet=True)
    return settings


def test_two_workers_and_a_scheduler_store_what_one_machine_stores(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    expected = stored(single_machine_run(tmp_path, demo_web))
    assert len(expected) > 10

    fleet.worker("worker-1")
    fleet.worker("worker-2")
    leader = fleet.scheduler("leader", DEMO_WATCHLIST)
    leader_runs = tmp_path / "leader" / "runs.db"

    def every_source_ran() -> bool:
        if not leader_runs.exists():
            return False
        with RunLog(leader_runs, read_only=True) as runs:
            return all(runs.recent(source_id) for source_id in DEMO_SOURCES)

    wait_for(every_source_ran, 180, "the leader's history shows a run of every source")

    got = stored(fleet.settings)
    assert set(got) == set(expected)
    for doc_id, doc in expected.items():
        assert sorted(got[doc_id].candidates) == sorted(doc.candidates), doc.url
        assert sorted(got[doc_id].topics) == sorted(doc.topics), doc.url
    assert clusters(got) == clusters(expected)
    # One job per source: none twice, none failed, and both workers took some.
    jobs = finished_job_ids(redis_server.url)
    assert sorted(job.rsplit("-", 1)[0] for job in jobs) == sorted(
        f"pass-{source_id}" for source_id in DEMO_SOURCES
    )
    assert rq_counts(redis_server.url)["failed"] == 0
    with RunLog(leader_runs, read_only=True) as runs:
        for source_id in DEMO_SOURCES:
            (record,) = runs.recent(source_id)
            assert record.trigger == "queue" and record.result == "ok", record
    logs = fleet.output("worker-1") + fleet.output("worker-2")
    assert "Traceback" not in logs

    # `traceur status` on the leader's machine: every source's run, the queue, its workers.
    leader_settings = fleet.settings.replace(data_dir=tmp_path / "leader")
    shown = subprocess.run(
        [sys.executable, "-m", "traceur", "status", "--json", "--watchlist", str(DEMO_WATCHLIST)],
        env={**os.environ, **leader_settings.to_env()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(shown.stdout)
    assert {source["id"]: source["last_result"] for source in report["sources"]} == dict.fromkeys(
        DEMO_SOURCES, "ok"
    )
    assert report["queue"]["workers"] == 2 and report["queue"]["queued"] == 0
    assert report["queue"]["leader"].endswith(f":{leader.pid}")


def test_a_queue_that_is_not_a_redis_url_is_refused_with_the_fix(tmp_path: Path) -> None:
    from traceur.config import load_settings
    from traceur.errors import ConfigError

    with pytest.raises(ConfigError, match="redis://host:6379/0"):
        load_settings(environ={"TRACEUR_QUEUE": "amqp://file-attente:5672/"})
    with pytest.raises(ConfigError, match="queue_lease: must be at least 3"):
        load_settings(environ={"TRACEUR_QUEUE_LEASE": "1"})
    assert load_settings(environ={}).queue is None


def test_a_worker_without_a_queue_or_with_redis_down_says_what_to_set(tmp_path: Path) -> None:
    from tests.redisserver import free_port

    env = {**os.environ, "TRACEUR_DATA_DIR": str(tmp_path / "data")}
    env.pop("TRACEUR_QUEUE", None)
    alone = subprocess.run(
        [sys.executable, "-m", "traceur", "worker"], env=env, capture_output=True, text=True
    )
    assert alone.returncode == 1
    assert "needs a work queue; set queue: redis://host:6379/0" in alone.stderr
    env["TRACEUR_QUEUE"] = f"redis://127.0.0.1:{free_port()}/0"
    down = subprocess.run(
        [sys.executable, "-m", "traceur", "worker"], env=env, capture_output=True, text=True
    )
    assert down.returncode == 1
    assert "cannot reach the work queue at redis://127.0.0.1:" in down.stderr
    assert "Traceback" not in down.stderr


def test_a_feed_collected_on_one_machine_is_not_collected_again_by_a_worker_on_another(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    from traceur.orchestra.queue.connection import raw_connection
    from traceur.orchestra.queue.passes import enqueue_pass

    feed_host = "www.lagazette-des-deux-rives.example"

    def enqueue(slot: int) -> str:
        raw = raw_connection(fleet.settings)
        try:
            enqueue_pass(raw, fleet.settings, "gazette", 3600, slot, DEMO_WATCHLIST.read_text())
        finally:
            raw.close()
        return f"pass-gazette-{slot}"

    first = fleet.worker("machine-1", data_dir=tmp_path / "machine-1")
    job = enqueue(1)
    wait_for(lambda: job in finished_job_ids(redis_server.url), 120, "the first pass")
    first.terminate()
    first.wait(30)
    articles = [r for r in demo_web.requested(feed_host) if r.path.startswith("/actualites/")]
    assert len(articles) >= 3
    demo_web.clear_log()

    fleet.worker("machine-2", data_dir=tmp_path / "machine-2")
    job = enqueue(2)
    wait_for(lambda: job in finished_job_ids(redis_server.url), 120, "the second pass")
    # The entries the first machine collected are known to the second: only the feed is read.
    again = [r.path for r in demo_web.requested(feed_host) if r.path.startswith("/actualites/")]
    assert again == []
    with RunLog.in_data_dir(tmp_path / "machine-2") as runs:
        (record,) = runs.recent("gazette")
    assert record.result == "ok" and record.new == 0 and record.pages <= 2
