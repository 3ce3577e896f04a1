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
from pipelines.shared import RuntimePipeline
from traceur.document import document_id
from traceur.enrich.documents import comment_document_id, record_document_id
from traceur.urls import canonical_url

# Ids asked of the store in one call at most (an Elasticsearch search returns 10,000 hits
# at most; a page asks for its document and its comments).
MAX_IDS_PER_LOOKUP = 500


class StoredLookups:
    """Which ids the store holds, asked for the pages of one moment together.

    Pages answered 304 arrive many at a time. Each asked on its own, the store's answer (a
    few microseconds of SQLite) cost less than the hop to a thread that asked it; here the
    pages that arrive while one lookup runs in its thread go in the next one. Read only: a
    page's answer is the set of its own ids the store held when asked, as before.
    """

    def __init__(self, stored: Callable[[Sequence[str]], set[str]]) -> None:
        self._stored = stored
        self._waiting: list[tuple[list[str], asyncio.Future[set[str]]]] = []
        self._draining = False
        # Held while it runs: the event loop keeps only a weak reference to a task.
        self._drain_task: asyncio.Task[None] | None = None

    async def stored(self, doc_ids: list[str]) -> set[str]:
        found: asyncio.Future[set[str]] = asyncio.get_running_loop().create_future()
        self._waiting.append((doc_ids, found))
        if not self._draining:
            self._draining = True
            self._drain_task = asyncio.create_task(self._drain())
        return await found

    async def _drain(self) -> None:
        batch: list[tuple[list[str], asyncio.Future[set[str]]]] = []
        try:
            while self._waiting:
                batch = []
                size = 0
                while self._waiting and (not batch or size < MAX_IDS_PER_LOOKUP):
                    ids, found = self._waiting.pop(0)
                    batch.append((ids, found))
                    size += len(ids)
                asked = [doc_id for ids, _ in batch for doc_id in ids]
                try:
                    held = await asyncio.to_thread(self._stored, asked)
                except Exception as exc:  # each page fails as its own lookup would have
                    for _, found in batch:
                        if not found.done():
                            found.set_exception(exc)
                    continue
                for ids, found in batch:
                    if not found.done():
                        found.set_result(held.intersection(ids))
        finally:
            self._draining = False
            # Cancelled with the crawl: no page waits for an answer that will not come.
            for _, found in [*batch, *self._waiting]:
                if not found.done():
                    found.cancel()
            self._waiting.clear()


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
