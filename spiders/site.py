"""Generic site crawl: start URL (and optional sitemap), same-site links, depth and page limits.

The blog and video spiders are site crawls that read more out of the pages they keep.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from lxml.html import HtmlElement
from scrapy.http import Response, TextResponse

from crawler.httpcache import not_modified
from crawler.items import PageItem
from spiders.base import SourceSpider
from traceur.orchestra.state import PageMemo
from traceur.parse.comments import read_article_comments
from traceur.parse.html import parse_html
from traceur.parse.links import page_links
from traceur.parse.pagetype import classify_page
from traceur.parse.records import CommentRecord
from traceur.parse.sitemaps import MAX_INDEX_DEPTH
from traceur.urls import domain_of, same_site


class SiteSpider(SourceSpider):
    """Crawls one site from the source URL, following links on the same site.

    Pages whose URL matches the source's ``match`` regex become documents; without
    ``match``, the pages that read as documents (not home, section, tag, archive, search,
    pagination or "about" pages: traceur.parse.pagetype). Links are followed when they
    match ``follow`` (every same-site link when unset), up to ``limits.max_depth`` clicks
    and ``limits.max_pages`` requests.

        scrapy crawl site -a source=carnet-de-lucie
    """

    name = "site"
    # Without ``match``, keep only the pages that read as documents (traceur.parse.pagetype).
    classifies_pages = True
    # A page answered 304 is replayed from what it gave last time (orchestra.state.PageMemo)
    # instead of being read again; spiders that read more out of a kept page (posts, videos)
    # read it again.
    replays_unchanged_pages = True

    _follow: re.Pattern[str] | None = None

    _followed: dict[str, bool] | None = None

    def _follows(self, url: str) -> bool:
        """A same-site link (host name, whatever the port) that ``follow`` allows."""
        # Remembered per address: a site's pages link to the same rubrics and articles over
        # and over (70 links a page, 11 % distinct, in bench_crawl), and a pass answered
        # 304 replays them all.
        if self._followed is None:
            self._followed = {}
        known = self._followed.get(url)
        if known is None:
            known = self._followed[url] = self._decide_follow(url)
        return known

    _site: str | None = None
    _same_site_by_netloc: dict[str, bool] | None = None

    def _on_site(self, url: str) -> bool:
        """same_site(url, source.url), decided once per scheme and network location: a
        site's thousands of distinct links name a handful of those."""
        if self._site is None:
            self._site = domain_of(self.source.url)
            self._same_site_by_netloc = {}
        assert self._same_site_by_netloc is not None  # set with _site
        scheme, sep, rest = url.partition("://")
        if not sep:
            return domain_of(url) == self._site
        # The network location as urlsplit reads it: up to the first "/", "?" or "#".
        end = len(rest)
        for mark in "/?#":
            at = rest.find(mark, 0, end)
            if at >= 0:
                end = at
        key = f"{scheme}://{rest[:end]}"
        known = self._same_site_by_netloc.get(key)
        if known is None:
            known = self._same_site_by_netloc[key] = domain_of(url) == self._site
        return known

    def _decide_follow(self, url: str) -> bool:
        if not self._on_site(url):
            return False
        if self.source.follow is None:
            return True
        if self._follow is None:
            self._follow = re.compile(self.source.follow)
        return self._follow.search(url) is not None

    def _request(self, url: str, depth: int) -> scrapy.Request | None:
        return self.budget_request(url, self.parse_page, depth=depth)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        first = self._request(self.source.url, 0)
        if first is not None:
            yield first
        if self.source.sitemap:
            sitemap = self.budget_request(self.source.sitemap, self.parse_sitemap, depth=0)
            if sitemap is not None:
                yield sitemap

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        sitemap = self.read_sitemap(response)
        if sitemap is None:
            return
        if sitemap.kind == "sitemapindex" and depth >= MAX_INDEX_DEPTH:
            self.count_error(
                "sitemap_too_deep", response.url, "sitemap indexes nested too deep; not followed"
            )
            return
        for entry in sitemap.entries:
            loc = entry.loc
            if not same_site(loc, self.source.url):
                continue
            if sitemap.kind == "sitemapindex":
                # Child sitemaps count against the page budget, as pages do.
                child = self.budget_request(loc, self.parse_sitemap, depth=depth + 1)
                if child is not None:
                    yield child
            else:
                request = self._request(loc, self.max_depth)
                if request is not None:
                    yield request

    def parse_document_page(
        self, response: TextResponse, html: str, root: HtmlElement
    ) -> Iterator[Any]:
        """A page the source keeps: one document, and one per reader comment under it
        (blog and video spiders read more). ``root`` is the page parsed once for every
        reader of it; it must not be modified. Everything is read out of it before the
        first output, since the page's document hands ``root`` over to extraction."""
        item = self.page_item(response, html=html)
        if item is not None:
            found, sections = read_article_comments(root, response.url)
            item.not_modified = not_modified(response)
            item.tree, item.comment_sections = root, sections
            yield item
            yield from self.comment_records(response, found)

    def _keeps(self, response: TextResponse, root: HtmlElement) -> bool:
        if self.source.match is not None:
            return re.search(self.source.match, response.url) is not None
        if not self.classifies_pages:
            return True
        # Without a pattern for document addresses the page says what it is: home,
        # section, tag, archive, search and "about" pages are crawled through, not kept.
        page_type = classify_page(root, response.url)
        if not page_type.is_document:
            self.crawler.stats.inc_value("traceur/pages/listing")
            self.logger.debug(
                "[%s] %s: crawled through, not kept (%s: %s)",
                self.source.id,
                response.url[:200],
                page_type.kind_hint,
                page_type.reason,
            )
        return page_type.is_document

    def _rule(self) -> str:
        """What decides whether a page is kept, so a memo made under another rule (the
        watchlist's ``match`` edited since) is not replayed."""
        return "classify" if self.source.match is None else f"match:{self.source.match}"

    def parse_page(self, response: Response, depth: int) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.count_error("not_text", response.url, "not a text page")
            return
        if self.replays_unchanged_pages and not_modified(response):
            memo = self.crawl_state.page_memo(self.source.id, response.url)
            # A memo made at the depth limit knows no links: enough for a page at the limit.
            if (
                memo is not None
                and memo.rule == self._rule()
                and (memo.links is not None or depth >= self.max_depth)
            ):
                yield from self._replay(response, memo, depth)
                return
        html = self.page_text(response)
        if html is None:
            return
        # Parsed once: the page's type, its comments and its links are read from one tree
        # (extraction parses its own copy, since it reshapes the tree it reads).
        root = parse_html(html)
        if root is None:  # an empty page: nothing to keep, no link to follow
            self.crawler.stats.inc_value("traceur/pages/not_a_document")
            return
        kept = self._keeps(response, root)
        # Links first: a kept page's document takes the tree over (parse_document_page).
        links = tuple(page_links(root, response.url)) if depth < self.max_depth else None
        comments: list[tuple[str, str]] = []
        if kept:
            for output in self.parse_document_page(response, html, root):
                if isinstance(output, PageItem) and isinstance(output.record, CommentRecord):
                    comment = output.record.comment
                    comments.append((comment.post_url, comment.comment_id))
                yield output
        if self.replays_unchanged_pages:
            memo = PageMemo(self._rule(), kept, links, tuple(comments))
            self.crawl_state.record_page_memo(self.source.id, response.url, memo)
        if links is not None:
            yield from self.follow_links(links, depth)

    def _replay(self, response: TextResponse, memo: PageMemo, depth: int) -> Iterator[Any]:
        """A page the server answered 304 for gives what it gave last time, unread: its
        document (checked as stored by the unchanged pipeline, with its comments) and
        its links."""
        self.crawler.stats.inc_value("traceur/pages/replayed")
        if memo.kept:
            item = self.page_item(response)
            if item is not None:
                item.not_modified = True
                item.known_comments = memo.comments
                yield item
        else:
            self.crawler.stats.inc_value("traceur/pages/listing")
        if depth < self.max_depth and memo.links is not None:
            yield from self.follow_links(memo.links, depth)

    def follow_links(self, links: Iterable[str], depth: int) -> Iterator[scrapy.Request]:
        for url in links:
            if not self._follows(url):
                continue
            request = self._request(url, depth + 1)
            if request is not None:
                yield request
