"""Crawl state that must survive restarts: feed entries already collected.

Kept apart from the document store so it works the same with SQLite or
Elasticsearch documents, and so several collectors on one machine share it.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .errors import StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_entries (
    source_id TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (source_id, entry_key)
) WITHOUT ROWID;
"""


class SeenEntries:
    """Which feed entries each source has already turned into documents."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the crawl state {path}: {exc}") from exc
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SeenEntries:
        return cls(Path(data_dir) / "state.db")

    def unseen(self, source_id: str, keys: Iterable[str]) -> list[str]:
        """The keys of ``keys`` not collected yet, in their order."""
        keys = list(keys)
        with self._lock:
            seen = {
                row[0]
                for row in self._db.execute(
                    f"SELECT entry_key FROM seen_entries WHERE source_id = ? AND entry_key IN ({','.join('?' * len(keys))})",
                    [source_id, *keys],
                )
            } if keys else set()
        return [key for key in keys if key not in seen]

    def mark_seen(self, source_id: str, key: str) -> None:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO seen_entries (source_id, entry_key, first_seen) VALUES (?, ?, ?)",
                (source_id, key, now),
            )

    def count(self, source_id: str) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM seen_entries WHERE source_id = ?", (source_id,)).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
