"""Step 2: canonical URL, stable id, UTC dates, feed fallbacks."""

from __future__ import annotations

from typing import Any

from spiders.items import PageItem
from traceur.pages import make_document
from traceur.records import record_document


class DocumentPipeline:
    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        if item.record is not None:
            item.document = record_document(item.record, item.context, item.source_id, item.fetched_at)
        else:
            item.document = make_document(item.meta["page"], item.extracted)
        return item
