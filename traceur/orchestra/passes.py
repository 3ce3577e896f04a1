"""Running one collection pass: every enabled source of a watchlist (or some of them), in
one crawl child (``traceur.orchestra.launch``), waited for to the end.

A SIGTERM, SIGINT or SIGHUP received while the pass runs (from the main thread) is
forwarded to the crawl: the first one as SIGTERM (Scrapy's graceful stop, current items
are finished), a second one, or ``crawl_stop_timeout`` later, as SIGKILL. The crawl runs
in its own session then, so a Ctrl-C in the terminal reaches it once, through us, and
not twice (Scrapy takes a second Ctrl-C as "kill now"). The pass then returns what the
crawl reported, marked ``interrupted_by``, instead of the launcher dying with its child
running on and its temporary directory left behind.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import FrameType

from traceur.config import Settings
from traceur.errors import CrawlError
from traceur.orchestra.launch import CrawlLaunch, PassSummary, launch_crawl

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _wait_forwarding(crawl: CrawlLaunch, stop_timeout: float) -> tuple[int, int | None]:
    """Wait for the crawl, forwarding stop signals to it: (exit code, first signal or None)."""
    received: list[int] = []
    first_at = 0.0

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal first_at
        received.append(signum)
        if len(received) == 1:
            first_at = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            crawl.child.send_signal(signal.SIGTERM if len(received) == 1 else signal.SIGKILL)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    try:
        while True:
            try:
                return crawl.wait(timeout=0.5), (received[0] if received else None)
            except subprocess.TimeoutExpired:
                pass
            if received and time.monotonic() - first_at > stop_timeout:
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
) -> PassSummary:
    """Run one pass over ``watchlist``'s sources (or ``source_ids``) and return its summary.

    Progress lines go to standard error unless ``quiet``. ``pass_fds``: descriptors the
    crawl inherits (its source locks). When a stop signal arrived (main thread only), the
    summary has ``interrupted_by`` set, and no source when the crawl wrote none.
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
        if forwarding:
            code, received = _wait_forwarding(crawl, settings.crawl_stop_timeout)
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
            summary.interrupted_by = signal.Signals(received).name
            return summary
        if summary is None:
            detail = crawl.stderr_tail(2000) if quiet else "see the messages above"
            raise CrawlError(f"the collection pass failed (exit code {code}): {detail}")
    return summary
