"""RSS and Atom feeds: new entries only, each fetched as a page."""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
import scrapy
from scrapy.http import Response

from spiders.base import SourceSpider
from traceur.parse.articles import FeedEntry
from traceur.urls import canonical_url


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
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

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        # feedparser gets bytes, never a string it could take for a URL or a path.
        parsed = feedparser.parse(
            response.body, response_headers={"content-location": response.url}
        )
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
                parsed.bozo_exception,
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
        fresh = self.crawl_state.unseen(self.source.id, list(entries))
        self.crawler.stats.inc_value("traceur/feed/entries", len(entries))
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
