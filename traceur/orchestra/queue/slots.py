"""``RedisHostSlots``: the per-host politeness slots of ``traceur.orchestra.politeness`` in
Redis, so that a host's crawl delay and concurrency hold across every worker, on every
machine.

A host's slot is two keys: its next free time, and its bookings (a sorted set of tokens by
the time their lease lapses). One booking is one script run on the server, so two workers
never book the same moment; times are the server's (``TIME``), so machines whose clocks
disagree still space their requests right. The booking answers a delay from now, which
each crawl turns into its own clock's time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

from traceur.errors import StoreError
from traceur.orchestra.politeness import BUSY_RETRY_SECONDS, FORGET_SECONDS, Booking, SlotRule
from traceur.orchestra.queue.connection import key

# KEYS: next free time, bookings. ARGV: interval, concurrency, lease, token, forget.
# Answers {delay as text, 1 when booked / 0 when busy}: Lua numbers would lose decimals.
_BOOK = """
local t = redis.call('time')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('zremrangebyscore', KEYS[2], '-inf', now)
if redis.call('zcard', KEYS[2]) >= tonumber(ARGV[2]) then
    return {tostring(0), 0}
end
local start = now
local next_at = tonumber(redis.call('get', KEYS[1]) or '0')
if next_at > start then start = next_at end
redis.call('set', KEYS[1], string.format('%.6f', start + tonumber(ARGV[1])), 'EX', ARGV[5])
redis.call('zadd', KEYS[2], string.format('%.6f', start + tonumber(ARGV[3])), ARGV[4])
redis.call('expire', KEYS[2], ARGV[5])
return {string.format('%.6f', start - now), 1}
"""


class RedisHostSlots:
    """Host slots in the queue's Redis, shared by every worker (a ``HostSlots``)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._book = client.register_script(_BOOK)

    def book(self, host: str, rule: SlotRule, give_back: Sequence[str] = ()) -> Booking:
        import redis

        self.release(*give_back)

        # The host travels in the token: giving it back needs no other lookup.
        token = f"{host}|{uuid.uuid4().hex}"
        try:
            delay, booked = self._book(
                keys=[key("slot", host, "next"), key("slot", host, "leases")],
                args=[rule.interval, rule.concurrency, rule.lease, token, int(FORGET_SECONDS)],
            )
        except redis.RedisError as exc:
            raise StoreError(
                f"cannot book a request to {host} in the queue's Redis ({exc});"
                " check that Redis runs and that queue (TRACEUR_QUEUE) points at it"
            ) from None
        if not int(booked):
            return Booking(time.time() + BUSY_RETRY_SECONDS, None)
        return Booking(time.time() + float(delay), token)

    def release(self, *tokens: str) -> None:
        import redis

        by_host: dict[str, list[str]] = {}
        for token in tokens:
            by_host.setdefault(token.split("|", 1)[0], []).append(token)
        try:
            for host, given in by_host.items():
                self._client.zrem(key("slot", host, "leases"), *given)
        except redis.RedisError:
            # The lease lapses by itself: a lost give-back only holds a lane a little longer.
            return

    def close(self) -> None:
        self._client.close()
