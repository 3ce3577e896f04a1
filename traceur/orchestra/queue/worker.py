"""``traceur worker``: an RQ worker taking the source passes of the queue.

It is RQ's ``SimpleWorker`` (the job runs in the worker process, and the crawl in its
child, as for ``traceur run``: a worker killed takes its crawl down with it, through the
crawl's parent-death signal). Its maintenance, every ``queue_lease`` seconds while idle,
also takes back the jobs of dead workers. RQ retries a lost connection while waiting for
a job; when Redis goes away at another moment RQ's loop ends, and this one starts a new
worker on a new connection once Redis answers again, so a Redis restart never needs the
workers restarted.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

from traceur.config import Settings
from traceur.orchestra.queue.connection import connect, raw_connection
from traceur.orchestra.queue.passes import (
    QUEUE_NAME,
    PassLeaseLost,
    claim_requeue,
    set_worker_settings,
    take_back_abandoned,
)

log = logging.getLogger("traceur.queue")

# Seconds between two attempts to reach a Redis that went away.
RECONNECT_SECONDS = 2.0


def _worker_class() -> Any:
    import redis
    from rq.worker import SimpleWorker

    class PassWorker(SimpleWorker):
        lease = 15.0
        # The job this worker stopped for want of its leases (``PassLeaseLost``).
        lease_lost_job = ""

        def run_maintenance_tasks(self) -> None:
            super().run_maintenance_tasks()  # type: ignore[no-untyped-call]
            take_back_abandoned(self.connection, self.lease)

        def handle_exception(self, job: Any, *exc_info: Any) -> None:
            if isinstance(exc_info[1], PassLeaseLost):
                # Not a failure of the pass: said in one line, without a traceback.
                self.lease_lost_job = job.id
                log.warning("%s", exc_info[1])
                return
            super().handle_exception(job, *exc_info)

        def handle_job_failure(self, job: Any, queue: Any, *args: Any, **kwargs: Any) -> None:
            if self.lease_lost_job != job.id:
                super().handle_job_failure(job, queue, *args, **kwargs)
                return
            self.lease_lost_job = ""
            execution = kwargs.get("execution")
            try:
                # Its heartbeat lapsed with its leases: a reaper may have queued it again
                # already (it then dropped this execution from the started registry).
                ours = execution is not None and self.connection.zscore(
                    queue.started_job_registry.key, execution.composite_key
                )
                if not ours or not claim_requeue(self.connection, job.id, self.lease):
                    log.info("job %s is already queued again; nothing to record", job.id)
                    with self.connection.pipeline() as pipeline:
                        self.cleanup_execution(job, pipeline, execution)
                        pipeline.execute()
                    return
            except redis.RedisError as exc:
                # Redis still away: the job stays started, and is taken back as
                # abandoned once Redis returns.
                log.warning("job %s is left to be taken back (%s)", job.id, exc)
                return
            # RQ's retry, one more than the job had, at once and at the head of the queue:
            # the source is collected again by whichever worker is free.
            job.retries_left = (job.retries_left or 0) + 1
            job.retry_intervals = None
            job.enqueue_at_front_on_retry = True
            super().handle_job_failure(job, queue, *args, **kwargs)

    return PassWorker


def serve_worker(settings: Settings, *, burst: bool = False) -> int:
    """Take jobs until SIGTERM/SIGINT (after the current job), or, with ``burst``, until
    the queue is empty. Raises ``QueueError`` when the queue cannot be reached at start."""
    import redis
    from rq import Queue

    connect(settings).close()  # a wrong URL is one clear error at start, not a retry loop
    set_worker_settings(settings)
    worker_class = _worker_class()
    lease = float(settings.queue_lease)
    while True:
        raw = raw_connection(settings)
        worker = worker_class(
            [Queue(QUEUE_NAME, connection=raw)],
            connection=raw,
            # One name per connection: RQ refuses a name a live worker registered.
            name=f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:6]}",
            # Idle, RQ wakes every worker_ttl - 15 s: for the maintenance above.
            worker_ttl=int(lease) + 15,
            maintenance_interval=int(lease),
        )
        worker.lease = lease
        try:
            worker.work(burst=burst, with_scheduler=False, logging_level=settings.log_level.upper())
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("worker lost the queue (%s); reconnecting", exc)
        finally:
            raw.close()
        # RQ notes a stop signal's date whether it came idle or in the middle of a job.
        if burst or getattr(worker, "_shutdown_requested_date", None) is not None:
            return 0
        log.warning(
            "worker %s ended on a Redis error; a new one starts in %.0fs",
            worker.name,
            RECONNECT_SECONDS,
        )
        time.sleep(RECONNECT_SECONDS)
