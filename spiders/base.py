"""What every Traceur spider shares: its watchlist source and error accounting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from lxml.html import HtmlElement
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawler import resolver
from crawler.httpcache import not_modified
from crawler.items import PageItem
from crawler.redirect import RedirectLoop
from traceur.config import default_settings
from traceur.orchestra.state import CrawlState, CrawlStateStore
from traceur.parse.charset import decode_html, looks_binary
from traceur.parse.comments import PageComments, parse_article_comments
from traceur.parse.records import (
    BlogPostRecord,
    CommentRecord,
    ForumPostRecord,
    Record,
    VideoRecord,
)
from traceur.parse.sitemaps import Sitemap, SitemapError, parse_sitemap
from traceur.privacy.retention import parse_policy
from traceur.urls import canonical_url
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import DOCUMENT_KIND_BY_SOURCE, Source

log = logging.getLogger(__name__)

RECORD_KINDS: dict[type[Record], str] = {
    ForumPostRecord: "forum_post",
    BlogPostRecord: "blog_post",
    CommentRecord: "comment",
    VideoRecord: "video",
}


def error_kind(failure: Failure) -> str:
    """A short, stable name for what went wrong, for the run summary."""
    value = failure.value
    if isinstance(value, HttpError):
        return f"http_{value.response.status}"
    name = type(value).__name__
    # Scrapy ≥ 2.13 wraps Twisted's errors in its own (CannotResolveHostError, ...).
    if isinstance(value, DNSLookupError) or name == "CannotResolveHostError":
        request = getattr(failure, "request", None)
        host = (urlsplit(request.url).hostname or "") if request is not None else ""
        return "forbidden_network" if host.lower() in resolver.refused_hosts else "dns"
    if isinstance(value, ConnectionRefusedError) or name == "DownloadConnectionRefusedError":
        return "connection_refused"
    if isinstance(value, (TimeoutError, TCPTimedOutError)) or name == "DownloadTimeoutError":
        return "timeout"
    if isinstance(value, ConnectError) or name in ("DownloadFailedError", "ResponseDataLossError"):
        return "connection"
    if isinstance(value, RedirectLoop):
        return "redirect_loop"
    if name == "ForbiddenNetwork":
        return "forbidden_network"
    message = str(value).lower()
    if "max size" in message or "maxsize" in message:
        return "too_large"
    if "max redirections" in message:
        return "too_many_redirects"
    if name == "IgnoreRequest" and "robots" in message:
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

    def __init__(
        self,
        source: Source | str | None = None,
        watchlist: str | None = None,
        crawl_state: CrawlStateStore | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._source_arg = source
        self._watchlist_arg = watchlist
        # What earlier passes remembered (seen entries, thread progress). The crawl process
        # hands one over, shared by every crawler of the pass; a bare `scrapy crawl` opens
        # its own from the settings' data directory (see from_crawler).
        self._crawl_state = crawl_state
        self._own_state = False
        self.requested = 0
        self._requested_urls: set[str] = set()
        self._retained_since: datetime | None = None

    @property
    def max_pages(self) -> int:
        return self.source.limits.max_pages or self.crawler.settings.getint(
            "TRACEUR_MAX_PAGES", default_settings().max_pages
        )

    @property
    def max_depth(self) -> int:
        return self.source.limits.max_depth or self.crawler.settings.getint(
            "TRACEUR_MAX_DEPTH", default_settings().max_depth
        )

    def spend_budget(self) -> bool:
        """Count one more request against the source's page budget; False once spent."""
        if self.requested >= self.max_pages:
            self.crawler.stats.inc_value("traceur/site/page_limit_reached")
            return False
        self.requested += 1
        return True

    def budget_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request | None:
        """A request counted against the source's page budget, once per canonical URL."""
        key = canonical_url(url)
        if key in self._requested_urls or not self.spend_budget():
            return None
        self._requested_urls.add(key)
        # The spider dedups by canonical URL itself; leaving Scrapy's dupefilter out lets a
        # redirect loop run into the redirect limit and be reported, not vanish silently.
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, cb_kwargs=cb_kwargs, dont_filter=True
        )

    def read_sitemap(self, response: Response) -> Sitemap | None:
        """The response as a sitemap, read within the work budget (at most max_page_bytes
        once decompressed, max_sitemap_entries entries); None, counted, when it is none."""
        settings = self.crawler.settings
        defaults = default_settings()
        try:
            sitemap = parse_sitemap(
                response.body,
                max_bytes=settings.getint("DOWNLOAD_MAXSIZE", defaults.max_page_bytes),
                max_entries=settings.getint(
                    "TRACEUR_MAX_SITEMAP_ENTRIES", defaults.max_sitemap_entries
                ),
            )
        except SitemapError as exc:
            kind = "too_large" if "larger than" in str(exc) else "malformed_sitemap"
            self.count_error(kind, response.url, str(exc))
            return None
        if sitemap.capped:
            self.count_error(
                "sitemap_capped",
                response.url,
                f"only the first {len(sitemap.entries)} entries read (max_sitemap_entries)",
            )
        return sitemap

    def record_item(self, response: Response, record: Record) -> PageItem:
        """A parsed record (forum post, blog post or comment, video) for the pipelines."""
        return PageItem(
            url=record.url,
            source_id=self.source.id,
            kind=RECORD_KINDS[type(record)],
            fetched_at=datetime.now(UTC).isoformat(),
            record=record,
            not_modified=not_modified(response),
        )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        source = spider._source_arg
        if source is None:
            raise ValueError(
                f"spider {cls.name!r} needs a source: scrapy crawl {cls.name} -a source=SOURCE_ID"
            )
        if isinstance(source, str):
            path = spider._watchlist_arg or crawler.settings.get("TRACEUR_WATCHLIST")
            source = load_watchlist(path).source(source)
        spider.source = source
        if spider._crawl_state is None:
            spider._crawl_state = CrawlState.in_data_dir(
                Path(crawler.settings.get("TRACEUR_DATA_DIR") or default_settings().data_dir)
            )
            spider._own_state = True
            crawler.signals.connect(spider._close_own_state, signal=signals.spider_closed)
        return spider

    @property
    def crawl_state(self) -> CrawlStateStore:
        """What earlier passes remembered (seen entries, thread progress)."""
        if self._crawl_state is None:
            raise RuntimeError(
                f"spider {self.name!r} used before from_crawler gave it its crawl state"
            )
        return self._crawl_state

    def _close_own_state(self) -> None:
        if self._own_state and self._crawl_state is not None:
            self._crawl_state.close()

    def page_text(self, response: Response) -> str | None:
        """The page decoded right (whatever charset it claims), or None for a non-text
        page, which is counted and logged."""
        if not isinstance(response, TextResponse) or looks_binary(response.body):
            content_type = (response.headers.get("Content-Type") or b"?").decode("latin-1")
            self.count_error(
                "not_text", response.url, f"not a text page (served as {content_type})"
            )
            return None
        declared = (response.headers.get("Content-Type") or b"").decode("latin-1")
        charset = declared.split("charset=", 1)[1].strip() if "charset=" in declared else None
        text, _ = decode_html(response.body, charset)
        return text

    def page_item(
        self, response: Response, entry: dict[str, Any] | None = None, html: str | None = None
    ) -> PageItem | None:
        """The page for extraction; ``html``: the page already decoded by the caller."""
        html = html if html is not None else self.page_text(response)
        if html is None:
            return None
        return PageItem(
            url=response.url,
            source_id=self.source.id,
            kind=self.source.document_kind,
            html=html,
            fetched_at=datetime.now(UTC).isoformat(),
            entry=entry,
        )

    def comment_items(self, response: Response, page: str | HtmlElement) -> Iterator[PageItem]:
        """One record per reader comment under the article of ``page`` (its HTML or its
        parsed tree), linked to the page's own URL, as the article's document is."""
        yield from self.comment_records(response, parse_article_comments(page, response.url))

    def comment_records(self, response: Response, found: PageComments) -> Iterator[PageItem]:
        """One record per comment of ``found`` (the comments read out of ``response``)."""
        for position, comment in enumerate(found.comments, 1):
            yield self.record_item(response, CommentRecord(comment, found.title, position))

    def too_old(self, published_at: datetime | None) -> bool:
        """Whether an entry (of a feed or sitemap) dated ``published_at`` is already past its
        kind's retention period: collected, it would be kept for a new period from today,
        so an old page `traceur purge` removed would come back at every pass. Counted as
        ``traceur/privacy/too_old``. An undated entry is collected (its page may say more)."""
        if published_at is None:
            return False
        if self._retained_since is None:
            policy = parse_policy(
                self.crawler.settings.get("TRACEUR_RETENTION") or "",
                default_settings().retention,
                from_env=True,
            )
            kind = DOCUMENT_KIND_BY_SOURCE.get(self.source.kind, "article")
            self._retained_since = policy.for_kind(kind).cutoff(datetime.now(UTC))
        if published_at >= self._retained_since:
            return False
        self.crawler.stats.inc_value("traceur/privacy/too_old")
        return True

    def count_error(self, kind: str, url: str, message: str) -> None:
        self.crawler.stats.inc_value(f"traceur/errors/{kind}")
        self.logger.warning("[%s] %s: %s", self.source.id, url[:200], message)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        kind = error_kind(failure)
        if kind in ("crawldelaytoolong", "deadlinepassed"):
            # Counted once, as crawl_delay_too_long by the middleware that refused the
            # site, or as the source's deadline in the run summary.
            return
        if kind == "robots":
            # Obeying robots.txt is the plan, not a failure.
            self.crawler.stats.inc_value("traceur/skipped/robots")
            self.logger.info("[%s] %s: skipped, forbidden by robots.txt", self.source.id, url[:200])
            return
        if kind == "redirect_loop" and request is not None:
            # A link to another page of the loop would only run it again.
            chain = [*request.meta.get("redirect_urls", []), request.url]
            self._requested_urls.update(canonical_url(hop) for hop in chain)
        self.count_error(kind, url, failure.getErrorMessage() or kind)
