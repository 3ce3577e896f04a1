"""Running one collection pass: every enabled source of a watchlist (or some of them), in
one crawl child (``traceur.orchestra.launch``), waited for to the end.

A SIGTERM, SIGINT or SIGHUP received while the pass runs (from the main thread) is
forwarded to the crawl: the first one as SIGTERM (Scrapy's graceful stop, current items
are finished), a second one, or ``crawl_stop_timeout`` later, as SIGKILL. The crawl runs
in its own session then, so a Ctrl-C in the terminal reaches it once, through us, and
not twice (Scrapy takes a second Ctrl-C as "kill now"). The pass then returns what the
crawl reported, marked ``interrupted_by``, instead of the launcher dying with its child
running on and its temporary directory left behind.

A pass may also be given a ``guard`` (the Redis leases of its sources, with a work
queue): when it says the pass must stop, the crawl gets the same SIGTERM, and SIGKILL if
it still runs when the guard's time is up (the leases' end, after which another machine
may collect the sources), so two crawls never write one source's state at once. Killed,
a crawl leaves no half-written item: each store write is one transaction, each crawl
state write one Redis command.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import FrameType
from typing import Protocol

from traceur.config import Settings
from traceur.errors import CrawlError
from traceur.orchestra.launch import CrawlLaunch, PassSummary, launch_crawl

log = logging.getLogger("traceur.runs")

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# What ``interrupted_by`` says when the guard stopped the pass (not a signal's name).
LOST_LEASE = "lost lease"
# Seconds before the guard's time is up by which a crawl still running is killed, and
# between two looks at the crawl and the guard while one is given.
_KILL_MARGIN = 0.5
_GUARD_POLL = 0.2


class PassGuard(Protocol):
    """What a pass must stop for before its end (``Renewer`` of the sources' leases)."""

    def must_stop(self) -> str:
        """Why the pass must stop now, or ""."""
        ...

    @property
    def stopped_by(self) -> float:
        """When (``time.monotonic``) the crawl must be gone once stopping."""
        ...


def _wait_stopping(
    crawl: CrawlLaunch, stop_timeout: float, forwarding: bool, guard: PassGuard | None
) -> tuple[int, str | None]:
    """Wait for the crawl, forwarding stop signals to it (``forwarding``) and stopping it
    when ``guard`` says so: (exit code, the first signal's name or ``LOST_LEASE``, or None)."""
    received: list[str] = []
    first_at = 0.0
    kill_at = float("inf")

    def stop(reason: str, again: bool) -> None:
        nonlocal first_at, kill_at
        received.append(reason)
        if len(received) == 1:
            first_at = time.monotonic()
            kill_at = first_at + stop_timeout
        with contextlib.suppress(ProcessLookupError):
            crawl.child.send_signal(signal.SIGKILL if again else signal.SIGTERM)

    def forward(signum: int, frame: FrameType | None) -> None:
        stop(signal.Signals(signum).name, again=bool(received))

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS} if forwarding else {}
    guarded = guard is not None
    try:
        while True:
            try:
                code = crawl.wait(timeout=_GUARD_POLL if guarded else 0.5)
                return code, (received[0] if received else None)
            except subprocess.TimeoutExpired:
                pass
            why = guard.must_stop() if guard is not None else ""
            if guard is not None and why:
                log.error("stopping the crawl: %s; its runs are recorded as interrupted", why)
                if not received:  # else a signal is already stopping it, and names the stop
                    stop(LOST_LEASE, again=False)
                kill_at = min(kill_at, guard.stopped_by - _KILL_MARGIN)
                guard, guarded = None, False  # stopped once; the deadline does the rest
            if received and time.monotonic() >= kill_at:
                with contextlib.suppress(ProcessLookupError):
                    crawl.child.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_pass(
    settings: Settings,
    watchlist: Path,
    source_ids: list[str] | None = None,
    quiet: bool = False,
    pass_fds: Iterable[int] = (),
    guard: PassGuard | None = None,
) -> PassSummary:
    """Run one pass over ``watchlist``'s sources (or ``source_ids``) and return its summary.

    Progress lines go to standard error unless ``quiet``. ``pass_fds``: descriptors the
    crawl inherits (its source locks). When a stop signal arrived (main thread only), the
    summary has ``interrupted_by`` set, and no source when the crawl wrote none; so it has
    when ``guard`` stopped the crawl (``LOST_LEASE``).
    """
    forwarding = threading.current_thread() is threading.main_thread()
    crawl = launch_crawl(
        settings,
        watchlist,
        source_ids or [],
        quiet=quiet,
        prefix="traceur-pass-",
        new_session=forwarding,
        pass_fds=pass_fds,
    )
    with crawl:
        if forwarding or guard is not None:
            code, received = _wait_stopping(crawl, settings.crawl_stop_timeout, forwarding, guard)
        else:
            code, received = crawl.wait(), None
        summary = None
        if code == 0:
            try:
                summary = crawl.summary()
            except (ValueError, KeyError, TypeError):
                if received is None:
                    raise
                # A crawl stopped while writing it: the run history counts from the store.
        if received is not None:
            summary = summary or PassSummary(sources={}, seconds=crawl.seconds or 0.0)
            summary.interrupted_by = received
            return summary
        if summary is None:
            detail = crawl.stderr_tail(2000) if quiet else "see the messages above"
            raise CrawlError(f"the collection pass failed (exit code {code}): {detail}")
    return summary
