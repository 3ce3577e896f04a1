"""Forums: one document per post, whatever the engine (phpBB, vBulletin, XenForo,
Invision, Discourse through its JSON API, or a home-made board).

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
    ThreadLink,
    ThreadPage,
    ThreadState,
    detect_engine,
    discourse_board_json_url,
    discourse_topic_json_url,
    parse_board,
    parse_discourse_board,
    parse_discourse_topic,
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
        if response.url.split("?", 1)[0].endswith(".json"):
            # A Discourse board given by its JSON address (/latest.json, /c/slug/5.json).
            yield from self.parse_discourse_board(response, depth)
            return
        text = self.page_text(response)
        if text is None:
            return
        if detect_engine(text, response.url) == "discourse":
            request = self.budget_request(
                discourse_board_json_url(response.url), self.parse_discourse_board, depth=depth
            )
            if request is not None:
                yield request
            return
        board = parse_board(text, response.url, now=datetime.now(UTC))
        yield from self._threads(board.threads, discourse=False)
        if depth < self.max_depth:
            for url in (board.next_page_url, *board.subforum_urls):
                if url and domain_of(url) == domain_of(self.source.url):
                    request = self.budget_request(url, self.parse_board, depth=depth + 1)
                    if request is not None:
                        yield request

    def parse_discourse_board(self, response: Response, depth: int) -> Iterator[Any]:
        board = parse_discourse_board(response.body, response.url)
        yield from self._threads(board.threads, discourse=True)
        if board.next_page_url and depth < self.max_depth:
            request = self.budget_request(
                board.next_page_url, self.parse_discourse_board, depth=depth + 1
            )
            if request is not None:
                yield request

    def _threads(self, links: tuple[ThreadLink, ...], discourse: bool) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        stats.inc_value("traceur/forum/threads_listed", len(links))
        for link in links:
            start = resume_from(link, self._thread_state(link))
            if start is None:
                stats.inc_value("traceur/forum/threads_unchanged")
                continue
            if discourse and start == link.url:
                start = discourse_topic_json_url(link.url, 1)
            callback = self.parse_discourse_topic if discourse else self.parse_thread
            request = self.budget_request(start, callback, link=link)
            if request is not None:
                stats.inc_value("traceur/forum/threads_read")
                yield request

    # -- threads ---------------------------------------------------------------------

    def parse_thread(self, response: Response, link: ThreadLink) -> Iterator[Any]:
        text = self.page_text(response)
        if text is None:
            return
        page = parse_thread_page(text, response.url, now=datetime.now(UTC))
        yield from self._posts(response, page, link, self.parse_thread)

    def parse_discourse_topic(self, response: Response, link: ThreadLink) -> Iterator[Any]:
        page = parse_discourse_topic(response.body, response.url)
        yield from self._posts(response, page, link, self.parse_discourse_topic)

    def _posts(
        self, response: Response, page: ThreadPage, link: ThreadLink, callback: Any
    ) -> Iterator[Any]:
        if not page.posts:
            self.count_error(
                "no_posts", response.url, "a thread page with no post found (layout changed?)"
            )
        for post in page.posts:
            yield self.record_item(response, ForumPostRecord(post, page))
        if page.next_page_url and domain_of(page.next_page_url) == domain_of(response.url):
            request = self.budget_request(page.next_page_url, callback, link=link)
            if request is not None:
                yield request
                return
        # The last page read: remember where the thread stands for the next pass.
        state = state_after(link, page)
        self.crawl_state.record_thread(
            self.source.id, canonical_url(link.url), page.page_number, json.dumps(state.to_dict())
        )

    def _thread_state(self, link: ThreadLink) -> ThreadState | None:
        known = self.crawl_state.thread(self.source.id, canonical_url(link.url))
        if known is None:
            return None
        try:
            return ThreadState.from_dict(json.loads(known[1]))
        except (ValueError, KeyError, TypeError):
            return None  # an older format: read the thread again
