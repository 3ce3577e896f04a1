"""Step 0: a page the server reported unchanged (304) and whose document is stored
already is dropped before any work. One that is not stored (an earlier pass failed to
store it) goes on, so nothing is lost to the HTTP cache; a replayed page whose reader
comments are not all stored is read again by the next pass."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from pipelines.grouped import GroupedCalls, settle
from pipelines.shared import RuntimePipeline
from traceur.document import document_id
from traceur.enrich.documents import comment_document_id, record_document_id
from traceur.urls import canonical_url

# Ids asked of the store in one call at most (an Elasticsearch search returns 10,000 hits
# at most; a page asks for its document and its comments).
MAX_IDS_PER_LOOKUP = 500


Asked = tuple[list[str], "asyncio.Future[set[str]]"]


class StoredLookups(GroupedCalls[list[str], set[str]]):
    """Which ids the store holds, asked for the pages of one moment together.

    Pages answered 304 arrive many at a time. Each asked on its own, the store's answer (a
    few microseconds of SQLite) cost less than the hop to a thread that asked it; here the
    pages that arrive while one lookup runs in its thread go in the next one. Read only: a
    page's answer is the set of its own ids the store held when asked, as before.
    """

    def __init__(self, stored: Callable[[Sequence[str]], set[str]]) -> None:
        super().__init__()
        self._stored = stored

    async def stored(self, doc_ids: list[str]) -> set[str]:
        return await self.ask(doc_ids)

    def _take(self, waiting: list[Asked]) -> list[Asked]:
        group: list[Asked] = []
        size = 0
        for one in waiting:
            if group and size >= MAX_IDS_PER_LOOKUP:
                break
            group.append(one)
            size += len(one[0])
        return group

    async def _run(self, group: list[Asked]) -> None:
        asked = [doc_id for ids, _ in group for doc_id in ids]
        try:
            held = await asyncio.to_thread(self._stored, asked)
        except Exception as exc:  # each page fails as its own lookup would have
            for _, answer in group:
                settle(answer, exc)
            return
        for ids, answer in group:
            settle(answer, held.intersection(ids))


class UnchangedPipeline(RuntimePipeline):
    _lookups: StoredLookups | None = None

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem) or not item.not_modified:
            return item
        doc_id = (
            record_document_id(item.record)
            if item.record is not None
            else document_id(canonical_url(item.url))
        )
        comment_ids = [comment_document_id(url, ident) for url, ident in item.known_comments]
        if self._lookups is None:
            self._lookups = StoredLookups(self.runtime.store.stored)
        stored = await self._lookups.stored([doc_id, *comment_ids])
        if len(stored) <= len(comment_ids):
            # A comment an earlier pass failed to store: the page is read again next pass.
            self.runtime.state.forget_page_memo(item.source_id, item.url)
        if doc_id not in stored:
            return item
        self.stats.inc_value("traceur/documents/unchanged", len(stored))
        self.stats.inc_value("traceur/pages/not_modified")
        raise DropItem("unchanged")

    def close_spider(self, spider: Any = None) -> None:
        self._lookups = None
        super().close_spider(spider)
