"""Step 3: which candidates and topics the document mentions."""

from __future__ import annotations

from typing import Any

from crawler.items import PageItem
from pipelines.shared import RuntimePipeline


class TagPipeline(RuntimePipeline):
    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        self.runtime.tagger.apply(item.built())
        return item
