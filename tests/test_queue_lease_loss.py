"""A worker that loses Redis for longer than its lease stops its crawl before the lease can
lapse, logs why and records its run as interrupted; once Redis is back, the job is queued
again once (by the stopped worker or by the reaper of a worker on another machine, its
own data directory) and the source collected once more, the two crawls never at the same
time, nothing stored twice.

Redis is Debian's ``redis-server``, stopped and started again by the test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import isolated_settings
from tests.queuekit import Fleet, finished_job_ids, rq_counts, stored, wait_for
from tests.redisserver import RedisServer
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import DEMO_WATCHLIST
from traceur.orchestra.collection import collect
from traceur.orchestra.queue.connection import raw_connection
from traceur.orchestra.queue.passes import enqueue_pass, pass_job_id
from traceur.orchestra.runs import RunLog, RunRecord

pytestmark = pytest.mark.timeout(300)

LEASE = 3
FORUM = "forum-citoyens"


@pytest.fixture
def fleet(tmp_path: Path, demo_web: LocalWeb, redis_server: RedisServer) -> Iterator[Fleet]:
    settings = isolated_settings(tmp_path / "workers", demo_web, queue=redis_server.url)
    # Slow enough to be cut off in the middle: each forum request waits its turn.
    fleet = Fleet(tmp_path, settings.replace(queue_lease=LEASE, download_delay=0.4))
    yield fleet
    fleet.stop_all()


def forum_runs(data_dir: Path) -> list[RunRecord]:
    if not (data_dir / "runs.db").exists():
        return []
    with RunLog.in_data_dir(data_dir) as runs:
        return runs.recent(FORUM)


def test_a_worker_cut_from_redis_past_its_lease_stops_its_crawl_before_another_takes_over(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    single = isolated_settings(tmp_path / "single", demo_web)
    collect(single, DEMO_WATCHLIST, [FORUM], quiet=True)
    expected = stored(single)
    raw = raw_connection(fleet.settings)
    try:
        assert enqueue_pass(raw, fleet.settings, FORUM, 3600, 1, DEMO_WATCHLIST.read_text())
    finally:
        raw.close()
    job_id = pass_job_id(FORUM, 1)
    first_dir = tmp_path / "premiere-machine"
    fleet.worker("first", data_dir=first_dir)
    wait_for(lambda: len(stored(fleet.settings)) >= 2, 120, "the first worker stores documents")

    redis_server.stop()
    cut_at = datetime.now(UTC)
    # Three leases: far past the point where the lease could lapse.
    time.sleep(3 * LEASE)
    interrupted = wait_for(
        lambda: [r for r in forum_runs(first_dir) if r.result == "interrupted"],
        30,
        "the first worker records its run as interrupted",
    )
    # Stopped while Redis was still away, so before anyone else could take the source.
    assert interrupted[0].finished_at is not None
    stopped_at = interrupted[0].finished_at
    assert (stopped_at - cut_at).total_seconds() < LEASE + 1
    assert "lost lease" in (interrupted[0].message or "")
    assert "stopping the crawl: lease about to lapse" in fleet.output("first")
    partial = len(stored(fleet.settings))
    assert 0 < partial < len(expected)

    redis_server.start()
    back_at = datetime.now(UTC)
    second_dir = tmp_path / "seconde-machine"
    fleet.worker("second", data_dir=second_dir)
    wait_for(lambda: job_id in finished_job_ids(redis_server.url), 180, "the job is done again")
    wait_for(
        lambda: any(r.result == "ok" for r in forum_runs(first_dir) + forum_runs(second_dir)),
        60,
        "a complete run of the forum",
    )
    every_run = forum_runs(first_dir) + forum_runs(second_dir)
    complete = [r for r in every_run if r.result == "ok"]
    # Done again once, by one worker, after Redis came back, long after the cut crawl ended.
    assert len(complete) == 1 and [r.result for r in every_run].count("interrupted") == 1
    assert complete[0].started_at >= back_at > stopped_at
    # Put back once (the reaper and the stopped worker did not both queue it), never failed.
    assert rq_counts(redis_server.url) == {"queued": 0, "started": 0, "finished": 1, "failed": 0}
    got = stored(fleet.settings)
    assert set(got) == set(expected)
    assert len(got) == len(expected)
