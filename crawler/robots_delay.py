"""Obeys robots.txt ``Crawl-delay``, which Scrapy reads but does not apply.

Once a site's robots.txt is parsed, its crawl-delay (for our user agent) goes with each of
the site's requests (``request.meta[CRAWL_DELAY_META]``), and the host politeness
middleware spaces that host's requests by it, across every crawl.

It also makes a robots.txt that cannot be fetched (refused by the network guard, a dead
host) one counted line: Scrapy logs it as an error with a full traceback, one per site.

A delay longer than ``max_crawl_delay`` (``Crawl-delay: 3600`` once stalled a whole
pass) is not waited out: the site's requests are dropped for this pass, counted once
as a ``crawl_delay_too_long`` error of the source, and the next pass asks again.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from traceur.config import default_settings

log = logging.getLogger(__name__)

CRAWL_DELAY_META = "traceur_crawl_delay"
# Counted apart from the source's errors: the pages are still fetched, and a dead host
# already reports its own error on them.
ROBOTS_UNREACHABLE_STAT = "traceur/robots/unreachable"
_ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class RobotsErrorLine(logging.Filter):
    """Turns Scrapy's "Error downloading <robots.txt>" record into one warning line, without
    the traceback, and counts it for the spider's source (``ROBOTS_UNREACHABLE_STAT``).

    A filter, not a subclass: the record is written inside Scrapy's ``robot_parser``, which
    a subclass could only change by rewriting it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not isinstance(record.args, dict):
            return True
        error = record.exc_info[1]
        spider = getattr(record, "spider", None)
        source = getattr(spider, "source", None)
        crawler = getattr(spider, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(ROBOTS_UNREACHABLE_STAT)
        request = record.args.get("request")
        netloc = urlparse_cached(request).netloc if isinstance(request, Request) else "?"
        reason = " ".join(str(error).split())[:200] or type(error).__name__
        record.msg = (
            "[%s] %s/robots.txt: not fetched (%s: %s); the site is crawled as if it had none"
        )
        record.args = (getattr(source, "id", "?"), netloc, type(error).__name__, reason)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True


def install_robots_error_line() -> None:
    """Add ``RobotsErrorLine`` to Scrapy's robots.txt logger, once per process."""
    logger = logging.getLogger(_ROBOTS_LOGGER)
    if not any(isinstance(f, RobotsErrorLine) for f in logger.filters):
        logger.addFilter(RobotsErrorLine())


class CrawlDelayTooLong(IgnoreRequest):
    """A request to a site whose robots.txt asks for more than max_crawl_delay."""


class CrawlDelayMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT", "")
        # netloc → crawl-delay in seconds (None: robots.txt sets none).
        self.delays: dict[str, float | None] = {}
        self.max_delay = crawler.settings.getfloat(
            "TRACEUR_MAX_CRAWL_DELAY", default_settings().max_crawl_delay
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlDelayMiddleware:
        install_robots_error_line()
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
        if delay and self.max_delay and delay > self.max_delay:
            self.crawler.stats.inc_value("traceur/errors/crawl_delay_too_long")
            log.warning(
                "%s: robots.txt asks for %ss between requests, more than max_crawl_delay"
                " (%ss); the site is skipped for this pass",
                netloc,
                delay,
                self.max_delay,
            )
        elif delay:
            log.info("%s: robots.txt asks for %ss between requests; obeyed", netloc, delay)
        return delay

    def process_request(self, request: Request, spider: Any = None) -> None:
        netloc = urlparse_cached(request).netloc
        delay = self._delay_for(netloc)
        if delay and self.max_delay and delay > self.max_delay:
            raise CrawlDelayTooLong(f"{netloc}: Crawl-delay {delay}s over max_crawl_delay")
        # Set or removed every time: a redirect to another site copies the meta.
        if delay:
            request.meta[CRAWL_DELAY_META] = float(delay)
        else:
            request.meta.pop(CRAWL_DELAY_META, None)
