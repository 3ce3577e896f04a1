"""Step 2b: the source's language restriction.

The document's language was read when it was built (``traceur.enrich.language``: its words,
the page's declaration when the text is too short to tell). A source with ``lang: fr``
keeps French documents (and those whose language cannot be told); the others are
dropped here, before tagging, and counted.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import PageItem
from pipelines.shared import RuntimePipeline
from traceur.enrich.language import accepts


class LanguagePipeline(RuntimePipeline):
    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        document = item.built()
        languages = self._languages(item.source_id)
        if not accepts(languages, document.lang):
            if self.stats is not None:
                self.stats.inc_value("traceur/documents/other_language")
            raise DropItem(
                f"{item.url}: in {document.lang}, the source keeps {', '.join(languages)}"
            )
        return item

    def _languages(self, source_id: str) -> tuple[str, ...]:
        for source in self.runtime.watchlist.sources:
            if source.id == source_id:
                return source.languages
        return ()
