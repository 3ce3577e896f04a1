"""A source's deadline within a pass (``source_deadline``).

Scrapy's ``CLOSESPIDER_TIMEOUT`` starts closing the source's crawler on time, but a
close lets every request already handed to the downloader run: behind a slow host's
politeness waits, that was minutes more. This middleware, first of the downloader's,
stamps each request with the time its source must be done (``DEADLINE_META``, wall
clock, as the politeness slots are); the host politeness middleware drops a request
that would wait past it, and whatever is still to be sent afterwards is refused here.
A source that ran out of time stops within one download.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from traceur.config import default_settings

DEADLINE_META = "traceur_deadline"


class DeadlinePassed(IgnoreRequest):
    """A request left unsent because its source ran out of time in this pass."""


class SourceDeadlineMiddleware:
    def __init__(self, seconds: float, stats: Any = None) -> None:
        self.seconds = seconds
        self.stats = stats
        self.ends_at = time.time() + seconds if seconds else None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceDeadlineMiddleware:
        seconds = crawler.settings.getfloat(
            "CLOSESPIDER_TIMEOUT", default_settings().source_deadline
        )
        return cls(seconds, crawler.stats)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.ends_at is None:
            return
        if time.time() > self.ends_at:
            if self.stats is not None:
                self.stats.inc_value("traceur/skipped/deadline")
            raise DeadlinePassed(f"source deadline of {self.seconds:.0f}s passed")
        request.meta[DEADLINE_META] = self.ends_at
