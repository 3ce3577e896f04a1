"""The SQLite store's tables, and the upgrade of a file written by an older Traceur.

Version 1 held documents, their tags and the full-text index. Version 2 adds what the web
app reads: ``lang``, ``thread_url`` and ``position`` as columns (filled from the stored JSON
on upgrade), indexes for its filters and facets, earlier versions of edited documents, and
the volunteers' triage with its history; tags carry their document's date. It also moves
each document's JSON out of the ``documents`` row into ``document_data`` (same rowid) and
keeps a hash of the fingerprint instead of a second copy of the JSON: filters, facets and
counts walk ``documents`` rows, and at 100,000 documents rows of a few hundred bytes instead
of a few kilobytes are what keeps a search page under 150 ms.
"""

from __future__ import annotations

import hashlib
import sqlite3

from traceur.errors import StoreError

SCHEMA_VERSION = 2

# Version 1, as it was: a fresh file starts here and takes the same upgrade as an old one,
# so there is one path to version 2 and it is the one every test runs.
_SCHEMA_V1 = """
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

_V2_COLUMNS = (("lang", "TEXT"), ("thread_url", "TEXT"), ("position", "INTEGER"))

_SCHEMA_V2 = """
-- What filters and counts walk in date order, without reading the rows.
CREATE INDEX IF NOT EXISTS documents_listing
    ON documents (sort_at, seq, kind, source_id, domain, lang, cluster_id, id);
-- Filters and facets of the web app: an equality on the column, then the date order.
CREATE INDEX IF NOT EXISTS documents_domain ON documents (domain, sort_at);
CREATE INDEX IF NOT EXISTS documents_lang ON documents (lang, sort_at);
CREATE INDEX IF NOT EXISTS documents_kind ON documents (kind, sort_at);
CREATE INDEX IF NOT EXISTS documents_source ON documents (source_id, sort_at);
CREATE INDEX IF NOT EXISTS documents_cluster ON documents (cluster_id, sort_at);
CREATE INDEX IF NOT EXISTS documents_thread ON documents (thread_url, position);
-- Tag facets walk the tags of the matching documents...
CREATE INDEX IF NOT EXISTS document_tags_doc ON document_tags (doc_rowid, tag_kind, tag);
-- ...or, over a period alone (the dashboard), the tags by their document's date.
CREATE INDEX IF NOT EXISTS document_tags_time ON document_tags (tag_kind, sort_at, tag);
CREATE TABLE IF NOT EXISTS document_versions (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fetched_at TEXT,
    replaced_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS document_versions_doc ON document_versions (doc_id, rowid);
CREATE TABLE IF NOT EXISTS triage (
    doc_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    assignee TEXT,
    revision INTEGER NOT NULL,
    updated_at TEXT,
    updated_by TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS triage_state ON triage (state);
CREATE INDEX IF NOT EXISTS triage_assignee ON triage (assignee);
CREATE TABLE IF NOT EXISTS triage_events (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    action TEXT NOT NULL,
    value TEXT
);
CREATE INDEX IF NOT EXISTS triage_events_doc ON triage_events (doc_id, rowid);
"""


def prepare(db: sqlite3.Connection, path: object) -> None:
    """Create the tables of a new file, or upgrade an older one in place, in one
    transaction: a crash half-way leaves the file as it was."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the SQLite store {path} was written by a newer Traceur (schema {version},"
            f" this one knows {SCHEMA_VERSION}); upgrade Traceur to open it"
        )
    if version == SCHEMA_VERSION:
        _add_later_indexes(db)
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(_SCHEMA_V1):
            db.execute(statement)
        present = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
        for name, sql_type in _V2_COLUMNS:
            if name not in present:
                db.execute(f"ALTER TABLE documents ADD COLUMN {name} {sql_type}")
        tag_columns = {row[1] for row in db.execute("PRAGMA table_info(document_tags)")}
        if "sort_at" not in tag_columns:
            # Each tag carries its document's date (see document_tags_time).
            db.execute("ALTER TABLE document_tags ADD COLUMN sort_at TEXT")
            db.execute(
                "UPDATE document_tags SET sort_at ="
                " (SELECT d.sort_at FROM documents d WHERE d.rowid = document_tags.doc_rowid)"
            )
        db.execute(
            "CREATE TABLE IF NOT EXISTS document_data"
            " (rowid INTEGER PRIMARY KEY, data TEXT NOT NULL)"
        )
        if "data" in present:
            # Documents stored by version 1 carry these fields in their JSON only.
            db.execute(
                "UPDATE documents SET lang = json_extract(data, '$.lang'),"
                " thread_url = json_extract(data, '$.thread_url'),"
                " position = json_extract(data, '$.position')"
            )
            db.execute("INSERT INTO document_data (rowid, data) SELECT rowid, data FROM documents")
            # The same hash upsert computes now, so an unchanged page stays unchanged.
            db.create_function("traceur_fingerprint", 1, fingerprint_hash, deterministic=True)
            db.execute("UPDATE documents SET fingerprint = traceur_fingerprint(fingerprint)")
            db.execute("ALTER TABLE documents DROP COLUMN data")
        for statement in _statements(_SCHEMA_V2):
            db.execute(statement)
        for statement in _LATER_INDEXES:
            db.execute(statement)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


# Indexes that change no table, added to a file of the current version when it is opened
# for writing (an older Traceur opening the file just does not use them).
_LATER_INDEXES = (
    # The author filter (an access request, a volunteer following one forum member) reads
    # the author from each document's JSON: without this, a scan of every document.
    "CREATE INDEX IF NOT EXISTS document_data_author"
    " ON document_data (json_extract(data, '$.author'))",
)


def _add_later_indexes(db: sqlite3.Connection) -> None:
    for statement in _LATER_INDEXES:
        db.execute(statement)


def fingerprint_hash(fingerprint: str) -> str:
    """What the store keeps of a document's fingerprint (see ``sqlite._fingerprint``)."""
    return hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()


def _statements(script: str) -> list[str]:
    # executescript would commit the open transaction first; one statement at a time keeps
    # the whole upgrade in it.
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
