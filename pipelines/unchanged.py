"""Step 0: a page the server reported unchanged (304) and whose document is stored
already is dropped before any work. One that is not stored (an earlier pass failed to
store it) goes on, so nothing is lost to the HTTP cache."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from pipelines.shared import RuntimePipeline
from traceur.document import document_id
from traceur.enrich.documents import record_document_id
from traceur.urls import canonical_url


class UnchangedPipeline(RuntimePipeline):
    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem) or not item.not_modified:
            return item
        doc_id = (
            record_document_id(item.record)
            if item.record is not None
            else document_id(canonical_url(item.url))
        )
        stored = await asyncio.to_thread(self.runtime.store.get, doc_id)
        if stored is None:
            return item
        self.stats.inc_value("traceur/documents/unchanged")
        self.stats.inc_value("traceur/pages/not_modified")
        raise DropItem("unchanged")
