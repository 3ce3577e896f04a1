"""What every Traceur spider shares: its watchlist source and error accounting."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from datetime import datetime, timezone
from typing import Any

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError, ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError,
)
from twisted.python.failure import Failure

from crawler import resolver, runtime
from crawler.httpcache import not_modified
from traceur.state import CrawlState
from traceur.urls import canonical_url
from traceur.charset import decode_html, looks_binary
from traceur.watchlist import Source, load_watchlist

from .items import PageItem

log = logging.getLogger(__name__)


def error_kind(failure: Failure) -> str:
    """A short, stable name for what went wrong, for the run summary."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    name = type(failure.value).__name__
    # Scrapy ≥ 2.13 wraps Twisted's errors in its own (CannotResolveHostError, ...).
    if failure.check(DNSLookupError) or name == "CannotResolveHostError":
        request = getattr(failure, "request", None)
        host = (urlsplit(request.url).hostname or "") if request is not None else ""
        return "forbidden_network" if host.lower() in resolver.refused_hosts else "dns"
    if failure.check(ConnectionRefusedError) or name == "DownloadConnectionRefusedError":
        return "connection_refused"
    if failure.check(TimeoutError, TCPTimedOutError) or name == "DownloadTimeoutError":
        return "timeout"
    if failure.check(ConnectError) or name in ("DownloadFailedError", "ResponseDataLossError"):
        return "connection"
    if name == "ForbiddenNetwork":
        return "forbidden_network"
    message = str(failure.value).lower()
    if "max size" in message or "maxsize" in message:
        return "too_large"
    if "max redirections" in message:
        return "redirect_loop"
    if name == "IgnoreRequest" and "robots" in str(failure.value).lower():
        return "robots"
    if name == "IgnoreRequest":
        return "ignored"
    return name.lower()


class SourceSpider(scrapy.Spider):
    """A spider bound to one watchlist source.

    ``source`` is a ``Source`` (from ``traceur run``) or a source id, looked up in the
    watchlist of the ``watchlist`` argument or the TRACEUR_WATCHLIST setting (from
    ``scrapy crawl feed -a source=le-quotidien``).
    """

    source: Source

    def __init__(self, source: Source | str | None = None, watchlist: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source_arg = source
        self._watchlist_arg = watchlist
        self._runtime: runtime.Runtime | None = None
        self.requested = 0
        self._requested_urls: set[str] = set()

    @property
    def crawl_state(self) -> CrawlState:
        """What earlier passes remembered (seen entries, thread progress)."""
        if self._runtime is None:
            self._runtime = runtime.acquire(self.crawler.settings)
            self.crawler.signals.connect(self._release_runtime, signal=signals.spider_closed)
        return self._runtime.state

    def _release_runtime(self, spider: Any = None) -> None:
        if self._runtime is not None:
            runtime.release(self.crawler.settings)
            self._runtime = None

    @property
    def max_pages(self) -> int:
        return self.source.limits.max_pages or self.crawler.settings.getint("TRACEUR_MAX_PAGES", 200)

    @property
    def max_depth(self) -> int:
        return self.source.limits.max_depth or self.crawler.settings.getint("TRACEUR_MAX_DEPTH", 2)

    def budget_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request | None:
        """A request counted against the source's page budget, once per canonical URL."""
        key = canonical_url(url)
        if key in self._requested_urls:
            return None
        if self.requested >= self.max_pages:
            self.crawler.stats.inc_value("traceur/site/page_limit_reached")
            return None
        self.requested += 1
        self._requested_urls.add(key)
        # The spider dedups by canonical URL itself; leaving Scrapy's dupefilter out lets a
        # redirect loop run into the redirect limit and be reported, not vanish silently.
        return scrapy.Request(url, callback=callback, errback=self.on_error, cb_kwargs=cb_kwargs, dont_filter=True)

    def record_item(self, response: Response, record: Any, context: Any, kind: str) -> PageItem:
        """A parsed record (forum post, blog post or comment, video) for the pipelines."""
        return PageItem(
            url=getattr(record, "url", response.url),
            source_id=self.source.id,
            kind=kind,
            fetched_at=datetime.now(timezone.utc).isoformat(),
            record=record,
            context=context,
            not_modified=not_modified(response),
        )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        source = spider._source_arg
        if source is None:
            raise ValueError(f"spider {cls.name!r} needs a source: scrapy crawl {cls.name} -a source=SOURCE_ID")
        if isinstance(source, str):
            path = spider._watchlist_arg or crawler.settings.get("TRACEUR_WATCHLIST")
            source = load_watchlist(path).source(source)
        spider.source = source
        return spider

    def page_text(self, response: Response) -> str | None:
        """The page decoded right (whatever charset it claims), or None for a non-text
        page, which is counted and logged."""
        if not isinstance(response, TextResponse) or looks_binary(response.body):
            content_type = response.headers.get("Content-Type", b"?").decode("latin-1")
            self.count_error("not_text", response.url, f"not a text page (served as {content_type})")
            return None
        declared = response.headers.get("Content-Type", b"").decode("latin-1")
        charset = declared.split("charset=", 1)[1].strip() if "charset=" in declared else None
        text, _ = decode_html(response.body, charset)
        return text

    def page_item(self, response: Response, entry: dict[str, Any] | None = None) -> PageItem | None:
        html = self.page_text(response)
        if html is None:
            return None
        return PageItem(
            url=response.url,
            source_id=self.source.id,
            kind=self.source.document_kind,
            html=html,
            fetched_at=datetime.now(timezone.utc).isoformat(),
            entry=entry,
        )

    def count_error(self, kind: str, url: str, message: str) -> None:
        self.crawler.stats.inc_value(f"traceur/errors/{kind}")
        self.logger.warning("[%s] %s: %s", self.source.id, url[:200], message)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        kind = error_kind(failure)
        if kind == "robots":
            # Obeying robots.txt is the plan, not a failure.
            self.crawler.stats.inc_value("traceur/skipped/robots")
            self.logger.info("[%s] %s: skipped, forbidden by robots.txt", self.source.id, url[:200])
            return
        self.count_error(kind, url, failure.getErrorMessage() or kind)
