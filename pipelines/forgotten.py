"""Step 2b: what an erasure request forgot (``traceur forget``) is not stored again.

A document whose author, address or id the register holds is dropped and counted
(``traceur/privacy/skipped``). The page it came from was just written to the HTTP cache,
and a forum page holds the forgotten author's posts whole: its cache entry is removed
again (and its page memo, so a 304 cannot replay it), which costs a full fetch of that
page on every pass and keeps the forgotten text out of the data directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import scrapy
from scrapy.exceptions import DropItem

from crawler.items import PageItem
from pipelines.shared import RuntimePipeline
from traceur.parse.records import CommentRecord, ForumPostRecord
from traceur.privacy.forget_register import Forgotten, load_forgotten

SKIPPED_STAT = "traceur/privacy/skipped"


def page_of(item: PageItem) -> str:
    """The address of the page ``item`` was read on (a post's thread page, a comment's post)."""
    record = item.record
    if isinstance(record, ForumPostRecord) and record.page.page_url:
        return record.page.page_url
    if isinstance(record, CommentRecord) and record.comment.post_url:
        return record.comment.post_url
    return item.url.split("#", 1)[0]


class ForgottenPipeline(RuntimePipeline):
    def __init__(self, settings: Any, stats: Any = None, crawler: Any = None) -> None:
        super().__init__(settings, stats)
        self.crawler = crawler
        self.forgotten: Forgotten | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ForgottenPipeline:
        return cls(crawler.settings, crawler.stats, crawler)

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        # Read once per crawl: a request made during a pass applies from the next one.
        settings = self.runtime.settings
        self.forgotten = load_forgotten(settings.data_dir, settings.privacy_key)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        forgotten = self.forgotten
        if not forgotten or not isinstance(item, PageItem) or item.document is None:
            return item
        document = item.document
        if not (
            forgotten.document(document.id)
            or forgotten.url(document.url, document.canonical_url, document.thread_url)
            or forgotten.author(document.author, item.source_id)
        ):
            return item
        if self.stats is not None:
            self.stats.inc_value(SKIPPED_STAT)
        page = page_of(item)
        self._uncache(page)
        self.runtime.state.forget_page_memo(item.source_id, page)
        raise DropItem("forgotten")

    def _uncache(self, url: str) -> None:
        crawler = self.crawler
        if crawler is None or crawler.spider is None:
            return
        folder = self.settings.get("HTTPCACHE_DIR")
        if not folder or not self.settings.getbool("HTTPCACHE_ENABLED"):
            return
        # The path crawler.httpcache.CompactCacheStorage keeps the page's answer under.
        key = crawler.request_fingerprinter.fingerprint(scrapy.Request(url)).hex()
        (Path(folder) / crawler.spider.name / key[:2] / f"{key}.z").unlink(missing_ok=True)
