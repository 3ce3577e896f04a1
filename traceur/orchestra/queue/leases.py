"""Leases: Redis keys that expire unless their holder renews them.

A lease is ``SET key token NX PX ttl``: whoever set it holds it until it expires or they
give it back; renewing and giving back check the token first (a script, atomic on the
server), so a holder that lost its lease never renews or deletes the next holder's.
``Renewer`` renews a few leases every third of their time from a thread; when one is lost
(taken over after an outage longer than the lease) it calls ``on_lost`` once: the holder
must stop acting as holder at once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
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

    def start(self) -> Renewer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        import redis

        ttl = min(lease.ttl for lease in self.leases)
        renewed_at = time.monotonic()
        while not self._stop.wait(ttl / 3):
            try:
                lost = [lease.key for lease in self.leases if not lease.renew()]
            except redis.RedisError as exc:
                if time.monotonic() - renewed_at < ttl:
                    log.warning("cannot renew leases (%s); trying again", exc)
                    continue
                lost = [f"{lease.key} (Redis unreachable for {ttl:.0f}s)" for lease in self.leases]
            if lost:
                self.on_lost(", ".join(lost))
                return
            renewed_at = time.monotonic()
