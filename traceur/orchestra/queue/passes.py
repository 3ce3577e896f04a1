"""One job per source pass on the queue, the job the workers run, and the taking again of
jobs whose worker died.

- **Slots.** A source with ``every: N`` has one pass per slot of N seconds, the slots
  shifted per source (a hash of its id) so that a big watchlist does not start all at
  once. The job of slot k has the id ``pass-<source>-<k>``, and the leader enqueues it
  only when no job of that id was ever claimed: a new leader taking over after a kill
  enqueues exactly the slots its predecessor had not, never one twice, and none is missed
  while a leader is elected within the slot.
- **The job** (``run_queued_pass``) is ``collect`` for one source, the very call of
  ``traceur run``, in the worker's data directory, with its crawl in a child process. It
  first takes the source's lock in Redis (two workers never collect one source at once)
  and beats a heartbeat key while it runs. The run it records is also pushed to Redis,
  where the leader adds it to its run history (``traceur status`` on its machine).
- **Redis lost mid-pass.** A job that cannot renew its leases stops its crawl before they
  can lapse (the leases are the pass's guard: ``run_pass``), records its run as
  interrupted, and ends: another worker may then take the source, never while this one
  still writes. The job is taken again as an abandoned one once Redis is back.
- **Abandoned jobs.** A worker killed with -9 leaves its job "started" in RQ's registry
  and lets its heartbeat lapse; ``take_back_abandoned`` (run by the leader at each tick
  and by every idle worker) puts such a job back at the head of the queue. Store ids are
  deterministic, so a pass done again updates what the first one stored, and alerts read
  the store, once per document.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from traceur.config import Settings
from traceur.errors import QueueError
from traceur.orchestra.collection import collect
from traceur.orchestra.launch import SourceSummary
from traceur.orchestra.passes import LOST_LEASE
from traceur.orchestra.queue.connection import connect, key
from traceur.orchestra.queue.leases import Lease, Renewer, holder_token, read_holder
from traceur.orchestra.runs import RunLog, RunRecord

log = logging.getLogger("traceur.queue")

QUEUE_NAME = "traceur-passes"
RUNS_KEY = key("runs")
IDENTITY_FILE = "instance-id"
# A claimed slot is remembered this many of its periods (and at least a day): long after
# RQ has forgotten the job, a new leader still knows the slot was taken.
_CLAIM_PERIODS = 3
_MIN_CLAIM_SECONDS = 86400
# Seconds between two tries of a source whose crawl still holds the local lock (a crawl of
# a killed worker finishing its current items on this machine).
_LOCAL_LOCK_RETRY = 1.0


def slot_of(source_id: str, every: int, now: float) -> int:
    """The slot of ``source_id`` at ``now`` (epoch seconds) for a pass every ``every`` s."""
    offset = int(hashlib.sha256(source_id.encode()).hexdigest()[:8], 16) % max(1, every)
    return int((now - offset) // max(1, every))


def pass_job_id(source_id: str, slot: int) -> str:
    return f"pass-{source_id}-{slot}"


def job_timeout(settings: Settings) -> int:
    """What RQ allows one pass: the source's deadline, its stop, and the lock waits."""
    if settings.source_deadline == 0:
        # Not RQ's "no timeout" (-1): its registry would then call a pass running longer
        # than its worker's TTL (7 min) abandoned while it still runs.
        return 86400
    return settings.source_deadline + settings.crawl_stop_timeout + 4 * settings.queue_lease + 60


def enqueue_pass(
    raw: Any, settings: Settings, source_id: str, every: int, slot: int, watchlist_text: str
) -> bool:
    """Enqueue the pass of ``source_id`` for ``slot`` unless it was already; whether it was
    enqueued now."""
    from rq import Queue
    from rq.job import Job

    job_id = pass_job_id(source_id, slot)
    claim = key("claim", job_id)
    keep = max(_MIN_CLAIM_SECONDS, every * _CLAIM_PERIODS)
    if raw.exists(claim) or Job.exists(job_id, connection=raw):
        # Claimed by the previous leader (maybe killed between enqueueing and claiming).
        raw.set(claim, "1", ex=keep)
        return False
    Queue(QUEUE_NAME, connection=raw).enqueue(
        run_queued_pass,
        args=(source_id, slot, watchlist_text),
        job_id=job_id,
        job_timeout=job_timeout(settings),
        result_ttl=keep,
        failure_ttl=keep,
        description=f"pass of {source_id}, slot {slot}",
    )
    raw.set(claim, "1", ex=keep)
    return True


def claim_requeue(raw: Any, job_id: str, lease: float) -> bool:
    """Whether this caller may put ``job_id`` back in the queue: one claim for a while, so
    that a reaper and the worker that stopped the job never both do."""
    return bool(raw.set(key("reaping", job_id), "1", nx=True, ex=max(1, int(2 * lease))))


def take_back_abandoned(raw: Any, lease: float) -> list[str]:
    """Put back at the head of the queue every started job whose heartbeat lapsed (its
    worker died); returns their ids."""
    from rq import Queue
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    queue = Queue(QUEUE_NAME, connection=raw)
    registry = StartedJobRegistry(queue=queue)
    taken: list[str] = []
    now = datetime.now(UTC)
    for job_id in registry.get_job_ids(cleanup=False):
        if raw.exists(key("alive", job_id)):
            continue
        try:
            job = Job.fetch(job_id, connection=raw)
        except NoSuchJobError:
            continue
        if job.get_status() != JobStatus.STARTED:
            continue
        started = job.started_at
        if started is not None:
            started = started if started.tzinfo else started.replace(tzinfo=UTC)
            if (now - started).total_seconds() < 2 * lease:
                continue  # its heartbeat is being set up
        # Two reapers at once would enqueue it twice: one wins the claim.
        if not claim_requeue(raw, job_id, lease):
            continue
        with raw.pipeline() as pipeline:
            registry.remove_executions(job, pipeline=pipeline)
            pipeline.execute()
        queue.enqueue_job(job, at_front=True)
        log.warning("job %s was abandoned (its worker stopped beating); queued again", job_id)
        taken.append(job_id)
    return taken


# -- the job, in the worker ------------------------------------------------------------


class PassLeaseLost(QueueError):
    """A job stopped its crawl because it could not keep its leases in Redis."""

    def __init__(self, job_id: str, lease: int) -> None:
        super().__init__(
            f"job {job_id} stopped its crawl: its leases in Redis could not be renewed for"
            f" most of queue_lease ({lease}s), after which another worker may collect the"
            " source; its run is recorded as interrupted and the job goes back to the queue."
            " If Redis is often this slow to answer, raise queue_lease"
        )


_settings: Settings | None = None


def set_worker_settings(settings: Settings | None) -> None:
    """The settings the jobs of this worker process run with (its machine's own)."""
    global _settings
    _settings = settings


def data_dir_identity(data_dir: Path) -> str:
    """A random id of ``data_dir``, made once: the leader tells its own runs from the ones
    of workers on other data directories."""
    path = Path(data_dir) / IDENTITY_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_suffix(f".{os.getpid()}.tmp")
    fresh.write_text(uuid.uuid4().hex, encoding="utf-8")
    try:
        os.link(fresh, path)  # the first writer wins; the others read its id
    except FileExistsError:
        pass
    finally:
        fresh.unlink()
    return path.read_text(encoding="utf-8").strip()


def _watchlist_file(data_dir: Path, text: str) -> Path:
    """The job's watchlist (the leader's snapshot, carried in the job) as a file here."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(data_dir) / f"watchlist.queue-{digest}.yaml"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


def run_queued_pass(source_id: str, slot: int, watchlist_text: str) -> dict[str, Any]:
    """The job of one source pass (module level: RQ stores its name)."""
    from rq import get_current_job

    settings = _settings
    if settings is None:
        raise RuntimeError("run_queued_pass runs in `traceur worker` only")
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    job = get_current_job()
    job_id = job.id if job is not None else pass_job_id(source_id, slot)
    client = connect(settings)
    try:
        return _run_locked(settings, client, job_id, source_id, watchlist_text)
    finally:
        client.close()


def _run_locked(
    settings: Settings, client: Any, job_id: str, source_id: str, watchlist_text: str
) -> dict[str, Any]:
    """``run_queued_pass`` once connected: the source's lock and heartbeat, the pass, its runs."""
    import redis

    data_dir = Path(settings.data_dir)
    lease = float(settings.queue_lease)
    alive = Lease(client, key("alive", job_id), lease)
    client.set(alive.key, alive.token, px=int(lease * 1000))
    lost: list[str] = []
    renewer = Renewer([alive], lost.append).start()
    source_lock = Lease(client, key("source", source_id), lease, token=holder_token(job_id))
    try:
        # A job taken again after its worker died waits for the dead one's lock to lapse.
        if not source_lock.acquire(wait=2 * lease):
            holder = read_holder(source_lock.holder())
            by = holder.what if holder else None
            log.info("source %s skipped: %s is collecting it", source_id, by)
            return {"source": source_id, "result": "skipped", "holder": by}
        renewer.leases.append(source_lock)
        path = _watchlist_file(data_dir, watchlist_text)
        deadline = time.monotonic() + settings.crawl_stop_timeout + 2 * lease
        while True:
            collection = collect(
                settings, path, [source_id], trigger="queue", quiet=True, guard=renewer
            )
            if source_id not in collection.skipped or time.monotonic() > deadline:
                break
            if renewer.must_stop():
                break  # not even started: the source may be another worker's by now
            time.sleep(_LOCAL_LOCK_RETRY)
    finally:
        renewer.stop()
        with contextlib.suppress(redis.RedisError):  # out of reach, it lapses by itself
            source_lock.release()
    if lost:
        log.error("job %s lost its lease during the pass (%s)", job_id, lost[0])
    interrupted = collection.summary.interrupted_by
    identity = data_dir_identity(data_dir)
    try:
        for record in collection.records:
            client.lpush(RUNS_KEY, json.dumps(_record_json(record, identity)))
    except redis.RedisError as exc:
        if interrupted != LOST_LEASE:
            raise
        # Recorded here; the leader's history lacks it, as Redis lacked the lease.
        log.warning("job %s: its interrupted run is not pushed to Redis (%s)", job_id, exc)
    if interrupted == LOST_LEASE:
        # Not done: the worker puts the job back (``worker.PassWorker``).
        raise PassLeaseLost(job_id, settings.queue_lease)
    if interrupted:
        # The pass forwarded the stop to its crawl; the worker stops after this job.
        signal.raise_signal(signal.Signals[interrupted])
    if not collection.records:
        return {"source": source_id, "result": "skipped"}
    done = collection.records[0]
    return {"source": source_id, "result": done.result, "pages": done.pages, "new": done.new}


def _record_json(record: RunRecord, identity: str) -> dict[str, Any]:
    data = asdict(record)
    data["started_at"] = record.started_at.isoformat()
    data["finished_at"] = record.finished_at.isoformat() if record.finished_at else None
    data["data_dir"] = identity
    return data


def import_runs(client: Any, runs: RunLog, data_dir: Path, limit: int = 1000) -> list[RunRecord]:
    """Add to ``runs`` the runs workers on other data directories pushed (the leader's
    run history then shows every run); returns the records added."""
    own = data_dir_identity(data_dir)
    added: list[RunRecord] = []
    for _ in range(limit):
        raw = client.rpop(RUNS_KEY)
        if raw is None:
            break
        data = json.loads(raw)
        if data.get("data_dir") == own:
            continue  # recorded here by the worker itself
        summary = SourceSummary(
            pages=data["pages"],
            new=data["new"],
            updated=data["updated"],
            unchanged=data["unchanged"],
            not_documents=data["not_documents"],
            errors=data["errors"],
        )
        added.append(
            runs.record(
                data["source_id"],
                summary,
                data["trigger"],
                datetime.fromisoformat(data["started_at"]),
                datetime.fromisoformat(data["finished_at"]) if data["finished_at"] else None,
                data["result"],
                data["message"],
            )
        )
    return added
