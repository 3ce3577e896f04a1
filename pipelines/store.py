"""Step 4: store the document (idempotent upsert by id).

A store error is not swallowed: the item fails, the error is counted and logged, and
the crawl goes on; a backend that can spool (Elasticsearch) reports spooled documents.

Writes are grouped: the documents that reach this step while a write is under way go
together in the next one (one ``upsert``, so one SQLite transaction or one bulk request).
Each item waits for the write that holds its document, so nothing after this step (its
revision in the crawl state, a feed entry marked seen) happens before the document is
committed: a crash mid-write loses only documents no later step has acknowledged, which
the next pass collects again (their pages are not stored, so a 304 does not drop them).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from pipelines.grouped import GroupedCalls, settle
from pipelines.shared import RuntimePipeline
from traceur.document import Document
from traceur.errors import StoreError
from traceur.store.base import Store, UpsertResult

log = logging.getLogger(__name__)

# A write holds the store's write lock (other crawls of the pass share the SQLite file):
# a bounded group keeps that wait short. A crawl rarely has this many items in flight.
MOST_PER_WRITE = 100

Waiting = tuple[Document, "asyncio.Future[UpsertResult]"]


class GroupedWrites(GroupedCalls[Document, UpsertResult]):
    """The documents waiting for a write, written together (``Store.upsert``)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store

    def _take(self, waiting: list[Waiting]) -> list[Waiting]:
        """The oldest waiting documents, at most one version of an id: each upsert result
        then says what became of each item's own version, as when they went one by one."""
        group: list[Waiting] = []
        ids: set[str] = set()
        for one in waiting:
            if one[0].id in ids or len(group) == MOST_PER_WRITE:
                break
            ids.add(one[0].id)
            group.append(one)
        return group

    async def _run(self, group: list[Waiting]) -> None:
        try:
            result = await asyncio.to_thread(
                self._store.upsert, [document for document, _ in group]
            )
        except Exception as exc:
            if len(group) == 1:
                # The item fails with it (a StoreError is counted and logged by the item).
                settle(group[0][1], exc)
                return
            # The group's write was undone: each document is written alone, so one that the
            # store cannot take fails its own item only, as before writes were grouped.
            log.debug(
                "a grouped write of %d documents failed (%s); writing them one by one",
                len(group),
                exc,
            )
            for one in group:
                await self._run([one])
            return
        for _, answer in group:
            settle(answer, result)


class StorePipeline(RuntimePipeline):
    _writes: GroupedWrites | None = None

    async def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        document = item.built()
        try:
            if self._writes is None:
                self._writes = GroupedWrites(self.runtime.store)
            result = await self._writes.ask(document)
        except StoreError as exc:
            self.stats.inc_value("traceur/errors/store")
            raise DropItem(f"{item.url}: not stored: {exc}", log_level="WARNING") from None
        if document.id in result.failed:
            self.stats.inc_value("traceur/errors/store_rejected")
            raise DropItem(
                f"{item.url}: refused by the store: {result.failed[document.id]}",
                log_level="WARNING",
            )
        for outcome in ("new", "updated", "unchanged", "spooled"):
            if document.id in getattr(result, outcome):
                item.outcome = outcome
                self.stats.inc_value(f"traceur/documents/{outcome}")
        if item.outcome in ("new", "updated", "spooled"):
            for candidate in document.candidates:
                self.stats.inc_value(f"traceur/candidates/{candidate}")
            self.runtime.state.record_revision(
                document.id, document.content_hash, document.title, len(document.text)
            )
        return item
