"""The order in which the scheduler leader enqueues the passes due at one tick: the
longest first (from the run history), so that the workers end together.

A real Redis; the leader's tick as the scheduler calls it, on a watchlist whose sources
took known times at their last pass.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import isolated_settings
from tests.redisserver import RedisServer
from traceur.orchestra.launch import SourceSummary
from traceur.orchestra.queue.leader import Leadership
from traceur.orchestra.queue.passes import QUEUE_NAME
from traceur.orchestra.runs import RunLog
from traceur.watchlist.loader import load_watchlist

pytestmark = pytest.mark.timeout(60)

WATCHLIST = """\
candidates:
  - id: odile-ferrand
    name: Odile Ferrand
sources:
  - id: gazette-du-bocage
    kind: feed
    url: http://www.gazette-du-bocage.example/fil.xml
    every: 1h
  - id: forum-des-riverains
    kind: site
    url: http://forum.riverains-de-la-vallee.example/
    every: 1h
  - id: echo-municipal
    kind: feed
    url: http://www.echo-municipal.example/actualites.rss
    every: 1h
  - id: blog-de-la-halle
    kind: feed
    url: http://blog.la-halle-aux-grains.example/flux.atom
    every: 1h
"""


def queued_sources(leadership: Leadership) -> list[str]:
    from rq import Queue
    from rq.job import Job

    queue = Queue(QUEUE_NAME, connection=leadership.raw)
    return [str(Job.fetch(job_id, connection=leadership.raw).args[0]) for job_id in queue.job_ids]


def test_passes_due_together_are_enqueued_longest_last_pass_first_and_new_sources_first(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    path = tmp_path / "veille.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    watchlist = load_watchlist(path)
    settings = isolated_settings(tmp_path, queue=redis_server.url)
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    # The forum's last pass took 5 minutes, the bulletin's 40 s, the feed's 3 s; the blog
    # never ran here.
    lasted = {"gazette-du-bocage": 3, "forum-des-riverains": 300, "echo-municipal": 40}
    with RunLog.in_data_dir(Path(settings.data_dir)) as runs:
        for source_id, seconds in lasted.items():
            runs.record(
                source_id,
                SourceSummary(pages=seconds),
                "queue",
                start,
                start + timedelta(seconds=seconds),
                "ok",
            )
        leadership = Leadership(settings)
        try:
            leadership.tick(watchlist, WATCHLIST, runs)
            order = queued_sources(leadership)
        finally:
            leadership.release()
    assert order == [
        "blog-de-la-halle",
        "forum-des-riverains",
        "echo-municipal",
        "gazette-du-bocage",
    ]
