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
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from traceur.document import Document, format_utc
from traceur.enrich.query import parse
from traceur.errors import QueryError, StoreError
from traceur.store.base import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit, SearchQuery, UpsertResult
from traceur.store.fts5_query import Fts5Plan, to_fts5_plan

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    domain TEXT,
    sort_at TEXT,
    content_hash TEXT,
    cluster_id TEXT,
    fingerprint TEXT NOT NULL,
    seq INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sort_at ON documents (sort_at);
CREATE INDEX IF NOT EXISTS documents_seq ON documents (seq);
CREATE TABLE IF NOT EXISTS document_tags (
    doc_rowid INTEGER NOT NULL REFERENCES documents (rowid) ON DELETE CASCADE,
    tag_kind TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (tag_kind, tag, doc_rowid)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, text, tokenize = "unicode61 remove_diacritics 2"
);
"""
_FTS = "documents_fts"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def text_plan(text: str) -> Fts5Plan | None:
    """How the FTS5 index answers ``traceur search`` text (see ``traceur.query``), or None
    when it is blank. A malformed query is a ``StoreError`` naming the column and the fix."""
    if not text.strip():
        return None
    try:
        node = parse(text)
    except QueryError as exc:
        raise StoreError(
            f"cannot run the search {exc.quoted()}: {exc}; check quotes and parentheses"
        ) from exc
    return to_fts5_plan(node, _FTS, "d.rowid")


def _fingerprint(document: Document) -> str:
    # What a reader or an alert would notice; the fetch time alone is no change.
    data = document.to_dict()
    data.pop("fetched_at", None)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


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
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
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
        return result

    def _upsert_one(self, document: Document, seq: int) -> str:
        fingerprint = _fingerprint(document)
        row = self._db.execute(
            "SELECT rowid, fingerprint FROM documents WHERE id = ?", (document.id,)
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
            "fingerprint": fingerprint,
            "seq": seq,
            "now": now,
            "data": json.dumps(document.to_dict(), ensure_ascii=False),
        }
        if row is None:
            cursor = self._db.execute(
                "INSERT INTO documents (id, kind, source_id, domain, sort_at, content_hash,"
                " cluster_id, fingerprint, seq, stored_at, updated_at, data)"
                " VALUES (:id, :kind, :source_id, :domain,"
                " :sort_at, :content_hash, :cluster_id, :fingerprint, :seq, :now, :now, :data)",
                values,
            )
            rowid = cursor.lastrowid
            outcome = "new"
        else:
            rowid = row[0]
            self._db.execute(
                "UPDATE documents SET kind = :kind, source_id = :source_id, domain = :domain,"
                " sort_at = :sort_at, content_hash = :content_hash, cluster_id = :cluster_id,"
                " fingerprint = :fingerprint, seq = :seq, updated_at = :now, data = :data"
                " WHERE id = :id",
                values,
            )
            self._db.execute("DELETE FROM documents_fts WHERE rowid = ?", (rowid,))
            self._db.execute("DELETE FROM document_tags WHERE doc_rowid = ?", (rowid,))
            outcome = "updated"
        self._db.execute(
            "INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
            (rowid, document.title, document.text),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO document_tags (doc_rowid, tag_kind, tag) VALUES (?, ?, ?)",
            [(rowid, "candidate", c) for c in document.candidates]
            + [(rowid, "topic", t) for t in document.topics],
        )
        return outcome

    # -- reading -------------------------------------------------------------------

    def get(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return Document.from_dict(json.loads(row[0])) if row else None

    def _where(self, query: SearchQuery, plan: Fts5Plan | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if plan is not None:
            if plan.match is not None:
                clauses.append(f"{_FTS} MATCH ?")
                params.append(plan.match)
            if plan.condition is not None:
                # What FTS5 cannot say in one MATCH (a NOT with no term beside it): SQL over
                # the row ids of separate MATCHes.
                clauses.append(plan.condition)
                params.extend(plan.params)
        for tag_kind, tag in (("candidate", query.candidate), ("topic", query.topic)):
            if tag:
                clauses.append(
                    "EXISTS (SELECT 1 FROM document_tags t WHERE t.doc_rowid = d.rowid"
                    " AND t.tag_kind = ? AND t.tag = ?)"
                )
                params += [tag_kind, tag]
        if query.kind:
            clauses.append("d.kind = ?")
            params.append(query.kind)
        if query.source_id:
            clauses.append("d.source_id = ?")
            params.append(query.source_id)
        if query.since:
            clauses.append("d.sort_at >= ?")
            params.append(format_utc(query.since))
        if query.until:
            clauses.append("d.sort_at < ?")
            params.append(format_utc(query.until))
        if query.stored_since:
            # updated_at is written by _now(), in this same format: text order is time order.
            clauses.append("d.updated_at >= ?")
            params.append(query.stored_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search(self, query: SearchQuery) -> list[SearchHit]:
        plan = text_plan(query.text)
        where, params = self._where(query, plan)
        # Ranked and highlighted when FTS5 matches a positive part; a query with none
        # ("NOT tramway") lists like a filter, newest first.
        if plan is not None and plan.match is not None:
            sql = (
                "SELECT d.data, bm25(documents_fts, 5.0, 1.0),"
                f" highlight(documents_fts, 0, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}'),"
                f" snippet(documents_fts, 1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 24)"
                " FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid"
                f"{where} ORDER BY bm25(documents_fts, 5.0, 1.0), d.sort_at DESC LIMIT ?"
            )
        else:
            sql = (
                f"SELECT d.data, 0.0, NULL, NULL FROM documents d{where}"
                " ORDER BY d.sort_at DESC, d.seq DESC LIMIT ?"
            )
        with self._lock:
            try:
                rows = self._db.execute(sql, [*params, query.limit]).fetchall()
            except sqlite3.OperationalError as exc:
                raise StoreError(
                    f"cannot run the search {query.text!r}: {exc}; check quotes and parentheses"
                ) from exc
        hits: list[SearchHit] = []
        for data, rank, title_marked, snippet in rows:
            fragments = tuple(
                fragment
                for fragment in (title_marked, snippet)
                if fragment and HIGHLIGHT_START in fragment
            )
            # bm25() is lower-is-better and negative; report higher-is-better.
            hits.append(SearchHit(Document.from_dict(json.loads(data)), -float(rank), fragments))
        return hits

    def count(self, query: SearchQuery | None = None) -> int:
        query = query or SearchQuery()
        plan = text_plan(query.text)
        where, params = self._where(query, plan)
        join = (
            f" JOIN {_FTS} ON {_FTS}.rowid = d.rowid"
            if plan is not None and plan.match is not None
            else ""
        )
        with self._lock:
            try:
                return int(
                    self._db.execute(
                        f"SELECT COUNT(*) FROM documents d{join}{where}", params
                    ).fetchone()[0]
                )
            except sqlite3.OperationalError as exc:
                raise StoreError(
                    f"cannot run the search {query.text!r}: {exc}; check quotes and parentheses"
                ) from exc

    def iter_documents(self) -> Iterator[Document]:
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT rowid, data FROM documents WHERE rowid > ? ORDER BY rowid LIMIT 500",
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
                "SELECT seq, data FROM documents WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
            ).fetchall()
        if not rows:
            return [], watermark
        return [Document.from_dict(json.loads(data)) for _, data in rows], str(rows[-1][0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
