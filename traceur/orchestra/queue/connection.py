"""The Redis client of ``queue: redis://…``, and the names of Traceur's keys in it.

Every key starts with ``traceur:`` so that the queue can share a Redis with other uses.
The client retries a command a few times on a dropped connection (a Redis restart): a
worker or the leader rides over a short outage instead of dying in the middle of a job.
"""

from __future__ import annotations

from typing import Any

from traceur.config import Settings
from traceur.errors import QueueError

PREFIX = "traceur:"
# Seconds to connect and to wait for an answer: Redis answers in microseconds, a longer
# silence is a server gone.
SOCKET_TIMEOUT = 5.0


def key(*parts: str) -> str:
    return PREFIX + ":".join(parts)


# The scheduler leader's lease (``leader``), which also fences its writes (``alertstate``).
LEADER_KEY = key("leader")


def connect(settings: Settings, *, binary: bool = False) -> Any:
    """A Redis client on ``settings.queue`` (answers decoded as text, or bytes with
    ``binary``), checked with a PING. Raises ``QueueError`` when there is no queue or it
    does not answer."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    if not settings.queue:
        raise QueueError(
            "no work queue is configured; set queue: redis://host:6379/0 (or TRACEUR_QUEUE)"
            " to spread collection over workers, or use `traceur run` on this machine"
        )
    client = redis.Redis.from_url(
        settings.queue,
        decode_responses=not binary,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        health_check_interval=10,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.2), 5),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise QueueError(
            f"cannot reach the work queue at {_shown(settings.queue)} ({exc}); start Redis there,"
            " or fix queue (TRACEUR_QUEUE)"
        ) from None
    return client


def raw_connection(settings: Settings) -> Any:
    """A client answering bytes, as RQ needs (it stores pickled jobs)."""
    import redis

    assert settings.queue
    return redis.Redis.from_url(
        settings.queue,
        socket_timeout=None,  # RQ's blocking pop waits longer than any fixed timeout
        socket_connect_timeout=SOCKET_TIMEOUT,
        health_check_interval=10,
    )


def _shown(url: str) -> str:
    # A password in the URL's user part stays out of messages and logs.
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return url
