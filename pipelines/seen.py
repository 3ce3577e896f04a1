"""Step 5: remember the feed entry, once its document is safely stored (or spooled)."""

from __future__ import annotations

from typing import Any

from crawler import runtime
from spiders.items import PageItem


class SeenEntriesPipeline:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.runtime: runtime.Runtime | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeenEntriesPipeline:
        return cls(crawler.settings)

    def open_spider(self, spider: Any = None) -> None:
        self.runtime = runtime.acquire(self.settings)

    def close_spider(self, spider: Any = None) -> None:
        runtime.release(self.settings)

    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        assert self.runtime is not None
        if item.entry:
            self.runtime.state.mark_seen(item.source_id, item.entry["key"])
        return item
