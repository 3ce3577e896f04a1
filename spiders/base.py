"""What every Traceur spider shares: its watchlist source and error accounting."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from datetime import datetime, timezone
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError, ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError,
)
from twisted.python.failure import Failure

from crawler import resolver
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
