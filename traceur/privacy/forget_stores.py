"""Removing documents from the store for good: rows, full-text entries, versions, triage.

A store's protocol has no deletion (nothing else deletes), and erasure needs more than a
delete: the physical compaction each backend needs so the deleted text is gone from its
files too. So this module knows the two backends by name, and says what each needs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from traceur.config import Settings
from traceur.errors import StoreError
from traceur.store import Store, sqlite_path

# Ids per statement or request: far below SQLite's and Elasticsearch's limits.
_BATCH = 500


def remove_documents(
    store: Store, settings: Settings, doc_ids: Sequence[str], *, dry_run: bool
) -> dict[str, int]:
    """Remove ``doc_ids`` with their versions and triage from ``store``; counts per place
    ("documents", "versions", "triage", "triage_events"). ``dry_run``: count only."""
    if settings.store.startswith("sqlite:"):
        return _sqlite(sqlite_path(settings.store), doc_ids, dry_run=dry_run)
    from traceur.store.elasticsearch import ElasticsearchStore

    if isinstance(store, ElasticsearchStore):
        return _elasticsearch(store, doc_ids, dry_run=dry_run)
    raise StoreError(f"{store!r}: erasure knows the SQLite and Elasticsearch stores only")


def _batches(ids: Sequence[str]) -> list[list[str]]:
    return [list(ids[i : i + _BATCH]) for i in range(0, len(ids), _BATCH)]


# -- SQLite ------------------------------------------------------------------------------


def compact_sqlite(db: sqlite3.Connection, *, fts: str | None = None) -> None:
    """After a deletion: merge the FTS5 table ``fts`` (its segments keep deleted words
    until merged), rebuild the file (VACUUM: no freed page keeps old text) and empty the
    write-ahead log into it (a checkpoint that truncates the ``-wal`` file)."""
    if fts is not None:
        db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _sqlite(path: Path, doc_ids: Sequence[str], *, dry_run: bool) -> dict[str, int]:
    counts = {"documents": 0, "versions": 0, "triage": 0, "triage_events": 0}
    if not path.is_file():
        return counts
    uri = f"{path.resolve().as_uri()}{'?mode=ro' if dry_run else ''}"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite store {path}: {exc}") from exc
    try:
        # Deleted content is overwritten with zeros at once, not left in free pages.
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA foreign_keys=ON")
        if not dry_run:
            db.execute("BEGIN IMMEDIATE")
        for batch in _batches(doc_ids):
            ids = json.dumps(batch)
            rowids = [
                row[0]
                for row in db.execute(
                    "SELECT rowid FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                    (ids,),
                )
            ]
            counts["documents"] += len(rowids)
            for place, table in (
                ("versions", "document_versions"),
                ("triage", "triage"),
                ("triage_events", "triage_events"),
            ):
                counts[place] += db.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE doc_id IN"
                    " (SELECT value FROM json_each(?))",
                    (ids,),
                ).fetchone()[0]
            if dry_run:
                continue
            rows = json.dumps(rowids)
            for table, column in (
                ("documents_fts", "rowid"),
                ("document_tags", "doc_rowid"),
                ("document_data", "rowid"),
                ("documents", "rowid"),
            ):
                db.execute(
                    f"DELETE FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))",
                    (rows,),
                )
            for table in ("document_versions", "triage", "triage_events"):
                db.execute(
                    f"DELETE FROM {table} WHERE doc_id IN (SELECT value FROM json_each(?))",
                    (ids,),
                )
        if not dry_run:
            db.execute("COMMIT")
            compact_sqlite(db, fts="documents_fts")
    except sqlite3.Error as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise StoreError(
            f"cannot remove documents from the SQLite store {path}: {exc}; stop the"
            " commands using it (traceur schedule, web) and run the request again"
        ) from exc
    finally:
        db.close()
    return counts


# -- Elasticsearch -----------------------------------------------------------------------


def _elasticsearch(store: Any, doc_ids: Sequence[str], *, dry_run: bool) -> dict[str, int]:
    from elastic_transport import TransportError
    from elasticsearch import ApiError, NotFoundError

    client, names = store.client, store.names
    places = (
        ("documents", names.read_alias, "ids"),
        ("versions", names.versions, "doc_id"),
        ("triage", names.triage, "ids"),
    )
    counts = {"documents": 0, "versions": 0, "triage": 0, "triage_events": 0}
    try:
        for batch in _batches(doc_ids):
            for place, index, field in places:
                query: dict[str, Any] = (
                    {"ids": {"values": batch}} if field == "ids" else {"terms": {field: batch}}
                )
                if place == "triage":
                    # Each triage document holds its history: count the events it takes.
                    counts["triage_events"] += _events(client, index, batch)
                try:
                    if dry_run:
                        counts[place] += int(client.count(index=index, query=query)["count"])
                    else:
                        done = client.delete_by_query(
                            index=index, query=query, refresh=True, conflicts="proceed"
                        )
                        counts[place] += int(done.get("deleted", 0))
                except NotFoundError:
                    continue  # no such index yet (no version, no triage ever written)
        if not dry_run and doc_ids:
            # Deleted documents stay in Lucene's segments (and their _source with them)
            # until a merge; expunge them now, and flush the translog that also holds them.
            # A segment is only rewritten past ``expunge_deletes_allowed`` percent of
            # deleted documents (10 by default): 0 makes every segment holding one count.
            indices = [names.pattern, names.versions, names.triage]
            client.indices.put_settings(
                index=indices,
                settings={"index.merge.policy.expunge_deletes_allowed": 0},
                allow_no_indices=True,
            )
            client.indices.forcemerge(
                index=indices, only_expunge_deletes=True, allow_no_indices=True
            )
            client.indices.flush(index=indices, allow_no_indices=True)
    except (ApiError, TransportError) as exc:
        raise StoreError(
            f"Elasticsearch at {store.display_url} did not complete the erasure: {exc};"
            " run the same request again once it answers (it removes what is left)"
        ) from exc
    return counts


def _events(client: Any, index: str, batch: list[str]) -> int:
    from elasticsearch import NotFoundError

    try:
        got = client.mget(index=index, ids=batch, source_includes=["events"])
    except NotFoundError:
        return 0
    return sum(len((doc.get("_source") or {}).get("events") or []) for doc in got["docs"])
