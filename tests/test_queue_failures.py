"""What the queue survives, with real processes killed for real: a worker killed with -9
in the middle of a pass (its job is taken again, nothing lost, nothing twice), the
scheduler leader killed (another one takes over within the lease, no slot missed or
doubled), Redis restarted (workers reconnect), and one host's crawl delay held across two
workers that share nothing but Redis.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import isolated_settings
from tests.mailsink import MailSink
from tests.queuekit import Fleet, finished_job_ids, rq_counts, stored, wait_for
from tests.redisserver import RedisServer
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import DEMO_WATCHLIST
from traceur.orchestra.collection import collect
from traceur.orchestra.queue.connection import connect, raw_connection
from traceur.orchestra.queue.leader import LEADER_KEY
from traceur.orchestra.queue.leases import Lease
from traceur.orchestra.queue.passes import QUEUE_NAME, enqueue_pass, pass_job_id
from traceur.orchestra.runs import RunLog

pytestmark = pytest.mark.timeout(300)

LEASE = 3
FORUM = "forum-citoyens"


@pytest.fixture
def fleet(tmp_path: Path, demo_web: LocalWeb, redis_server: RedisServer) -> Iterator[Fleet]:
    settings = isolated_settings(tmp_path / "workers", demo_web, queue=redis_server.url)
    fleet = Fleet(tmp_path, settings.replace(queue_lease=LEASE))
    yield fleet
    fleet.stop_all()


def enqueue(settings: Settings, source_id: str, slot: int, watchlist: Path = DEMO_WATCHLIST) -> str:
    raw = raw_connection(settings)
    try:
        assert enqueue_pass(raw, settings, source_id, 3600, slot, watchlist.read_text())
    finally:
        raw.close()
    return pass_job_id(source_id, slot)


def test_a_worker_killed_mid_pass_has_its_job_taken_again_and_nothing_lost_or_doubled(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    single = isolated_settings(tmp_path / "single", demo_web)
    collect(single, DEMO_WATCHLIST, [FORUM], quiet=True)
    expected = stored(single)
    # Slow enough to be killed in the middle: each request to the forum waits its turn.
    fleet.settings = fleet.settings.replace(download_delay=0.4)
    job_id = enqueue(fleet.settings, FORUM, 1)
    victim = fleet.worker("victim")
    wait_for(lambda: len(stored(fleet.settings)) >= 2, 120, "the first worker stores documents")
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    partial = len(stored(fleet.settings))
    assert 0 < partial < len(expected)

    fleet.worker("rescuer")
    wait_for(lambda: job_id in finished_job_ids(redis_server.url), 180, "the job is done again")

    got = stored(fleet.settings)
    assert set(got) == set(expected)
    assert rq_counts(redis_server.url) == {"queued": 0, "started": 0, "finished": 1, "failed": 0}
    with RunLog.in_data_dir(fleet.settings.data_dir) as runs:
        results = sorted(record.result or "running" for record in runs.recent(FORUM))
    # The killed worker's run is closed as interrupted, the retaken one is complete.
    assert results == ["interrupted", "ok"]
    assert "abandoned" in fleet.output("rescuer") + fleet.output("victim")


def test_a_worker_killed_mid_pass_sends_no_alert_twice_and_misses_none(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    watchlist = tmp_path / "avec-alerte.yaml"
    watchlist.write_text(
        DEMO_WATCHLIST.read_text(encoding="utf-8").replace(
            "alerts: []",
            "alerts:\n  - id: forum-immediat\n    kind: immediate\n"
            "    to: [equipe-numerique@example.org]\n    source_kinds: [forum]\n    every: 10s\n"
            # Each post its own email at once (no pacing), to count them one by one.
            "    batch: 0s\n    cooldown: 0s\n    max_per_hour: 0\n",
        ),
        encoding="utf-8",
    )
    fleet.settings = fleet.settings.replace(download_delay=0.4)
    with MailSink() as sink:
        fleet.scheduler(
            "leader", watchlist, smtp_host=sink.host, smtp_port=sink.port, smtp_security="none"
        )
        victim = fleet.worker("victim")
        forum_docs = lambda: [d for d in stored(fleet.settings).values() if d.source_id == FORUM]  # noqa: E731
        wait_for(lambda: len(forum_docs()) >= 2, 120, "the first worker stores forum posts")
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        fleet.worker("rescuer")
        leader_runs = tmp_path / "leader" / "runs.db"

        def forum_done() -> bool:
            if not leader_runs.exists():
                return False
            with RunLog(leader_runs, read_only=True) as runs:
                return any(r.result == "ok" for r in runs.recent(FORUM))

        wait_for(forum_done, 180, "the forum's pass done again and known to the leader")
        wanted = {doc.url for doc in forum_docs() if doc.candidates or doc.topics}
        assert wanted

        def alerted() -> str:
            return "\n".join(mail.part("plain") for mail in sink.messages())

        # Immediate alerts group the posts new since the last evaluation in one message.
        wait_for(lambda: all(url in alerted() for url in wanted), 60, "every forum post alerted")
        time.sleep(12)  # another evaluation of the rule, which must send nothing more
        texts = [mail.part("plain") for mail in sink.messages()]
    for url in wanted:
        assert sum(url in text for text in texts) == 1, url


def test_the_leader_killed_is_replaced_within_the_lease_and_no_slot_is_missed_or_doubled(
    tmp_path: Path, fleet: Fleet, redis_server: RedisServer
) -> None:
    # One source every 10 s: several slots go by across the takeover.
    watchlist = tmp_path / "rapide.yaml"
    watchlist.write_text(
        DEMO_WATCHLIST.read_text(encoding="utf-8").replace("every: 10m", "every: 10s"),
        encoding="utf-8",
    )
    first = fleet.scheduler("leader-1", watchlist)
    client = connect(fleet.settings)
    wait_for(lambda: str(first.pid) in (client.get(LEADER_KEY) or ""), 60, "the first leads")
    second = fleet.scheduler("leader-2", watchlist)
    wait_for(lambda: "waiting to take over" in fleet.output("leader-2"), 60, "the second waits")
    time.sleep(12)  # the first enqueues a slot or two
    first.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: str(second.pid) in (client.get(LEADER_KEY) or ""), 30, "the second leads")
    assert time.monotonic() - killed_at <= LEASE + 2
    time.sleep(15)
    fleet.stop_all()

    raw = raw_connection(fleet.settings)
    try:
        from rq import Queue

        job_ids = Queue(QUEUE_NAME, connection=raw).job_ids
    finally:
        raw.close()
    assert len(job_ids) == len(set(job_ids))
    fast = sorted(int(job.rsplit("-", 1)[1]) for job in job_ids if "quotidien" in job)
    # Every 10 s slot from the first to the last, each once, whoever led.
    assert len(fast) >= 3
    assert fast == list(range(fast[0], fast[-1] + 1))
    for slow in ("gazette", FORUM, "carnet-de-lucie"):
        assert sum(1 for job in job_ids if f"-{slow}-" in job) == 1, job_ids
    client.close()


def test_workers_reconnect_after_redis_restarts(fleet: Fleet, redis_server: RedisServer) -> None:
    worker = fleet.worker("worker")
    wait_for(lambda: "Listening on" in fleet.output("worker"), 60, "the worker listens")
    redis_server.restart(down_seconds=3)
    job_id = enqueue(fleet.settings, "gazette", 7)
    wait_for(lambda: job_id in finished_job_ids(redis_server.url), 120, "the pass after restart")
    assert worker.poll() is None
    assert len(stored(fleet.settings)) > 0


def test_a_hosts_crawl_delay_holds_across_two_workers_sharing_only_redis(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    host = "www.quotidien-du-centre.example"
    watchlist = tmp_path / "un-seul-site.yaml"
    text = DEMO_WATCHLIST.read_text(encoding="utf-8")
    watchlist.write_text(
        text.split("sources:")[0]
        + f"""sources:
  - id: quotidien-flux
    kind: feed
    url: http://{host}/politique/rss.xml
    every: 1h
  - id: quotidien-site
    kind: site
    url: http://{host}/
    every: 1h
    limits: {{max_pages: 12, max_depth: 2}}
""",
        encoding="utf-8",
    )
    delay = 0.8
    fleet.settings = fleet.settings.replace(download_delay=delay)
    # Each worker its own data directory: only Redis can space their requests.
    fleet.worker("worker-1", data_dir=tmp_path / "machine-1")
    fleet.worker("worker-2", data_dir=tmp_path / "machine-2")
    jobs = [
        enqueue(fleet.settings, source, 1, watchlist)
        for source in ("quotidien-flux", "quotidien-site")
    ]
    wait_for(lambda: set(jobs) <= set(finished_job_ids(redis_server.url)), 180, "both passes")

    times = sorted(request.at for request in demo_web.requested(host))
    assert len(times) >= 10
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # Booked at least the delay apart. The server notes each request some milliseconds
    # after it was sent, a lag that varies on a loaded machine: the smallest gap gets a
    # quarter of slack for it. Two workers that did not share the slot would send at the
    # same moments (gaps near 0) and half their gaps would be under the delay.
    assert min(gaps) >= delay * 0.75, gaps
    assert sorted(gaps)[len(gaps) // 2] >= delay, gaps
    # Each worker took one of the two passes.
    assert "Job OK" in fleet.output("worker-1") and "Job OK" in fleet.output("worker-2")


def test_a_source_lease_is_held_by_one_job_and_free_once_given_back_or_lapsed(
    fleet: Fleet,
) -> None:
    client = connect(fleet.settings)
    first = Lease(client, "traceur:source:essai", 1.0, token="job-1")
    second = Lease(client, "traceur:source:essai", 1.0, token="job-2")
    assert first.try_acquire()
    assert not second.try_acquire()
    assert not second.renew()  # a lease is only renewed by its holder
    second.release()  # nor given back by another
    assert first.holder() == "job-1"
    first.release()
    assert second.acquire(wait=0.5)
    # Never renewed, it lapses: a dead worker's lock frees itself.
    assert first.acquire(wait=3.0)
    client.close()
