"""Generic site crawl: start URL (and optional sitemap), same-site links, depth and page limits.

Also serves forum, blog and sitemap sources until their dedicated spiders exist; the
source's kind sets the document kind.
"""

from __future__ import annotations

import re
from typing import Any, AsyncIterator, Iterator

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap

from crawler.httpcache import not_modified
from traceur.urls import canonical_url, domain_of

from .base import SourceSpider


class SiteSpider(SourceSpider):
    """Crawls one site from the source URL, following links on the same site.

    Pages whose URL matches the source's ``match`` regex (every page when unset) become
    documents; links are followed when they match ``follow`` (every same-site link when
    unset), up to ``limits.max_depth`` clicks and ``limits.max_pages`` requests.

        scrapy crawl site -a source=carnet-de-lucie
    """

    name = "site"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested = 0
        self._requested_urls: set[str] = set()

    @property
    def max_pages(self) -> int:
        return self.source.limits.max_pages or self.crawler.settings.getint("TRACEUR_MAX_PAGES", 200)

    @property
    def max_depth(self) -> int:
        return self.source.limits.max_depth or self.crawler.settings.getint("TRACEUR_MAX_DEPTH", 2)

    def _links(self) -> LinkExtractor:
        return LinkExtractor(
            allow=(self.source.follow,) if self.source.follow else (),
            allow_domains=(domain_of(self.source.url),),
            deny_extensions=None,
            unique=True,
        )

    def _request(self, url: str, depth: int) -> scrapy.Request | None:
        # Counted once per URL: pages that link to each other must not eat the budget.
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
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error, cb_kwargs={"depth": depth}, dont_filter=True)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        first = self._request(self.source.url, 0)
        if first is not None:
            yield first
        if self.source.sitemap:
            yield scrapy.Request(self.source.sitemap, callback=self.parse_sitemap, errback=self.on_error)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # lxml raises several types on garbage
            self.count_error("malformed_sitemap", response.url, str(exc))
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc or domain_of(loc) != domain_of(self.source.url):
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.on_error)
            else:
                request = self._request(loc, self.max_depth)
                if request is not None:
                    yield request

    def parse_page(self, response: Response, depth: int) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.count_error("not_text", response.url, "not a text page")
            return
        if self.source.match is None or re.search(self.source.match, response.url):
            item = self.page_item(response)
            if item is not None:
                item.not_modified = not_modified(response)
                yield item
        if depth >= self.max_depth:
            return
        for link in self._links().extract_links(response):
            request = self._request(link.url, depth + 1)
            if request is not None:
                yield request
