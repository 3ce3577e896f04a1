"""Forums: one document per post, whatever the engine (phpBB, vBulletin, XenForo,
Invision, Discourse, NodeBB and Flarum through their JSON APIs, or a home-made board).

    scrapy crawl forum -a source=forum-citoyens

From the board (and its next pages and sub-forums, within the source's depth and page
limits), every thread is compared with what the previous pass saw of it: a thread with
no new activity is not requested at all; a new one is read from its first page; a
changed one from the page that was last before, following the pagination from there.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import SourceSpider
from traceur.parse.forums import (
    API_FORUMS,
    ThreadLink,
    ThreadPage,
    ThreadState,
    api_forum_of_page,
    api_forum_of_url,
    parse_board,
    parse_thread_page,
    resume_from,
    state_after,
)
from traceur.parse.records import ForumPostRecord
from traceur.urls import canonical_url, domain_of


class ForumSpider(SourceSpider):
    name = "forum"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        request = self.budget_request(self.source.url, self.parse_board, depth=0)
        if request is not None:
            yield request

    # -- boards ----------------------------------------------------------------------

    def parse_board(self, response: Response, depth: int) -> Iterator[Any]:
        api = api_forum_of_url(response.url)
        if api is not None:
            # A board given by its API address (/latest.json, /api/category/5/x, /api/discussions).
            yield from self.parse_api_board(response, depth, api.engine)
            return
        text = self.page_text(response)
        if text is None:
            return
        api = api_forum_of_page(text, response.url)
        if api is not None:
            # Its pages are an app shell: the same lists come exact from its API.
            yield from self._follow(
                api.board_api_url(response.url), self.parse_api_board, depth, engine=api.engine
            )
            return
        board = parse_board(text, response.url, now=datetime.now(UTC))
        yield from self._threads(board.threads, engine=None)
        if depth < self.max_depth:
            for url in (board.next_page_url, *board.subforum_urls):
                if url and domain_of(url) == domain_of(self.source.url):
                    yield from self._follow(url, self.parse_board, depth + 1)

    def parse_api_board(self, response: Response, depth: int, engine: str) -> Iterator[Any]:
        api = API_FORUMS[engine]
        board = api.parse_board(response.body, response.url)
        yield from self._threads(board.threads, engine=engine)
        if depth >= self.max_depth:
            return
        # Next pages are API addresses already; sub-forums are pages, turned into theirs.
        following = [board.next_page_url, *map(api.board_api_url, board.subforum_urls)]
        for url in following:
            if url and domain_of(url) == domain_of(self.source.url):
                yield from self._follow(url, self.parse_api_board, depth + 1, engine=engine)

    def _follow(self, url: str, callback: Any, depth: int, **cb_kwargs: Any) -> Iterator[Any]:
        request = self.budget_request(url, callback, depth=depth, **cb_kwargs)
        if request is not None:
            yield request

    def _threads(
        self, links: tuple[ThreadLink, ...], engine: str | None
    ) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        stats.inc_value("traceur/forum/threads_listed", len(links))
        for link in links:
            state, per_page = self._thread_memory(link)
            start = resume_from(link, state)
            if start is None:
                stats.inc_value("traceur/forum/threads_unchanged")
                continue
            if engine is None:
                request = self.budget_request(
                    start, self.parse_thread, link=link, per_page=per_page
                )
            else:
                if start == link.url:
                    start = API_FORUMS[engine].thread_api_url(link.url)
                request = self.budget_request(
                    start, self.parse_api_thread, link=link, engine=engine
                )
            if request is not None:
                stats.inc_value("traceur/forum/threads_read")
                yield request

    # -- threads ---------------------------------------------------------------------

    def parse_thread(
        self, response: Response, link: ThreadLink, per_page: int | None = None
    ) -> Iterator[Any]:
        """One page of a thread read as HTML. ``per_page`` (the size of a full page seen
        earlier) places the posts of a page that does not say which post it starts at."""
        text = self.page_text(response)
        if text is None:
            return
        page = parse_thread_page(text, response.url, now=datetime.now(UTC), per_page=per_page)
        if page.next_page_url and page.posts:
            per_page = len(page.posts)  # every page but the last is full
        yield from self._posts(response, page, self.parse_thread, link=link, per_page=per_page)

    def parse_api_thread(self, response: Response, link: ThreadLink, engine: str) -> Iterator[Any]:
        page = API_FORUMS[engine].parse_thread(response.body, response.url)
        yield from self._posts(response, page, self.parse_api_thread, link=link, engine=engine)

    def _posts(
        self, response: Response, page: ThreadPage, callback: Any, **cb_kwargs: Any
    ) -> Iterator[Any]:
        link: ThreadLink = cb_kwargs["link"]
        if not page.posts:
            self.count_error(
                "no_posts", response.url, "a thread page with no post found (layout changed?)"
            )
        for post in page.posts:
            yield self.record_item(response, ForumPostRecord(post, page))
        if page.next_page_url and domain_of(page.next_page_url) == domain_of(response.url):
            request = self.budget_request(page.next_page_url, callback, **cb_kwargs)
            if request is not None:
                yield request
                return
        # The last page read: remember where the thread stands for the next pass, and the
        # page size, which a later pass starting from this page cannot see on it.
        memory = state_after(link, page).to_dict()
        if cb_kwargs.get("per_page"):
            memory["per_page"] = cb_kwargs["per_page"]
        self.crawl_state.record_thread(
            self.source.id, canonical_url(link.url), page.page_number, json.dumps(memory)
        )

    def _thread_memory(self, link: ThreadLink) -> tuple[ThreadState | None, int | None]:
        """What the previous pass remembered of the thread: its state and page size."""
        known = self.crawl_state.thread(self.source.id, canonical_url(link.url))
        if known is None:
            return None, None
        try:
            memory = json.loads(known[1])
            per_page = memory.get("per_page")
            return ThreadState.from_dict(memory), per_page if isinstance(per_page, int) else None
        except (ValueError, KeyError, TypeError, AttributeError):
            return None, None  # an older format: read the thread again
