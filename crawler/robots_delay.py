"""Obeys robots.txt ``Crawl-delay``, which Scrapy reads but does not apply.

Once a site's robots.txt is parsed, its crawl-delay (for our user agent) becomes the
minimum delay of that site's download slot.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)


class CrawlDelayMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT", "")
        # netloc → crawl-delay in seconds (None: robots.txt sets none).
        self.delays: dict[str, float | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlDelayMiddleware:
        return cls(crawler)

    def _robots(self) -> RobotsTxtMiddleware | None:
        for middleware in self.crawler.engine.downloader.middleware.middlewares:
            if isinstance(middleware, RobotsTxtMiddleware):
                return middleware
        return None

    def _delay_for(self, netloc: str) -> float | None:
        if netloc in self.delays:
            return self.delays[netloc]
        robots = self._robots()
        parser = robots._parsers.get(netloc) if robots is not None else None  # noqa: SLF001
        if parser is None or not hasattr(parser, "crawl_delay"):
            return None  # robots.txt not parsed yet: ask again on the next request
        delay = parser.crawl_delay(self.user_agent)
        self.delays[netloc] = delay
        if delay:
            log.info("%s: robots.txt asks for %ss between requests; obeyed", netloc, delay)
        return delay

    def process_request(self, request: Request, spider: Any = None) -> None:
        delay = self._delay_for(urlparse_cached(request).netloc)
        if not delay:
            return
        # AutoThrottle would lower the delay again when the site answers fast.
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and (slot.delay < delay or getattr(slot, "jitter", 0)):
            slot.delay = max(slot.delay, delay)
            # Jitter would shorten some gaps below what the site asked for.
            if hasattr(slot, "jitter"):
                slot.jitter = 0.0
