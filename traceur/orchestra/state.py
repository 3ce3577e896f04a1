"""Crawl state that must survive restarts: feed and sitemap entries already collected,
forum threads' progress, the versions of each document, and what each crawled page gave
(so a page the server answers 304 for is not read again).

Kept apart from the document store so it works the same with SQLite or
Elasticsearch documents, and so several collectors on one machine share it. With a work
queue, the workers of every machine share it in Redis instead
(``traceur.orchestra.queue.crawlstate``), behind the same ``CrawlStateStore`` protocol.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from traceur.errors import StoreError
from traceur.sqlitefile import open_state_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_entries (
    source_id TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (source_id, entry_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS threads (
    source_id TEXT NOT NULL,
    thread_url TEXT NOT NULL,
    last_page INTEGER NOT NULL,
    activity TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source_id, thread_url)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revisions (
    doc_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    text_length INTEGER NOT NULL,
    PRIMARY KEY (doc_id, recorded_at, content_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS page_memos (
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    rule TEXT NOT NULL,
    kept INTEGER NOT NULL,
    links TEXT NOT NULL,
    comments TEXT NOT NULL,
    PRIMARY KEY (source_id, url)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Revision:
    recorded_at: str
    content_hash: str
    title: str
    text_length: int


@dataclass(frozen=True)
class PageMemo:
    """What a site page gave when last read: whether it was kept as a document (under the
    source's rule of the time, ``rule``), the links it holds (None: not read, the page
    was at the depth limit), and its reader comments as (post URL, comment id) pairs."""

    rule: str
    kept: bool
    links: tuple[str, ...] | None
    comments: tuple[tuple[str, str], ...]


class CrawlStateStore(Protocol):
    """What the crawls ask of the crawl state: ``CrawlState`` (one data directory) or, with
    a work queue, ``traceur.orchestra.queue.crawlstate.RedisCrawlState`` (every worker)."""

    def unseen(self, source_id: str, keys: Iterable[str]) -> list[str]: ...

    def mark_seen(self, source_id: str, key: str) -> None: ...

    def thread(self, source_id: str, thread_url: str) -> tuple[int, str] | None: ...

    def record_thread(
        self, source_id: str, thread_url: str, last_page: int, activity: str
    ) -> None: ...

    def record_revision(
        self, doc_id: str, content_hash: str, title: str, text_length: int
    ) -> None: ...

    def revisions(self, doc_id: str) -> list[Revision]: ...

    def page_memo(self, source_id: str, url: str) -> PageMemo | None: ...

    def record_page_memo(self, source_id: str, url: str, memo: PageMemo) -> None: ...

    def forget_page_memo(self, source_id: str, url: str) -> None: ...

    def count(self, source_id: str) -> int: ...

    def close(self) -> None: ...


class CrawlState:
    """What earlier passes did, per source: one SQLite file in the data directory."""

    def __init__(self, path: str | Path) -> None:
        # Losing the last seconds of it to a power cut only means asking those pages again;
        # a disk flush per remembered entry cost more than storing the document.
        self._db = open_state_file(
            path, _SCHEMA, "the crawl state", StoreError, flush_each_commit=False
        )
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> CrawlState:
        return cls(Path(data_dir) / "state.db")

    def unseen(self, source_id: str, keys: Iterable[str]) -> list[str]:
        """The keys of ``keys`` not collected yet, in their order."""
        keys = list(keys)
        with self._lock:
            seen = (
                {
                    row[0]
                    for row in self._db.execute(
                        "SELECT entry_key FROM seen_entries"
                        f" WHERE source_id = ? AND entry_key IN ({','.join('?' * len(keys))})",
                        [source_id, *keys],
                    )
                }
                if keys
                else set()
            )
        return [key for key in keys if key not in seen]

    def mark_seen(self, source_id: str, key: str) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO seen_entries (source_id, entry_key, first_seen)"
                " VALUES (?, ?, ?)",
                (source_id, key, now),
            )

    def thread(self, source_id: str, thread_url: str) -> tuple[int, str] | None:
        """(last page fetched, activity signature seen on the board) of a forum thread."""
        with self._lock:
            row = self._db.execute(
                "SELECT last_page, activity FROM threads WHERE source_id = ? AND thread_url = ?",
                (source_id, thread_url),
            ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def record_thread(self, source_id: str, thread_url: str, last_page: int, activity: str) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self._db.execute(
                "INSERT INTO threads (source_id, thread_url, last_page, activity, updated_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (source_id, thread_url) DO UPDATE SET last_page = excluded.last_page,"
                " activity = excluded.activity, updated_at = excluded.updated_at",
                (source_id, thread_url, last_page, activity, now),
            )

    def record_revision(self, doc_id: str, content_hash: str, title: str, text_length: int) -> None:
        """Remember a version of a document (its first, and each edit a pass finds), so an
        edited article's history can be shown: what it said when, how long it was."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._lock:
            last = self._db.execute(
                "SELECT content_hash FROM revisions WHERE doc_id = ?"
                " ORDER BY recorded_at DESC LIMIT 1",
                (doc_id,),
            ).fetchone()
            if last is not None and last[0] == content_hash:
                return
            self._db.execute(
                "INSERT OR IGNORE INTO revisions (doc_id, recorded_at, content_hash, title,"
                " text_length) VALUES (?, ?, ?, ?, ?)",
                (doc_id, now, content_hash, title, text_length),
            )

    def revisions(self, doc_id: str) -> list[Revision]:
        with self._lock:
            rows = self._db.execute(
                "SELECT recorded_at, content_hash, title, text_length FROM revisions"
                " WHERE doc_id = ? ORDER BY recorded_at",
                (doc_id,),
            ).fetchall()
        return [Revision(*row) for row in rows]

    def page_memo(self, source_id: str, url: str) -> PageMemo | None:
        with self._lock:
            row = self._db.execute(
                "SELECT rule, kept, links, comments FROM page_memos"
                " WHERE source_id = ? AND url = ?",
                (source_id, url),
            ).fetchone()
        if row is None:
            return None
        links, comments = json.loads(row[2]), json.loads(row[3])
        return PageMemo(
            str(row[0]),
            bool(row[1]),
            None if links is None else tuple(links),
            tuple((p, c) for p, c in comments),
        )

    def record_page_memo(self, source_id: str, url: str, memo: PageMemo) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO page_memos (source_id, url, rule, kept, links, comments)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    source_id,
                    url,
                    memo.rule,
                    int(memo.kept),
                    json.dumps(memo.links, ensure_ascii=False),
                    json.dumps(memo.comments, ensure_ascii=False),
                ),
            )

    def forget_page_memo(self, source_id: str, url: str) -> None:
        """The next pass reads the page again, even if the server answers 304."""
        with self._lock:
            self._db.execute(
                "DELETE FROM page_memos WHERE source_id = ? AND url = ?", (source_id, url)
            )

    def purge(
        self,
        doc_ids: Sequence[str],
        versions_before: datetime,
        seen_before: datetime,
        *,
        dry_run: bool = False,
    ) -> tuple[int, int]:
        """Retention: drop the revisions (titles) of purged documents and the earlier
        revisions recorded before ``versions_before`` (the latest of a document is what it
        is now, and stays), and feed entries first seen before ``seen_before``. Returns
        (revisions, seen entries) dropped. Page memos and thread progress stay: they hold
        URLs, no text, and a memo is what stops a page answered 304 from being read again
        from the cache and its purged documents coming back."""
        old_revision = (
            "recorded_at < ? AND recorded_at < (SELECT MAX(r.recorded_at) FROM revisions r"
            " WHERE r.doc_id = revisions.doc_id)"
        )
        of_purged = "doc_id IN (SELECT value FROM json_each(?))"
        revisions_where = f"({old_revision}) OR {of_purged}"
        args = (versions_before.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), json.dumps(list(doc_ids)))
        seen_args = (seen_before.strftime("%Y-%m-%dT%H:%M:%SZ"),)
        verb = "SELECT COUNT(*)" if dry_run else "DELETE"
        with self._lock:
            revisions = self._db.execute(f"{verb} FROM revisions WHERE {revisions_where}", args)
            seen = self._db.execute(f"{verb} FROM seen_entries WHERE first_seen < ?", seen_args)
            if dry_run:
                return int(revisions.fetchone()[0]), int(seen.fetchone()[0])
        return revisions.rowcount, seen.rowcount

    def count(self, source_id: str) -> int:
        with self._lock:
            return int(
                self._db.execute(
                    "SELECT COUNT(*) FROM seen_entries WHERE source_id = ?", (source_id,)
                ).fetchone()[0]
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
