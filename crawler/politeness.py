"""The per-host politeness of every crawl, enforced before each request leaves.

Scrapy's own delay, concurrency and AutoThrottle hold within one crawler: three sources on
one newspaper (a feed, a sitemap, a forum) are three crawlers, and passes run by the
scheduler at the same time are other processes, so the site would see them all at once.
This middleware books every request (robots.txt included) in the host's shared slot
(``traceur.orchestra.politeness``) and waits, without blocking the reactor, until its turn.

Settings: ``TRACEUR_DOWNLOAD_DELAY`` (seconds between two requests to a host),
``TRACEUR_CONCURRENT_PER_HOST`` (requests in flight to a host, all crawls together),
``TRACEUR_AUTOTHROTTLE`` (space requests further when a host answers slowly),
``TRACEUR_DATA_DIR`` (where the slots live; ``TRACEUR_QUEUE``, when set, puts them in the
queue's Redis, shared by every worker on every machine) and ``DOWNLOAD_TIMEOUT`` (bounds a
booking's lease). A robots.txt ``Crawl-delay`` read by ``CrawlDelayMiddleware`` raises the delay.
Scrapy's own DOWNLOAD_DELAY and AutoThrottle are off (``scrapy_settings``): a delay they
added after the booking would put two crawls' requests closer than the slot says.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.deadline import DEADLINE_META, DeadlinePassed
from crawler.robots_delay import CRAWL_DELAY_META
from traceur.config import default_settings
from traceur.errors import StoreError
from traceur.orchestra.politeness import (
    Booking,
    HostSlots,
    SlotRule,
    SqliteHostSlots,
    adapted_interval,
    booking_interval,
)

log = logging.getLogger(__name__)

LEASE_META = "traceur_host_lease"
# A booking outlives its request's download timeout by this much before it lapses.
LEASE_MARGIN_SECONDS = 30.0


def _host(request: Request) -> str:
    """The slot's key: the host name, whatever the port (one server, one politeness)."""
    return (urlparse_cached(request).hostname or "").lower()


class HostPolitenessMiddleware:
    def __init__(
        self,
        slots: HostSlots,
        delay: float,
        concurrency: int,
        lease: float,
        adaptive: bool,
    ) -> None:
        self.slots = slots
        self.delay = delay
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.adaptive = adaptive
        # host → interval its response times ask for (this process's view).
        self._adapted: dict[str, float] = {}
        # One booking at a time per host from this process: the others wait here rather
        # than all asking a busy slot again and again.
        self._booking: dict[str, asyncio.Lock] = {}
        self._released: dict[str, asyncio.Event] = {}
        self._held: set[str] = set()
        # Bookings of answered requests not yet given back to the slots: they go with this
        # process's next booking (one transaction for both), or at the end of the event
        # loop's current round when none comes. Held a few milliseconds longer, a lane is
        # never given to two requests; another process only waits that much more.
        self._returning: list[str] = []
        self._return_scheduled = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostPolitenessMiddleware:
        settings = crawler.settings
        defaults = default_settings()
        data_dir = Path(settings.get("TRACEUR_DATA_DIR") or defaults.data_dir)
        slots: HostSlots
        if settings.get("TRACEUR_QUEUE"):
            from traceur.orchestra.queue.connection import connect
            from traceur.orchestra.queue.slots import RedisHostSlots

            slots = RedisHostSlots(connect(defaults.replace(queue=settings.get("TRACEUR_QUEUE"))))
        else:
            slots = SqliteHostSlots.in_data_dir(data_dir)
        middleware = cls(
            slots,
            delay=settings.getfloat("TRACEUR_DOWNLOAD_DELAY", defaults.download_delay),
            concurrency=settings.getint(
                "TRACEUR_CONCURRENT_PER_HOST", defaults.concurrent_per_domain
            ),
            lease=settings.getfloat("DOWNLOAD_TIMEOUT", defaults.download_timeout)
            + LEASE_MARGIN_SECONDS,
            adaptive=settings.getbool("TRACEUR_AUTOTHROTTLE", defaults.autothrottle),
        )
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def _rule(self, host: str, request: Request) -> SlotRule:
        interval = booking_interval(
            self.delay, request.meta.get(CRAWL_DELAY_META), self._adapted.get(host)
        )
        return SlotRule(interval=interval, concurrency=self.concurrency, lease=self.lease)

    def _ask(self, host: str, request: Request) -> Booking:
        """One booking attempt, giving back the answered requests' bookings with it."""
        # Cleared before asking: a lane this process frees meanwhile wakes a waiter at
        # once; one another process frees is seen at the next ask.
        released = self._released.setdefault(host, asyncio.Event())
        released.clear()
        # Inline: a booking is one write transaction of tens of microseconds (others hold
        # the file as briefly), cheaper than the thread hop it would take.
        returning, self._returning = self._returning, []
        try:
            return self.slots.book(host, self._rule(host, request), returning)
        except BaseException:
            self._returning.extend(returning)
            raise

    def _book_at_once(self, host: str, request: Request) -> Booking | None:
        """A booking made inline, without the task and timer of a wait, when no request of
        this process is waiting for the host (others wait their turn first): None then.
        Most requests of a crawl within the host's concurrency are booked here."""
        lock = self._booking.get(host)
        if lock is not None and lock.locked():
            return None
        return self._ask(host, request)

    async def _book(self, host: str, request: Request, retry_at: float | None) -> Booking:
        """A booking with a token, waiting for a free lane; ``retry_at``: the host was
        found busy by ``_book_at_once``, ask again then (or when a lane frees)."""
        lock = self._booking.setdefault(host, asyncio.Lock())
        released = self._released.setdefault(host, asyncio.Event())
        async with lock:
            while True:
                if retry_at is not None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            released.wait(), timeout=max(0.0, retry_at - time.time())
                        )
                booking = self._ask(host, request)
                if booking.token is not None:
                    return booking
                retry_at = booking.start_at

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = _host(request)
        # A source's deadline (crawler.deadline) bounds the wait for a lane and a slot:
        # a request that could only leave after it is dropped now, not minutes later.
        deadline = request.meta.get(DEADLINE_META)
        booking = self._book_at_once(host, request)
        if booking is None or booking.token is None:
            try:
                booking = await asyncio.wait_for(
                    self._book(host, request, None if booking is None else booking.start_at),
                    timeout=None if deadline is None else max(0.0, deadline - time.time()),
                )
            except TimeoutError:
                raise DeadlinePassed("source deadline passed while waiting for the host") from None
        start_at, token = booking.start_at, booking.token
        assert token is not None  # _book returns only a booking with its token
        self._held.add(token)
        request.meta[LEASE_META] = token
        if deadline is not None and start_at > deadline:
            self._give_back(request)
            raise DeadlinePassed("source deadline passes before the host's next slot")
        wait = start_at - time.time()
        if wait > 0:
            await asyncio.sleep(wait)

    def _give_back(self, request: Request) -> None:
        # Popped, not read: a redirect or retry copies the meta of the request it follows.
        token = request.meta.pop(LEASE_META, None)
        if token is not None and token in self._held:
            self._held.discard(token)
            self._returning.append(token)
            self._schedule_return()
            released = self._released.get(_host(request))
            if released is not None:
                released.set()

    def _schedule_return(self) -> None:
        if self._return_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._return_now()
            return
        self._return_scheduled = True
        loop.call_soon(self._return_later)

    def _return_later(self) -> None:
        try:
            self._return_now()
        except StoreError as exc:
            # Out of any request: the leases lapse by themselves, holding their lanes longer.
            log.warning("politeness bookings not given back (they lapse with their lease): %s", exc)

    def _return_now(self) -> None:
        """Gives back what no booking took along."""
        self._return_scheduled = False
        returning, self._returning = self._returning, []
        if returning:
            self.slots.release(*returning)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        self._give_back(request)
        latency = request.meta.get("download_latency")
        if self.adaptive and latency is not None:
            host = _host(request)
            self._adapted[host] = adapted_interval(
                self._adapted.get(host), float(latency), self.delay, response.status < 400
            )
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._give_back(request)

    def close(self) -> None:
        """Gives back what requests cut short by the end of the crawl still held."""
        self._returning.extend(self._held)
        self._held.clear()
        try:
            self._return_now()
        finally:
            self.slots.close()
