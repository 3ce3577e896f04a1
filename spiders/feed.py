"""RSS and Atom feeds: new entries only, each fetched as a page.

A feed is screened (``traceur.parse.feedscreen``: elements, attributes, depth) and read
by feedparser in a worker thread, with a deadline of ``FEED_PARSE_SECONDS``. A thread,
not a process: the screen bounds what feedparser can be made to do, so the thread always
ends soon; a process per feed would cost a Python start-up and tens of megabytes on every
poll of every feed. The thread keeps the reactor serving the other sources meanwhile, and
the deadline stops the crawl waiting on a feed that is slow all the same (the abandoned
thread's answer is dropped when it comes).
"""

from __future__ import annotations

import asyncio
import calendar
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
import scrapy
from scrapy.http import Response

from spiders.base import SourceSpider
from traceur.parse.articles import FeedEntry
from traceur.parse.dates import parse_feed_date
from traceur.parse.feedscreen import feed_problem
from traceur.urls import canonical_url

# Seconds feedparser may take over one (screened) feed; a sane one takes milliseconds.
FEED_PARSE_SECONDS = 30.0


class HostileFeed(Exception):
    """The feed failed the screen; the message says why."""


def _read_feed(body: bytes, url: str) -> Any:
    """Screen then parse (run in a worker thread)."""
    problem = feed_problem(body)
    if problem is not None:
        raise HostileFeed(problem)
    # feedparser gets bytes, never a string it could take for a URL or a path.
    return feedparser.parse(body, response_headers={"content-location": url})


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    # A date feedparser could not read: French day and month names, a printed date.
    for key in ("published", "updated", "created"):
        found = parse_feed_date(entry.get(key))
        if found is not None:
            return found
    return None


class FeedSpider(SourceSpider):
    """Polls one feed; entries already collected (by id or link) are not fetched again.

    An entry counts as collected once its page is stored, so an entry whose page failed
    is tried again on the next pass.

        scrapy crawl feed -a source=quotidien-politique
    """

    name = "feed"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(
            self.source.url, callback=self.parse_feed, errback=self.on_error, dont_filter=True
        )

    feed_parse_seconds = FEED_PARSE_SECONDS

    async def parse_feed(self, response: Response) -> AsyncIterator[scrapy.Request]:
        try:
            parsed = await asyncio.wait_for(
                asyncio.to_thread(_read_feed, response.body, response.url),
                timeout=self.feed_parse_seconds,
            )
        except HostileFeed as exc:
            self.count_error("hostile_feed", response.url, f"feed refused unread: {exc}")
            return
        except TimeoutError:
            self.count_error(
                "feed_timeout",
                response.url,
                f"feed not read within {self.feed_parse_seconds:.0f}s; left for this pass",
            )
            return
        for request in self._entry_requests(response, parsed):
            yield request

    def _entry_requests(self, response: Response, parsed: Any) -> Iterator[scrapy.Request]:
        if parsed.bozo and not parsed.entries:
            reason = getattr(parsed, "bozo_exception", "unreadable")
            self.count_error(
                "malformed_feed", response.url, f"not a readable RSS/Atom feed: {reason}"
            )
            return
        if parsed.bozo:
            self.logger.info(
                "[%s] feed %s has errors (%s); using the %d entries read",
                self.source.id,
                response.url,
                str(parsed.bozo_exception)[:300],
                len(parsed.entries),
            )
        entries: dict[str, tuple[str, FeedEntry]] = {}
        for item in parsed.entries:
            link = item.get("link") or ""
            if not link:
                continue
            link = response.urljoin(link)
            key = str(item.get("id") or canonical_url(link))
            entries.setdefault(
                key,
                (
                    link,
                    FeedEntry(
                        key=key,
                        title=item.get("title", ""),
                        author=item.get("author"),
                        published_at=_entry_time(item),
                        summary=item.get("summary", ""),
                    ),
                ),
            )
        self.crawler.stats.inc_value("traceur/feed/entries", len(entries))
        entries = {k: v for k, v in entries.items() if not self.too_old(v[1].published_at)}
        fresh = self.crawl_state.unseen(self.source.id, list(entries))
        self.crawler.stats.inc_value("traceur/feed/entries_new", len(fresh))
        limit = self.source.limits.max_entries
        for key in fresh[:limit] if limit else fresh:
            link, entry = entries[key]
            # Entry pages count against the source's page budget, as every request does.
            request = self.budget_request(link, self.parse_entry, entry=entry.to_dict())
            if request is not None:
                yield request

    def parse_entry(self, response: Response, entry: dict[str, Any]) -> Iterator[Any]:
        item = self.page_item(response, entry)
        if item is not None:
            yield item
            # A news article's reader comments are documents of their own, whichever
            # collector found the article.
            yield from self.comment_items(response, item.html)
