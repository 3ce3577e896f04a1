"""The sources' leases in Redis for ``traceur run`` on a machine with a work queue.

The workers take a source's lease (``traceur:source:<id>``) before collecting it; a
``traceur run`` takes the same ones, beside the data directory's own locks (which only
hold on this machine), so that it never collects a source a worker elsewhere is
collecting, nor a worker one it is. A source whose lease another holds is skipped, and
who holds it (job or run, machine, process, since when) is told. The leases are renewed
while the pass runs and given back at its end; the pass stops its crawl when they cannot
be renewed (``Renewer.must_stop``, given to the pass as its guard).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from typing import Any

from traceur.config import Settings
from traceur.orchestra.queue.connection import connect, key
from traceur.orchestra.queue.leases import (
    RUN_HOLDER,
    Holder,
    Lease,
    Renewer,
    holder_token,
    read_holder,
)

log = logging.getLogger("traceur.queue")


def source_lease(client: Any, source_id: str, ttl: float, token: str) -> Lease:
    """The lease of ``source_id``, the one every worker and run takes."""
    return Lease(client, key("source", source_id), ttl, token=token)


class SharedSourceLeases:
    """The leases this ``traceur run`` holds; ``close`` gives them back."""

    def __init__(self, settings: Settings) -> None:
        self.client = connect(settings)
        self.ttl = float(settings.queue_lease)
        self.token = holder_token(RUN_HOLDER)
        self.held: list[Lease] = []
        self.renewer: Renewer | None = None

    def __enter__(self) -> SharedSourceLeases:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def take(self, source_ids: Iterable[str]) -> dict[str, Holder]:
        """Take the leases of ``source_ids``; those held elsewhere, with their holder."""
        refused: dict[str, Holder] = {}
        asked_at = time.monotonic()
        for source_id in source_ids:
            lease = source_lease(self.client, source_id, self.ttl, self.token)
            holder: Holder | None = None
            # Given back between our SET and our GET: one more try, then it is taken.
            for _ in range(2):
                if lease.try_acquire():
                    self.held.append(lease)
                    break
                holder = read_holder(lease.holder())
                if holder is not None:
                    refused[source_id] = holder
                    break
            else:
                refused[source_id] = Holder("?", "", 0, None)
        if self.held:
            self.renewer = Renewer(self.held, self._lost)
            # The first lease was set after this: none lapses sooner than a ttl from it.
            self.renewer.renewed_at = asked_at
            self.renewer.start()
        return refused

    def _lost(self, what: str) -> None:
        log.error("traceur run lost the lease of its sources (%s); its crawl stops", what)

    def close(self) -> None:
        import redis

        if self.renewer is not None:
            self.renewer.stop()
        for lease in self.held:
            # Out of reach, the lease lapses by itself within its ttl.
            with contextlib.suppress(redis.RedisError):
                lease.release()
        self.held = []
        self.client.close()
