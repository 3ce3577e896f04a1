"""Step 4: store the document (idempotent upsert by id).

A store error is not swallowed: the item fails, the error is counted and logged, and
the crawl goes on; a backend that can spool (Elasticsearch) reports spooled documents.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from pipelines.shared import RuntimePipeline
from traceur.errors import StoreError

log = logging.getLogger(__name__)


class StorePipeline(RuntimePipeline):
    async def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        document = item.built()
        try:
            result = await asyncio.to_thread(self.runtime.store.upsert, [document])
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
