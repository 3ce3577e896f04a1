"""One politeness per host, whatever the crawls: a shared slot per host name.

Every crawl of a pass, and every pass running at the same time on the same data directory,
books each request to a host in that host's slot before sending it. The slot remembers
when the host may next be asked (its bookings are spaced by the interval) and the
requests it has in flight (never more than the concurrency). A booking not given back
(a crawl killed mid-request) lapses after its lease.

The slot lives behind ``HostSlots`` so that crawls spread over machines can share one in
Redis; ``SqliteHostSlots`` is the one-machine slot, a small table in the data directory.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from traceur.errors import StoreError
from traceur.sqlitefile import open_state_file

# How long a crawl waits before asking a host's slot again when all its lanes are busy.
BUSY_RETRY_SECONDS = 0.05
# The slowest a slow host makes the adaptive interval (seconds between two requests).
MAX_ADAPTIVE_INTERVAL = 30.0
# Bookings are spaced by the interval times a random factor up to this: never closer than
# the interval, and not a bot's metronome either.
JITTER = 0.5
# A host's slot not booked for this long is forgotten.
FORGET_SECONDS = 86400.0


@dataclass(frozen=True)
class SlotRule:
    """What a host is owed: ``interval`` seconds at least between the starts of two of its
    requests, at most ``concurrency`` of them booked or in flight, and ``lease`` seconds
    after which a booking never given back is void."""

    interval: float
    concurrency: int
    lease: float


@dataclass(frozen=True)
class Booking:
    """When a request may start (epoch seconds), and the token to give back once it is
    answered; no token: the host is busy, ask again at ``start_at``."""

    start_at: float
    token: str | None


class HostSlots(Protocol):
    """Per-host slots shared by every crawl using the same store."""

    def book(self, host: str, rule: SlotRule, give_back: Sequence[str] = ()) -> Booking:
        """Book a request to ``host``, having first given back the bookings ``give_back``
        (answered requests, to any host): one round trip for both where the store allows."""
        ...

    def release(self, *tokens: str) -> None: ...

    def close(self) -> None: ...


def booking_interval(delay: float, crawl_delay: float | None, adaptive: float | None) -> float:
    """The spacing of the next booking: the configured delay, raised to the site's
    robots.txt ``Crawl-delay`` and to what its response times ask, with upward jitter."""
    floor = max(delay, crawl_delay or 0.0, adaptive or 0.0)
    return floor * random.uniform(1.0, 1.0 + JITTER)  # noqa: S311 - not security


def adapted_interval(current: float | None, latency: float, floor: float, ok: bool) -> float:
    """The host's adaptive interval after a response that took ``latency`` seconds: half
    way to the latency (a slow host is asked less often, as Scrapy's AutoThrottle does),
    never under ``floor`` nor over ``MAX_ADAPTIVE_INTERVAL``, and never lowered by an
    error answer (a server failing fast is no reason to ask it faster)."""
    previous = current if current is not None else floor
    target = max(latency, (previous + latency) / 2)
    if not ok and target < previous:
        target = previous
    return min(MAX_ADAPTIVE_INTERVAL, max(floor, target))


def next_booking(
    next_at: float | None, in_flight: int, rule: SlotRule, now: float
) -> tuple[float, float] | None:
    """(start of the new request, the host's next free time), or None when the host
    already has ``rule.concurrency`` requests booked or in flight."""
    if in_flight >= rule.concurrency:
        return None
    start = max(now, next_at or 0.0)
    return start, start + rule.interval


_SCHEMA = """
CREATE TABLE IF NOT EXISTS host_slot (
    host TEXT PRIMARY KEY,
    next_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS host_lease (
    token TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS host_lease_by_host ON host_lease (host, expires_at);
"""


class SqliteHostSlots:
    """Host slots in one SQLite file, shared by every process of this machine that opens
    it. Each booking is one short ``BEGIN IMMEDIATE`` transaction: delete the leases given
    back with it, read the slot, write the next free time and the lease, so two processes
    never book the same moment."""

    def __init__(self, path: str | Path) -> None:
        self._db = open_state_file(path, _SCHEMA, "the politeness slots", StoreError)
        # Losing the last bookings in a power cut costs nothing: no fsync per request.
        self._db.execute("PRAGMA synchronous=OFF")
        self._lock = threading.Lock()
        self._forget_the_past(time.time())

    def _forget_the_past(self, now: float) -> None:
        # Lapsed leases of crawls that died, and hosts not asked for a day: the file stays
        # the size of what is being crawled.
        try:
            self._db.execute("DELETE FROM host_lease WHERE expires_at <= ?", (now,))
            self._db.execute("DELETE FROM host_slot WHERE next_at < ?", (now - FORGET_SECONDS,))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot tidy the politeness slots: {exc}") from exc

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SqliteHostSlots:
        return cls(Path(data_dir) / "politeness.db")

    def book(self, host: str, rule: SlotRule, give_back: Sequence[str] = ()) -> Booking:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._release(give_back)
                    booking = self._book(host, rule, time.time())
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot book a request to {host}: {exc}") from exc
        return booking

    def _book(self, host: str, rule: SlotRule, now: float) -> Booking:
        db = self._db
        # Lapsed leases are not counted (they are deleted when a slots file is opened, and
        # when they hold a host busy): one read of the slot instead of a delete and two reads.
        in_flight, next_at = db.execute(
            "SELECT (SELECT COUNT(*) FROM host_lease WHERE host = ? AND expires_at > ?),"
            " (SELECT next_at FROM host_slot WHERE host = ?)",
            (host, now, host),
        ).fetchone()
        planned = next_booking(next_at, in_flight, rule, now)
        if planned is None:
            db.execute("DELETE FROM host_lease WHERE host = ? AND expires_at <= ?", (host, now))
            return Booking(now + BUSY_RETRY_SECONDS, None)
        start, next_at = planned
        token = uuid.uuid4().hex
        db.execute(
            "INSERT INTO host_slot (host, next_at) VALUES (?, ?)"
            " ON CONFLICT (host) DO UPDATE SET next_at = excluded.next_at",
            (host, next_at),
        )
        db.execute(
            "INSERT INTO host_lease (token, host, expires_at) VALUES (?, ?, ?)",
            (token, host, start + rule.lease),
        )
        return Booking(start, token)

    def _release(self, tokens: Sequence[str]) -> None:
        # By 500: under SQLite's smallest limit of parameters per statement.
        for start in range(0, len(tokens), 500):
            chunk = tuple(tokens[start : start + 500])
            marks = ",".join("?" * len(chunk))
            self._db.execute(f"DELETE FROM host_lease WHERE token IN ({marks})", chunk)

    def release(self, *tokens: str) -> None:
        with self._lock:
            try:
                self._release(tokens)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot give back a politeness booking: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()
