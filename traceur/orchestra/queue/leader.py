"""What the scheduler leader does with a queue: be elected, enqueue the source passes
that are due, take back abandoned jobs, and gather the workers' runs.

Leadership is a lease on ``traceur:leader`` (``leases``): the first scheduler to set it
leads and renews it every third of ``queue_lease``; the others wait, trying every
fraction of a second, and one of them takes over within ``queue_lease`` seconds of the
leader's death. A leader that cannot renew (Redis out of reach for longer than the lease,
or another scheduler took over) stops at once, so that two never enqueue together.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from traceur.config import Settings
from traceur.orchestra.queue.alertstate import AlertSnapshots, leader_token
from traceur.orchestra.queue.connection import LEADER_KEY, connect, raw_connection
from traceur.orchestra.queue.leases import Lease, Renewer
from traceur.orchestra.queue.passes import enqueue_pass, import_runs, slot_of, take_back_abandoned
from traceur.orchestra.runs import RunLog, RunRecord
from traceur.watchlist.model import Watchlist

log = logging.getLogger("traceur.scheduler")

__all__ = ["LEADER_KEY", "Leadership", "queue_status"]


class Leadership:
    """This scheduler's place in the election, and the leader's work at each tick."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = connect(settings)
        self.raw = raw_connection(settings)
        self.lease = Lease(
            self.client,
            LEADER_KEY,
            float(settings.queue_lease),
            token=leader_token(os.getpid()),
        )
        self._binary: Any = None
        self._renewer: Renewer | None = None
        # source id → the last slot known enqueued: a tick asks Redis only about sources
        # whose slot changed (thousands of sources, a tick every few seconds).
        self._enqueued: dict[str, int] = {}

    def wait(self, stop: threading.Event) -> bool:
        """Block until this scheduler leads (True) or ``stop`` is set (False)."""
        import redis

        announced = False
        while not stop.is_set():
            try:
                if self.lease.try_acquire():
                    return True
                if not announced:
                    log.info(
                        "another scheduler leads (%s); waiting to take over if it stops",
                        self.lease.holder(),
                    )
                    announced = True
                if self.lease.acquire(wait=-1, stop=stop):
                    return True
            except redis.RedisError as exc:
                # A follower outlives a Redis outage: it is the one to take over after it.
                log.warning("cannot reach the work queue (%s); trying again", exc)
                stop.wait(2.0)
        return False

    def keep(self, on_lost: Callable[[str], None]) -> None:
        self._renewer = Renewer([self.lease], on_lost).start()

    def release(self) -> None:
        import redis

        if self._renewer is not None:
            self._renewer.stop()
        try:
            self.lease.release()
        except redis.RedisError as exc:
            log.warning("cannot give back the leadership (%s); it lapses by itself", exc)
        self.client.close()
        self.raw.close()
        if self._binary is not None:
            self._binary.close()

    def alert_snapshots(self) -> AlertSnapshots:
        """The alert state's snapshots, published as this leader (``alertstate``)."""
        if self._binary is None:
            self._binary = connect(self.settings, binary=True)
        return AlertSnapshots(self._binary, self.lease.token)

    def tick(self, watchlist: Watchlist, watchlist_text: str, runs: RunLog) -> list[RunRecord]:
        """Enqueue the passes due, take back abandoned jobs, and add the workers' runs to
        ``runs``; returns the runs added."""
        seconds, micros = self.client.time()
        now = float(seconds) + float(micros) / 1e6  # the server's clock, the same for all
        due = []
        for source in watchlist.sources:
            if not source.enabled:
                continue
            slot = slot_of(source.id, source.every, now)
            if self._enqueued.get(source.id) != slot:
                due.append((source, slot))
        lengths = {source.id: last_pass_seconds(runs, source.id) for source, _slot in due}
        # Longest first: when many passes fall due at once (a leader's first tick, sources
        # of one period), the workers end together instead of one running a big site alone
        # at the end while the others idle. Python's sort is stable: ties keep the
        # watchlist's order.
        due.sort(key=lambda item: -lengths[item[0].id])
        for source, slot in due:
            if enqueue_pass(self.raw, self.settings, source.id, source.every, slot, watchlist_text):
                log.info("source %s: pass of slot %d enqueued", source.id, slot)
            self._enqueued[source.id] = slot
        take_back_abandoned(self.raw, float(self.settings.queue_lease))
        return import_runs(self.client, runs, Path(self.settings.data_dir))

    def holder(self) -> Any:
        return self.lease.holder()


def last_pass_seconds(runs: RunLog, source_id: str) -> float:
    """How long the source's last finished pass took; infinite when none is known (a new
    source may be large, and its first pass is awaited)."""
    for record in runs.recent(source_id, limit=5):
        if record.finished_at is not None:
            return (record.finished_at - record.started_at).total_seconds()
    return math.inf


def queue_status(settings: Settings) -> dict[str, Any]:
    """What ``traceur status`` shows of the queue: its leader, jobs waiting and running,
    live workers; ``error`` instead when Redis does not answer (status never fails for it)."""
    import redis
    from rq import Queue, Worker
    from rq.registry import StartedJobRegistry

    from traceur.errors import QueueError
    from traceur.orchestra.queue.passes import QUEUE_NAME

    assert settings.queue
    try:
        client = connect(settings)
    except QueueError as exc:
        return {"error": str(exc)}
    raw = raw_connection(settings)
    try:
        queue = Queue(QUEUE_NAME, connection=raw)
        return {
            "leader": client.get(LEADER_KEY),
            "queued": queue.count,
            "running": len(StartedJobRegistry(queue=queue).get_job_ids(cleanup=False)),
            "workers": Worker.count(queue=queue),
        }
    except redis.RedisError as exc:
        return {"error": f"the work queue stopped answering ({exc})"}
    finally:
        client.close()
        raw.close()
