"""Step 5: remember the feed entry, once its document is safely stored (or spooled)."""

from __future__ import annotations

from typing import Any

from crawler.items import PageItem
from pipelines.shared import RuntimePipeline


class SeenEntriesPipeline(RuntimePipeline):
    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        if item.entry:
            self.runtime.state.mark_seen(item.source_id, str(item.entry["key"]))
        return item
