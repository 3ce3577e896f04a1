"""News sitemaps: recent, unseen URLs only, each fetched as an article.

scrapy crawl sitemap -a source=gazette-sitemap
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import SourceSpider
from traceur.parse.articles import FeedEntry
from traceur.parse.sitemaps import MAX_INDEX_DEPTH
from traceur.urls import canonical_url, same_site

DEFAULT_MAX_AGE = timedelta(days=2)


class SitemapSpider(SourceSpider):
    """Reads a sitemap or sitemap index (gzipped or not) and fetches the pages published
    within the source's ``max_age`` (2 days by default) that were not collected before.
    An entry without any date is fetched once. Sitemap indexes are followed, skipping
    child sitemaps last modified before the window."""

    name = "sitemap"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(
            self.source.url,
            callback=self.parse_sitemap,
            errback=self.on_error,
            dont_filter=True,
            cb_kwargs={"depth": 0},
        )

    @property
    def oldest(self) -> datetime:
        age = timedelta(seconds=self.source.max_age) if self.source.max_age else DEFAULT_MAX_AGE
        return datetime.now(UTC) - age

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        sitemap = self.read_sitemap(response)
        if sitemap is None:
            return
        oldest = self.oldest
        recent = [
            entry
            for entry in sitemap.entries
            if same_site(entry.loc, self.source.url)
            and (entry.published_at is None or entry.published_at >= oldest)
        ]
        self.crawler.stats.inc_value("traceur/sitemap/entries", len(sitemap.entries))
        self.crawler.stats.inc_value("traceur/sitemap/entries_recent", len(recent))
        if sitemap.kind == "sitemapindex":
            if depth >= MAX_INDEX_DEPTH:
                self.count_error(
                    "sitemap_too_deep",
                    response.url,
                    "sitemap indexes nested too deep; not followed",
                )
                return
            for entry in recent:
                # Child sitemaps count against the source's page budget, as pages do.
                child = self.budget_request(entry.loc, self.parse_sitemap, depth=depth + 1)
                if child is not None:
                    yield child
            return
        # A child sitemap's date says when it changed, not how old its pages are: only
        # pages are judged by retention.
        keys = {
            canonical_url(entry.loc): entry
            for entry in recent
            if not self.too_old(entry.published_at)
        }
        fresh = self.crawl_state.unseen(self.source.id, list(keys))
        limit = self.source.limits.max_entries
        for key in fresh[:limit] if limit else fresh:
            entry = keys[key]
            meta = FeedEntry(key=key, title=entry.title or "", published_at=entry.published_at)
            request = self.budget_request(entry.loc, self.parse_page, entry=meta.to_dict())
            if request is not None:
                yield request

    def parse_page(self, response: Response, entry: dict[str, Any]) -> Iterator[Any]:
        item = self.page_item(response, entry)
        if item is not None:
            yield item
            # A news article's reader comments are documents of their own, whichever
            # collector found the article.
            yield from self.comment_items(response, item.html)
