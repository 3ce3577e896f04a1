"""The embedded store: one SQLite file, full-text search with FTS5.

FTS5's ``unicode61`` tokenizer with ``remove_diacritics 2`` folds case and accents,
so "elodie" finds "Élodie". Search text is parsed by ``traceur.query`` and run as one
FTS5 MATCH (ranked by bm25, highlighted), plus, for a NOT that FTS5 cannot express alone
("NOT tramway"), an SQL condition over the row ids of other MATCHes. Writes are serialised
by a lock so the store can be used from a worker thread (pipelines keep blocking I/O off
the reactor).

Known limit: unicode61 knows Unicode 6.1, and takes a character it does not know (an emoji
newer than 2012) for a word, where ``traceur.query`` and Elasticsearch see none; a phrase or
a NEAR across such a character may then differ by one word.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import traceur.store.sqlite_purge as sqlite_purge
import traceur.store.sqlite_query as sqlite_query
import traceur.store.sqlite_triage as sqlite_triage
from traceur.document import Document, format_utc, parse_utc
from traceur.errors import StoreError
from traceur.store.base import (
    UNSET,
    DocumentVersion,
    SearchHit,
    SearchPage,
    SearchQuery,
    Triage,
    TriageEvent,
    UpsertResult,
)
from traceur.store.expiry import ExpiryPlan, StorePurge
from traceur.store.sqlite_hits import HitSets
from traceur.store.sqlite_query import text_plan
from traceur.store.sqlite_schema import SCHEMA_VERSION, fingerprint_hash, prepare
from traceur.store.triage import format_ms, now_ms, parse_ms

__all__ = ["SCHEMA_VERSION", "SqliteStore", "text_plan"]


def _now() -> str:
    return format_ms(now_ms())


def _fingerprint(data: dict[str, Any]) -> str:
    """Of a document's ``to_dict()``: what a reader or an alert would notice; the fetch time
    alone is no change."""
    noticed = {key: value for key, value in data.items() if key != "fetched_at"}
    return fingerprint_hash(json.dumps(noticed, sort_keys=True, ensure_ascii=False))


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing Traceur store: commands that only read (search,
    export) never create a store, nor write a schema into some other SQLite file."""
    if not path.is_file():
        raise StoreError(
            f"there is no store at {path} yet; collect documents first (traceur run, or"
            " traceur demo), or check the store setting (TRACEUR_STORE)"
        )
    try:
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=30,
            check_same_thread=False,
            isolation_level=None,
        )
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot read the SQLite store {path}: {exc}; check the store setting"
            " (TRACEUR_STORE) and that this user may read the file"
        ) from exc
    if "documents" not in tables:
        db.close()
        raise StoreError(
            f"{path} is not a Traceur store (it has no documents table); check the store"
            " setting (TRACEUR_STORE)"
        )
    return db


class SqliteStore:
    """Documents in one SQLite file. ``path`` may be ``":memory:"``."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._hits = HitSets()
        if read_only:
            self._db = _open_read_only(Path(path))
            return
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(path), timeout=30, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            prepare(self._db, path)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"cannot open the SQLite store {path}: {exc}; check the store setting"
                " (TRACEUR_STORE) and that this user may write the file and its folder"
            ) from exc

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # -- writing -------------------------------------------------------------------

    def upsert(self, documents: Iterable[Document]) -> UpsertResult:
        result = UpsertResult()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0]
                for document in documents:
                    seq += 1
                    outcome = self._upsert_one(document, seq)
                    getattr(result, outcome).append(document.id)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"cannot write to the SQLite store {self.path}: {exc}") from exc
            except BaseException:
                # Not SQLite's (a value it cannot bind): nothing of the call is kept, and the
                # connection is not left inside a transaction the next write cannot begin.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        return result

    def _upsert_one(self, document: Document, seq: int) -> str:
        # Built once for the fingerprint and the stored copy (the fingerprint's own call
        # of to_dict was a tenth of a write's Python time).
        data = document.to_dict()
        fingerprint = _fingerprint(data)
        row = self._db.execute(
            "SELECT d.rowid, d.fingerprint, x.data FROM documents d"
            " JOIN document_data x ON x.rowid = d.rowid WHERE d.id = ?",
            (document.id,),
        ).fetchone()
        if row is not None and row[1] == fingerprint:
            return "unchanged"
        now = _now()
        values: dict[str, Any] = {
            "id": document.id,
            "kind": document.kind,
            "source_id": document.source_id,
            "domain": document.domain,
            "sort_at": format_utc(document.published_at or document.fetched_at),
            "content_hash": document.content_hash,
            "cluster_id": document.cluster_id,
            "lang": document.lang,
            "thread_url": document.thread_url,
            "position": document.position,
            "fingerprint": fingerprint,
            "seq": seq,
            "now": now,
            "data": json.dumps(data, ensure_ascii=False),
        }
        if row is None:
            cursor = self._db.execute(
                "INSERT INTO documents (id, kind, source_id, domain, sort_at, content_hash,"
                " cluster_id, lang, thread_url, position, fingerprint, seq, stored_at,"
                " updated_at)"
                " VALUES (:id, :kind, :source_id, :domain, :sort_at, :content_hash, :cluster_id,"
                " :lang, :thread_url, :position, :fingerprint, :seq, :now, :now)",
                values,
            )
            rowid = cursor.lastrowid
            self._db.execute(
                "INSERT INTO document_data (rowid, data) VALUES (?, ?)", (rowid, values["data"])
            )
            outcome = "new"
        else:
            rowid = row[0]
            self._keep_version(json.loads(row[2]), document, now)
            self._db.execute(
                "UPDATE documents SET kind = :kind, source_id = :source_id, domain = :domain,"
                " sort_at = :sort_at, content_hash = :content_hash, cluster_id = :cluster_id,"
                " lang = :lang, thread_url = :thread_url, position = :position,"
                " fingerprint = :fingerprint, seq = :seq, updated_at = :now"
                " WHERE id = :id",
                values,
            )
            self._db.execute(
                "UPDATE document_data SET data = ? WHERE rowid = ?", (values["data"], rowid)
            )
            self._db.execute("DELETE FROM documents_fts WHERE rowid = ?", (rowid,))
            self._db.execute("DELETE FROM document_tags WHERE doc_rowid = ?", (rowid,))
            outcome = "updated"
        self._db.execute(
            "INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
            (rowid, document.title, document.text),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO document_tags (doc_rowid, tag_kind, tag, sort_at)"
            " VALUES (?, ?, ?, ?)",
            [(rowid, "candidate", c, values["sort_at"]) for c in document.candidates]
            + [(rowid, "topic", t, values["sort_at"]) for t in document.topics],
        )
        return outcome

    def _keep_version(self, old: dict[str, Any], document: Document, now: str) -> None:
        """Keep the stored title and text when the new version changes them (an edited
        page); a change of tags or of the fetch time alone is no new version."""
        if old.get("title", "") == document.title and old.get("text", "") == document.text:
            return
        self._db.execute(
            "INSERT INTO document_versions"
            " (doc_id, title, text, content_hash, fetched_at, replaced_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                document.id,
                old.get("title", ""),
                old.get("text", ""),
                old.get("content_hash", ""),
                old.get("fetched_at"),
                now,
            ),
        )

    # -- reading -------------------------------------------------------------------

    def get(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT x.data FROM documents d JOIN document_data x ON x.rowid = d.rowid"
                " WHERE d.id = ?",
                (doc_id,),
            ).fetchone()
        return Document.from_dict(json.loads(row[0])) if row else None

    def stored(self, doc_ids: Sequence[str]) -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(doc_ids)),),
            ).fetchall()
        return {str(row[0]) for row in rows}

    def _read(self, query: SearchQuery) -> SearchPage:
        with self._lock:
            return sqlite_query.search_page(self._db, self._hits, query)

    def search(self, query: SearchQuery) -> list[SearchHit]:
        return self._read(query).hits

    def count(self, query: SearchQuery | None = None) -> int:
        with self._lock:
            return sqlite_query.count(self._db, self._hits, query or SearchQuery())

    def iter_documents(self) -> Iterator[Document]:
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT rowid, data FROM document_data WHERE rowid > ? ORDER BY rowid"
                    " LIMIT 500",
                    (last,),
                ).fetchall()
            if not rows:
                return
            for rowid, data in rows:
                last = rowid
                yield Document.from_dict(json.loads(data))

    def changed_since(
        self, watermark: str | None, limit: int = 500
    ) -> tuple[list[Document], str | None]:
        after = int(watermark) if watermark else 0
        with self._lock:
            rows = self._db.execute(
                "SELECT d.seq, x.data FROM documents d JOIN document_data x ON x.rowid = d.rowid"
                " WHERE d.seq > ? ORDER BY d.seq LIMIT ?",
                (after, limit),
            ).fetchall()
        if not rows:
            return [], watermark
        return [Document.from_dict(json.loads(data)) for _, data in rows], str(rows[-1][0])

    # -- what the web app reads ----------------------------------------------------

    def search_page(self, query: SearchQuery) -> SearchPage:
        return self._read(query)

    def facets(
        self, query: SearchQuery, fields: Sequence[str], size: int = 20
    ) -> dict[str, list[tuple[str, int]]]:
        with self._lock:
            return sqlite_query.facets(self._db, self._hits, query, fields, size)

    def daily_counts(
        self, query: SearchQuery, field: str, tz: str = "Europe/Paris"
    ) -> list[tuple[date, str, int]]:
        with self._lock:
            return sqlite_query.daily_counts(self._db, query, field, tz)

    def cluster_members(self, cluster_id: str, limit: int = 50) -> list[Document]:
        with self._lock:
            return sqlite_query.documents_where(
                self._db, "d.cluster_id = ?", [cluster_id], "d.sort_at DESC, d.seq DESC", limit
            )

    def thread(self, thread_url: str, limit: int = 500) -> list[Document]:
        with self._lock:
            return sqlite_query.documents_where(
                self._db,
                "d.thread_url = ?",
                [thread_url],
                # Posts without a position (comments read from a flat list) after the
                # numbered ones, by date.
                "d.position IS NULL, d.position, d.sort_at IS NULL, d.sort_at, d.seq",
                limit,
            )

    def versions(self, doc_id: str) -> list[DocumentVersion]:
        with self._lock:
            rows = self._db.execute(
                "SELECT title, text, content_hash, fetched_at, replaced_at FROM document_versions"
                " WHERE doc_id = ? ORDER BY rowid DESC",
                (doc_id,),
            ).fetchall()
        return [
            DocumentVersion(
                doc_id, title, text, content_hash, parse_utc(fetched), parse_ms(replaced)
            )
            for title, text, content_hash, fetched, replaced in rows
        ]

    # -- triage --------------------------------------------------------------------

    def triage(self, doc_ids: Sequence[str]) -> dict[str, Triage]:
        with self._lock:
            return sqlite_triage.read_triage(self._db, doc_ids)

    def update_triage(
        self,
        doc_id: str,
        *,
        by: str,
        expected_revision: int,
        state: str | None = None,
        assignee: str | None | object = UNSET,
        comment: str | None = None,
    ) -> Triage:
        with self._lock:
            try:
                return sqlite_triage.update_triage(
                    self._db,
                    doc_id,
                    by=by,
                    expected_revision=expected_revision,
                    state=state,
                    assignee=assignee,
                    comment=comment,
                )
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot write the triage of {doc_id} to the SQLite store {self.path}: {exc}"
                ) from exc

    def triage_history(self, doc_id: str) -> list[TriageEvent]:
        with self._lock:
            return sqlite_triage.triage_history(self._db, doc_id)

    # -- retention -----------------------------------------------------------------

    def purge_expired(self, plan: ExpiryPlan) -> StorePurge:
        """Delete the documents ``plan`` says have expired, with their FTS entries, tags,
        versions and triage; compact the file when worth it (``sqlite_purge``)."""
        with self._lock:
            try:
                return sqlite_purge.purge_expired(self._db, plan)
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot purge the SQLite store {self.path}: {exc}; check that this user"
                    " may write the file, then run `traceur purge` again"
                ) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()
