"""What the pipelines that use the core objects share: the crawl's ``Runtime`` (store,
tagger, crawl state), held from ``open_spider`` to ``close_spider``."""

from __future__ import annotations

from typing import Any

from crawler import runtime


class RuntimePipeline:
    """Base of the pipelines that call the store, the tagger or the crawl state.

    ``__init__`` stays plain (settings and stats), so a test can build one directly.
    """

    def __init__(self, settings: Any, stats: Any = None) -> None:
        self.settings = settings
        self.stats = stats
        self._runtime: runtime.Runtime | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        return cls(crawler.settings, crawler.stats)

    @property
    def runtime(self) -> runtime.Runtime:
        if self._runtime is None:
            raise RuntimeError(f"{type(self).__name__} used before open_spider")
        return self._runtime

    def open_spider(self, spider: Any = None) -> None:
        self._runtime = runtime.acquire(self.settings)

    def close_spider(self, spider: Any = None) -> None:
        runtime.release(self.settings)
        self._runtime = None
