"""Step 2: canonical URL, stable id, UTC dates, feed fallbacks, pseudonymised authors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from traceur.config import default_settings, load_settings
from traceur.enrich.documents import cap_text, make_document, record_document
from traceur.privacy.pseudonyms import Pseudonyms, pseudonyms_for


class DocumentPipeline:
    def __init__(
        self, max_text_chars: int, stats: Any = None, pseudonyms: Pseudonyms | None = None
    ) -> None:
        self.max_text_chars = max_text_chars
        self.stats = stats
        # The author is hashed here, before tagging, storing or any log line sees it.
        self.pseudonyms = pseudonyms or Pseudonyms(None)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DocumentPipeline:
        defaults = default_settings()
        # The key is a secret: it comes from the environment (or the key file in data_dir),
        # never through Scrapy's settings, which Scrapy prints in its log.
        settings = load_settings().replace(
            data_dir=Path(crawler.settings.get("TRACEUR_DATA_DIR", str(defaults.data_dir))),
            pseudonymize_authors=crawler.settings.getbool(
                "TRACEUR_PSEUDONYMIZE_AUTHORS", defaults.pseudonymize_authors
            ),
        )
        return cls(
            crawler.settings.getint("TRACEUR_MAX_TEXT_CHARS", defaults.max_text_chars),
            crawler.stats,
            pseudonyms_for(settings),
        )

    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        if item.record is not None:
            document = record_document(item.record, item.source_id, item.fetched_at)
        elif item.page is not None and item.extracted is not None:
            document = make_document(item.page, item.extracted)
        else:
            raise DropItem(f"{item.url}: neither a record nor an extracted page")
        item.document = cap_text(self.pseudonyms.apply(document), self.max_text_chars)
        if item.document.truncated and self.stats is not None:
            self.stats.inc_value("traceur/documents/truncated")
        return item
