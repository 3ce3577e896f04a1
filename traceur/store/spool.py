"""A durable local spool for documents Elasticsearch could not take, and their dead letters.

One SQLite file (``<data_dir>/es-spool/spool.db``), written with ``synchronous=FULL`` so a
document counted as spooled survives a crash or a power cut. The spool holds the latest
version of each document (keyed by id): spooling a newer version replaces the older one,
so a replay sends each document once. Dead letters are documents Elasticsearch refused for
good (a mapping error, say), kept with the reason for the operator to look at.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from traceur.document import Document
from traceur.errors import StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    reason TEXT NOT NULL,
    spooled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    reason TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class SpoolEntry:
    seq: int
    document: Document


@dataclass(frozen=True)
class DeadLetter:
    id: str
    reason: str
    failed_at: str
    document: Document


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Spool:
    """Documents waiting for Elasticsearch. Opened on first use; safe to share between threads
    and between processes (SQLite locks the file)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "spool.db"
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Spool({str(self.path)!r})"

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    str(self.path), timeout=60, check_same_thread=False, isolation_level=None
                )
                db.execute("PRAGMA journal_mode=WAL")
                # FULL: a commit is on disk before we report a document as spooled.
                db.execute("PRAGMA synchronous=FULL")
                db.executescript(_SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                raise StoreError(
                    f"cannot open the Elasticsearch spool {self.path}: {exc};"
                    " check that the data directory is writable"
                ) from exc
            self._db = db
        return self._db

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        with self._lock:
            db = self._conn()
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(sql, rows)
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                db.execute("ROLLBACK")
                raise StoreError(
                    f"cannot write to the Elasticsearch spool {self.path}: {exc}"
                ) from exc

    def add(self, documents: Iterable[Document], reason: str) -> list[str]:
        """Keep ``documents`` until a replay; return their ids."""
        now = _now()
        rows: list[tuple[object, ...]] = [
            (document.id, json.dumps(document.to_dict(), ensure_ascii=False), reason, now)
            for document in documents
        ]
        if rows:
            # REPLACE gives the row a new seq: a newer version goes to the back of the queue.
            self._write(
                "INSERT OR REPLACE INTO spool (id, data, reason, spooled_at) VALUES (?, ?, ?, ?)",
                rows,
            )
        return [str(row[0]) for row in rows]

    def remove(self, entries: Iterable[tuple[str, int]]) -> None:
        """Forget replayed entries, given as (id, seq): a version spooled since then stays."""
        rows: list[tuple[object, ...]] = list(entries)
        if rows:
            self._write("DELETE FROM spool WHERE id = ? AND seq = ?", rows)

    def discard(self, ids: Iterable[str]) -> None:
        """Forget whatever version of these documents is spooled (a newer one was stored)."""
        rows: list[tuple[object, ...]] = [(doc_id,) for doc_id in ids]
        if rows:
            self._write("DELETE FROM spool WHERE id = ?", rows)

    def pending(self) -> int:
        if self._db is None and not self.path.exists():
            return 0
        with self._lock:
            return int(self._conn().execute("SELECT COUNT(*) FROM spool").fetchone()[0])

    def entries(self, batch_size: int) -> Iterator[list[SpoolEntry]]:
        """Spooled documents, oldest first, in batches. Each batch is read when asked for, so
        entries removed meanwhile are not returned again."""
        last = 0
        while True:
            if self._db is None and not self.path.exists():
                return
            with self._lock:
                rows = (
                    self._conn()
                    .execute(
                        "SELECT seq, data FROM spool WHERE seq > ? ORDER BY seq LIMIT ?",
                        (last, batch_size),
                    )
                    .fetchall()
                )
            if not rows:
                return
            last = int(rows[-1][0])
            yield [SpoolEntry(int(seq), Document.from_dict(json.loads(data))) for seq, data in rows]

    def add_dead_letters(self, letters: Iterable[tuple[Document, str]]) -> None:
        now = _now()
        rows: list[tuple[object, ...]] = [
            (document.id, json.dumps(document.to_dict(), ensure_ascii=False), reason, now)
            for document, reason in letters
        ]
        if rows:
            self._write(
                "INSERT OR REPLACE INTO dead_letters (id, data, reason, failed_at)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )

    def dead_letters(self) -> list[DeadLetter]:
        if self._db is None and not self.path.exists():
            return []
        with self._lock:
            rows = (
                self._conn()
                .execute("SELECT id, reason, failed_at, data FROM dead_letters ORDER BY failed_at")
                .fetchall()
            )
        return [
            DeadLetter(row[0], row[1], row[2], Document.from_dict(json.loads(row[3])))
            for row in rows
        ]

    def dead_letter_count(self) -> int:
        if self._db is None and not self.path.exists():
            return 0
        with self._lock:
            return int(self._conn().execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
