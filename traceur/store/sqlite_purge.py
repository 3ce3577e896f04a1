"""Retention in the SQLite store: deleting expired documents with everything that hangs
on them, and keeping the file from holding their text afterwards. Callers hold the
store's lock.

Deleted rows leave their bytes in free pages, and FTS5 keeps the words of a deleted text
in its index segments until they are merged. So a purge turns ``secure_delete`` on (freed
pages are zeroed as they are freed), merges the full-text index (``optimize``) when it
deleted something, and checkpoints the write-ahead log, which holds page images too.
Compaction (``VACUUM``) is separate: it rewrites the whole file under an exclusive lock,
which blocks writers for as long as it takes, and needs as much free disk again; after a
daily purge of a few days' worth of documents the file has a little free space that the
next writes reuse anyway. It runs when free pages reach ``COMPACT_FREE_SHARE`` of the
file, the moment when the space is worth the lock (a month's purge, or a large erasure).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence

from traceur.document import format_utc
from traceur.store.expiry import ExpiryPlan, StorePurge
from traceur.store.triage import format_ms

log = logging.getLogger(__name__)

# Free pages, as a share of the file, from which a purge compacts it (see the docstring).
COMPACT_FREE_SHARE = 0.2
_BATCH = 500

_EXPIRED = (
    "SELECT d.rowid, d.id FROM documents d JOIN document_data x ON x.rowid = d.rowid"
    " WHERE d.kind = :kind AND COALESCE(d.sort_at, d.stored_at) < :cutoff"
    " AND COALESCE(json_extract(x.data, '$.fetched_at'), d.stored_at) < :cutoff"
)
_IDS = "(SELECT value FROM json_each(?))"


def purge_expired(db: sqlite3.Connection, plan: ExpiryPlan) -> StorePurge:
    """Delete (or count, in a dry run) what ``plan`` says has expired."""
    result = StorePurge()
    rows: list[tuple[int, str]] = []
    for kind, cutoff in sorted(plan.cutoffs.items()):
        found = db.execute(_EXPIRED, {"kind": kind, "cutoff": format_utc(cutoff)}).fetchall()
        result.documents[kind] = len(found)
        rows += found
    result.doc_ids = [doc_id for _, doc_id in rows]
    versions_before = format_ms(plan.versions_before)
    if plan.dry_run:
        for start in range(0, len(rows), _BATCH):
            ids = json.dumps(result.doc_ids[start : start + _BATCH])
            result.triage += _count(db, f"SELECT COUNT(*) FROM triage WHERE doc_id IN {_IDS}", ids)
            result.triage_events += _count(
                db, f"SELECT COUNT(*) FROM triage_events WHERE doc_id IN {_IDS}", ids
            )
        result.versions = _count(
            db,
            f"SELECT COUNT(*) FROM document_versions WHERE replaced_at < ? OR doc_id IN {_IDS}",
            versions_before,
            json.dumps(result.doc_ids),
        )
        return result
    db.execute("PRAGMA secure_delete = ON")
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(rows), _BATCH):
                _delete_documents(db, rows[start : start + _BATCH], result)
            result.versions += db.execute(
                "DELETE FROM document_versions WHERE replaced_at < ?", (versions_before,)
            ).rowcount
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if rows:
            # Merges the full-text segments, which drops the words of the deleted texts.
            db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")
    finally:
        db.execute("PRAGMA secure_delete = OFF")
    result.compacted = compact_if_worth_it(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return result


def _count(db: sqlite3.Connection, sql: str, *args: object) -> int:
    return int(db.execute(sql, args).fetchone()[0])


def _delete_documents(
    db: sqlite3.Connection, rows: Sequence[tuple[int, str]], result: StorePurge
) -> None:
    rowids = json.dumps([rowid for rowid, _ in rows])
    ids = json.dumps([doc_id for _, doc_id in rows])
    for table, column in (
        ("documents_fts", "rowid"),
        ("document_tags", "doc_rowid"),
        ("document_data", "rowid"),
        ("documents", "rowid"),
    ):
        db.execute(f"DELETE FROM {table} WHERE {column} IN {_IDS}", (rowids,))
    result.versions += db.execute(
        f"DELETE FROM document_versions WHERE doc_id IN {_IDS}", (ids,)
    ).rowcount
    result.triage += db.execute(f"DELETE FROM triage WHERE doc_id IN {_IDS}", (ids,)).rowcount
    result.triage_events += db.execute(
        f"DELETE FROM triage_events WHERE doc_id IN {_IDS}", (ids,)
    ).rowcount


def compact_if_worth_it(db: sqlite3.Connection, share: float = COMPACT_FREE_SHARE) -> bool:
    """VACUUM when free pages are at least ``share`` of the file; True when it did."""
    pages = _count(db, "PRAGMA page_count")
    free = _count(db, "PRAGMA freelist_count")
    if not pages or free < pages * share:
        return False
    try:
        db.execute("VACUUM")
    except sqlite3.OperationalError as exc:
        # Another process reading or writing the store: the next purge tries again.
        log.warning("SQLite store not compacted (%s); the next purge will try again", exc)
        return False
    log.info("SQLite store compacted: %d free pages of %d released", free, pages)
    return True
