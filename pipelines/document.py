"""Step 2: canonical URL, stable id, UTC dates, feed fallbacks."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from traceur.enrich.documents import make_document, record_document


class DocumentPipeline:
    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        if item.record is not None:
            item.document = record_document(item.record, item.source_id, item.fetched_at)
        elif item.page is not None and item.extracted is not None:
            item.document = make_document(item.page, item.extracted)
        else:
            raise DropItem(f"{item.url}: neither a record nor an extracted page")
        return item
