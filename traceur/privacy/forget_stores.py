"""Removing documents from the store for good: rows, full-text entries, versions, triage.

A store's protocol has no deletion (nothing else deletes), and erasure needs more than a
delete: the physical compaction each backend needs so the deleted text is gone from its
files too. So this module knows the two backends by name, and says what each needs.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from traceur.config import Settings
from traceur.errors import StoreError
from traceur.store import Store, sqlite_path

log = logging.getLogger(__name__)

# Ids per statement or request: far below SQLite's and Elasticsearch's limits.
_BATCH = 500
# How long the erasure waits for Elasticsearch to merge deleted documents away, and
# between two tries (seconds): a retention lease lets go of them within about 30 s.
EXPUNGE_WAIT = 120.0
EXPUNGE_POLL = 3.0


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
    from elasticsearch import ApiError

    client, names = store.client, store.names
    counts = {"documents": 0, "versions": 0, "triage": 0, "triage_events": 0}
    try:
        if doc_ids:
            # What another process wrote a moment ago must be visible to the searches.
            client.indices.refresh(
                index=[names.read_alias, names.versions, names.triage], ignore_unavailable=True
            )
        for batch in _batches(doc_ids):
            # Found by search, deleted by (index, id) in one bulk request: delete-by-query
            # needs the reindex module, which a minimal distribution may lack.
            found = {
                "documents": _hits(client, names.read_alias, {"ids": {"values": batch}}),
                "versions": _hits(client, names.versions, {"terms": {"doc_id": batch}}),
                "triage": _hits(client, names.triage, {"ids": {"values": batch}}),
            }
            counts["triage_events"] += _events(client, names.triage, batch)
            for place, hits in found.items():
                counts[place] += len(hits)
            if not dry_run:
                actions = [
                    {"delete": {"_index": index, "_id": ident}}
                    for hits in found.values()
                    for index, ident in hits
                ]
                if actions:
                    answer = client.bulk(operations=actions, refresh=True)
                    failed = [
                        item["delete"]
                        for item in answer["items"]
                        if item["delete"].get("status") not in (200, 404)
                    ]
                    if failed:
                        raise StoreError(
                            f"Elasticsearch at {store.display_url} refused to delete"
                            f" {len(failed)} documents ({failed[0].get('error')}); run the"
                            " same request again (it removes what is left)"
                        )
        if not dry_run:
            # Run even when nothing was found: a request made again finishes the merge an
            # earlier one gave up on.
            left = _expunge(client, [names.pattern, names.versions, names.triage])
            if left:
                log.warning(
                    "Elasticsearch still holds %d deleted documents in its segments after"
                    " %.0f s (a retention lease keeps them); run the same traceur forget"
                    " again later to merge them away",
                    left,
                    EXPUNGE_WAIT,
                )
            counts["es_segments_pending"] = left
    except (ApiError, TransportError) as exc:
        raise StoreError(
            f"Elasticsearch at {store.display_url} did not complete the erasure: {exc};"
            " run the same request again once it answers (it removes what is left)"
        ) from exc
    return counts


def _expunge(client: Any, indices: list[str]) -> int:
    """Deleted documents stay in Lucene's segments (their _source with them) until a merge;
    merge them away now, and flush the translog that also holds them. Returns how many
    deleted documents the segments still hold when ``EXPUNGE_WAIT`` is over."""
    # A segment is only rewritten past ``expunge_deletes_allowed`` percent of deleted
    # documents (10 by default): 0 makes every segment holding one count.
    existing = list(
        client.indices.get(index=indices, allow_no_indices=True, ignore_unavailable=True)
    )
    if not existing:
        return 0
    client.indices.put_settings(
        index=existing, settings={"index.merge.policy.expunge_deletes_allowed": 0}
    )
    # Soft deletes are kept for replicas' recovery until their retention lease moves past
    # them, which a background sync does about every 30 seconds after a flush: merge
    # until none is left, or give up and say so.
    give_up = time.monotonic() + EXPUNGE_WAIT
    while True:
        client.indices.flush(index=existing)
        client.indices.forcemerge(index=existing, only_expunge_deletes=True)
        stats = client.indices.stats(index=existing, metric="docs")
        left = int(stats["_all"]["primaries"].get("docs", {}).get("deleted", 0))
        if left == 0 or time.monotonic() >= give_up:
            return left
        time.sleep(EXPUNGE_POLL)


def _hits(client: Any, index: str, query: dict[str, Any]) -> list[tuple[str, str]]:
    """(index, id) of every document matching ``query`` (none when ``index`` is missing:
    no version or triage was ever written)."""
    from elasticsearch import NotFoundError

    try:
        found = client.search(
            index=index, query=query, size=10_000, source=False, ignore_unavailable=True
        )
    except NotFoundError:
        return []
    return [(hit["_index"], hit["_id"]) for hit in found["hits"]["hits"]]


def _events(client: Any, index: str, batch: list[str]) -> int:
    from elasticsearch import NotFoundError

    try:
        got = client.mget(index=index, ids=batch, source_includes=["events"])
    except NotFoundError:
        return 0
    return sum(len((doc.get("_source") or {}).get("events") or []) for doc in got["docs"])
