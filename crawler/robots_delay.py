"""Obeys robots.txt ``Crawl-delay``, which Scrapy reads but does not apply.

Once a site's robots.txt is parsed, its crawl-delay (for our user agent) goes with each of
the site's requests (``request.meta[CRAWL_DELAY_META]``), and the host politeness
middleware spaces that host's requests by it, across every crawl.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)

CRAWL_DELAY_META = "traceur_crawl_delay"


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
        # Set or removed every time: a redirect to another site copies the meta.
        if delay:
            request.meta[CRAWL_DELAY_META] = float(delay)
        else:
            request.meta.pop(CRAWL_DELAY_META, None)
