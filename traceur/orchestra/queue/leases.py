"""Leases: Redis keys that expire unless their holder renews them.

A lease is ``SET key token NX PX ttl``: whoever set it holds it until it expires or they
give it back; renewing and giving back check the token first (a script, atomic on the
server), so a holder that lost its lease never renews or deletes the next holder's.
``Renewer`` renews a few leases every third of their time from a thread; when one is lost
(taken over after an outage longer than the lease) it calls ``on_lost`` once: the holder
must stop acting as holder at once.

A holder doing work that others must never do at the same time (a source's crawl) asks
``Renewer.must_stop`` as it waits: it answers before the lease can lapse, from the time of
the last renewal, even while the renewing thread is stuck in a command to an unreachable
Redis; ``Renewer.stopped_by`` is when that work must be gone (the lease's end).

A source lease's token says who holds it (``holder_token``): a job or a ``traceur run``,
on which machine and process, since when, so that whoever finds it taken can say so.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("traceur.queue")

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


# Without a renewal for this share of a lease, a holder stops its work: two renewals have
# failed (they come every third), and what is left of the lease is for the work to end
# before anyone else can take it.
STOP_SHARE = 2 / 3


# What the token of a source lease taken by ``traceur run`` names instead of a job id.
RUN_HOLDER = "traceur run"


@dataclass(frozen=True)
class Holder:
    """Who holds a source lease, read back from its token."""

    what: str  # the job's id, or "traceur run"
    host: str
    pid: int
    since: datetime | None


def holder_token(what: str) -> str:
    """A unique token naming its holder: ``what`` (a job id, ``traceur run``), this
    machine and process, and now."""
    return json.dumps(
        {
            "what": what,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "nonce": uuid.uuid4().hex[:8],
        },
        ensure_ascii=False,
    )


def read_holder(token: str | None) -> Holder | None:
    """The holder a token names (None: no holder); a token of another form (an older
    worker's bare job id) names only that."""
    if token is None:
        return None
    try:
        data = json.loads(token)
        since = datetime.fromisoformat(data["since"]) if data.get("since") else None
        return Holder(str(data["what"]), str(data["host"]), int(data["pid"]), since)
    except (ValueError, KeyError, TypeError):
        return Holder(token, "", 0, None)


class Lease:
    """One key held with ``token`` for ``ttl`` seconds at a time."""

    def __init__(self, client: Any, key: str, ttl: float, token: str | None = None) -> None:
        self.client = client
        self.key = key
        self.ttl = ttl
        self.token = token or uuid.uuid4().hex

    def try_acquire(self) -> bool:
        return bool(self.client.set(self.key, self.token, nx=True, px=int(self.ttl * 1000)))

    def acquire(self, wait: float, stop: threading.Event | None = None) -> bool:
        """Take the lease, waiting up to ``wait`` seconds for its holder to give it back or
        lose it (forever when ``wait`` is negative), unless ``stop`` is set first."""
        deadline = time.monotonic() + wait
        while True:
            if self.try_acquire():
                return True
            if wait >= 0 and time.monotonic() >= deadline:
                return False
            pause = min(0.2, self.ttl / 10)
            if stop is not None:
                if stop.wait(pause):
                    return False
            else:
                time.sleep(pause)

    def renew(self) -> bool:
        """Whether this holder still had it (and now has it for another ``ttl``)."""
        return bool(self.client.eval(_RENEW, 1, self.key, self.token, int(self.ttl * 1000)))

    def release(self) -> None:
        self.client.eval(_RELEASE, 1, self.key, self.token)

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return str(value) if value is not None else None


class Renewer:
    """Renews ``leases`` every third of the shortest one from a daemon thread, until
    ``stop()``. A lease found taken, or not renewed in time because Redis was out of
    reach for longer than it lasts, calls ``on_lost`` once and ends the renewals."""

    def __init__(self, leases: list[Lease], on_lost: Callable[[str], None]) -> None:
        self.leases = leases
        self.on_lost = on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-renewer", daemon=True)
        # When every lease was last known held (monotonic): its holder set or renewed them
        # just before; each can lapse on the server no sooner than a ttl after this.
        self.renewed_at = time.monotonic()
        self._taken = ""

    @property
    def ttl(self) -> float:
        return min(lease.ttl for lease in self.leases)

    def must_stop(self) -> str:
        """Why the holder must stop its work now ("" when it need not): a lease found in
        other hands, or no renewal for ``STOP_SHARE`` of the lease."""
        if self._taken:
            return f"lease lost: {self._taken}"
        silent = time.monotonic() - self.renewed_at
        if silent > self.ttl * STOP_SHARE:
            return (
                f"lease about to lapse: not renewed for {silent:.1f}s of {self.ttl:.0f}s"
                " (Redis out of reach)"
            )
        return ""

    @property
    def stopped_by(self) -> float:
        """When (monotonic) the holder's work must be over: the earliest the leases can
        lapse, after which another may take them."""
        return self.renewed_at + self.ttl

    def start(self) -> Renewer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        import redis

        ttl = self.ttl
        while not self._stop.wait(ttl / 3):
            # Before asking: the server extends each lease from when it gets the command,
            # so none lapses sooner than a ttl after this.
            asked_at = time.monotonic()
            try:
                lost = [lease.key for lease in self.leases if not lease.renew()]
            except redis.RedisError as exc:
                if time.monotonic() - self.renewed_at < ttl:
                    log.warning("cannot renew leases (%s); trying again", exc)
                    continue
                lost = [f"{lease.key} (Redis unreachable for {ttl:.0f}s)" for lease in self.leases]
            if lost:
                self._taken = ", ".join(lost)
                self.on_lost(self._taken)
                return
            self.renewed_at = asked_at
