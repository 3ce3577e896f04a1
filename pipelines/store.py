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
from pipelines.shared import RuntimePipeline
from traceur.document import Document
from traceur.errors import StoreError
from traceur.store.base import UpsertResult

log = logging.getLogger(__name__)

# A write holds the store's write lock (other crawls of the pass share the SQLite file):
# a bounded group keeps that wait short. A crawl rarely has this many items in flight.
MOST_PER_WRITE = 100

Waiting = tuple[Document, "asyncio.Future[UpsertResult]"]


class StorePipeline(RuntimePipeline):
    def __init__(self, settings: Any, stats: Any = None) -> None:
        super().__init__(settings, stats)
        self._waiting: list[Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        document = item.built()
        try:
            result = await self._written(document)
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

    async def _written(self, document: Document) -> UpsertResult:
        """The result of the write that stored ``document`` (raises its StoreError)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[UpsertResult] = loop.create_future()
        self._waiting.append((document, future))
        if self._writer is None:
            self._writer = loop.create_task(self._write_waiting())
        return await future

    async def _write_waiting(self) -> None:
        """Write what waits, group after group, until nothing does."""
        try:
            while self._waiting:
                await self._write(self._next_group())
        finally:
            self._writer = None
            # Cancelled with the crawl: the items still waiting are cancelled too.
            for _, future in self._waiting:
                future.cancel()
            self._waiting.clear()

    def _next_group(self) -> list[Waiting]:
        """The oldest waiting documents, at most one version of an id: each upsert result
        then says what became of each item's own version, as when they went one by one."""
        group: list[Waiting] = []
        ids: set[str] = set()
        for waiting in self._waiting:
            if waiting[0].id in ids or len(group) == MOST_PER_WRITE:
                break
            ids.add(waiting[0].id)
            group.append(waiting)
        del self._waiting[: len(group)]
        return group

    async def _write(self, group: list[Waiting]) -> None:
        store = self.runtime.store
        try:
            result = await asyncio.to_thread(store.upsert, [document for document, _ in group])
        except Exception as exc:
            if len(group) == 1:
                # The item fails with it (a StoreError is counted and logged by the item).
                _settle(group[0][1], exc)
                return
            # The group's write was undone: each document is written alone, so one that the
            # store cannot take fails its own item only, as before writes were grouped.
            log.debug(
                "a grouped write of %d documents failed (%s); writing them one by one",
                len(group),
                exc,
            )
            for waiting in group:
                await self._write([waiting])
            return
        for _, future in group:
            _settle(future, result)


def _settle(future: asyncio.Future[UpsertResult], outcome: UpsertResult | Exception) -> None:
    if future.done():  # the item's processing was cancelled (the crawl is closing)
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
