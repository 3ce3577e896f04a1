"""Step 2: canonical URL, stable id, UTC dates, feed fallbacks."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from traceur.config import default_settings
from traceur.enrich.documents import cap_text, make_document, record_document


class DocumentPipeline:
    def __init__(self, max_text_chars: int, stats: Any = None) -> None:
        self.max_text_chars = max_text_chars
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> DocumentPipeline:
        return cls(
            crawler.settings.getint("TRACEUR_MAX_TEXT_CHARS", default_settings().max_text_chars),
            crawler.stats,
        )

    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        if item.record is not None:
            document = record_document(item.record, item.source_id, item.fetched_at)
        elif item.page is not None and item.extracted is not None:
            document = make_document(item.page, item.extracted)
        else:
            raise DropItem(f"{item.url}: neither a record nor an extracted page")
        item.document = cap_text(document, self.max_text_chars)
        if item.document.truncated and self.stats is not None:
            self.stats.inc_value("traceur/documents/truncated")
        return item
