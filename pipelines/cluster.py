"""Step 3b: the story cluster (same story on several sites → one ``cluster_id``).

The cluster index lives in ``DATA_DIR/clusters.db``; every crawler of a pass, and every
pass, shares it through SQLite. With a work queue (``TRACEUR_QUEUE``) it lives in the
queue's Redis, so the workers of every machine cluster a story once. An index that cannot
be written does not cost the document: it is stored without a cluster id, and the failure
is counted and logged.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from crawler.items import PageItem
from traceur.config import default_settings
from traceur.enrich.clusters import ClusterStore
from traceur.errors import StoreError
from traceur.orchestra.queue.clusters import open_cluster_index

log = logging.getLogger(__name__)


class ClusterPipeline:
    def __init__(self, data_dir: str, stats: Any = None, queue: str = "") -> None:
        self.data_dir = data_dir
        self.stats = stats
        self.queue = queue
        self.index: ClusterStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ClusterPipeline:
        return cls(
            crawler.settings.get("TRACEUR_DATA_DIR") or str(default_settings().data_dir),
            crawler.stats,
            crawler.settings.get("TRACEUR_QUEUE") or "",
        )

    def open_spider(self, spider: Any = None) -> None:
        self.index = open_cluster_index(
            default_settings().replace(data_dir=Path(self.data_dir), queue=self.queue or None)
        )
        try:
            self.index.forget_signatures()
        except StoreError as exc:
            log.warning("%s", exc)

    def close_spider(self, spider: Any = None) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None

    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        assert self.index is not None
        try:
            # Hashing and a local SQLite file: on the reactor thread, like extraction (a
            # worker thread only adds GIL contention to Python-bound work).
            self.index.apply(item.built())
        except StoreError as exc:
            log.error("%s: no story cluster: %s", item.url, exc)
            if self.stats is not None:
                self.stats.inc_value("traceur/errors/clusters")
        return item
