"""Step 0: a page the server reported unchanged (304) and whose document is stored
already is dropped before any work. One that is not stored (an earlier pass failed to
store it) goes on, so nothing is lost to the HTTP cache; a replayed page whose reader
comments are not all stored is read again by the next pass."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from pipelines.shared import RuntimePipeline
from traceur.document import document_id
from traceur.enrich.documents import comment_document_id, record_document_id
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
        comment_ids = [comment_document_id(url, ident) for url, ident in item.known_comments]
        stored = await asyncio.to_thread(self.runtime.store.stored, [doc_id, *comment_ids])
        if len(stored) <= len(comment_ids):
            # A comment an earlier pass failed to store: the page is read again next pass.
            self.runtime.state.forget_page_memo(item.source_id, item.url)
        if doc_id not in stored:
            return item
        self.stats.inc_value("traceur/documents/unchanged", len(stored))
        self.stats.inc_value("traceur/pages/not_modified")
        raise DropItem("unchanged")
