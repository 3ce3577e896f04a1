"""Step 2: canonical URL, stable id, UTC dates, feed fallbacks."""

from __future__ import annotations

from typing import Any

from spiders.items import PageItem
from traceur.pages import make_document


class DocumentPipeline:
    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        item.document = make_document(item.meta["page"], item.extracted)
        return item
