"""Retention in the Elasticsearch store.

Documents live in monthly indices named after the month they were first written
(``<prefix>-docs-YYYY.MM``, see ``es_template.IndexNames``); an update stays in the index
that holds the document. An index every document of which has expired is deleted whole:
cheaper than deleting its documents one by one, and nothing of them stays in its segments.
In an index that still holds documents to keep, the expired ones are deleted by id, and
a merge that expunges deleted documents is asked for (in the background), so their text
does not linger in the segments until Elasticsearch merges them on its own. The index
the write alias points at is never deleted whole (the next document would recreate it
without its alias). The triage index (under each document's id) and the versions index
(``doc_id``) follow their documents; versions also expire on their own, from the moment
they were replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers

from traceur.document import format_utc
from traceur.errors import StoreError
from traceur.store.es_template import IndexNames
from traceur.store.expiry import ExpiryPlan, StorePurge
from traceur.store.triage import format_ms

log = logging.getLogger(__name__)

_BATCH = 1000  # ids per request to the triage and versions indices


def _before(field: str, cutoff: str) -> dict[str, Any]:
    # A document without this date counts from when the store wrote it.
    missing = {
        "bool": {
            "must_not": {"exists": {"field": field}},
            "filter": {"range": {"stored_at": {"lt": cutoff}}},
        }
    }
    return {"bool": {"should": [{"range": {field: {"lt": cutoff}}}, missing]}}


def expired_query(plan: ExpiryPlan) -> dict[str, Any]:
    """The documents ``plan`` says have expired (see ``traceur.store.expiry``)."""
    clauses = [
        {
            "bool": {
                "filter": [
                    {"term": {"kind": kind}},
                    _before("sort_at", format_utc(cutoff) or ""),
                    _before("fetched_at", format_utc(cutoff) or ""),
                ]
            }
        }
        for kind, cutoff in sorted(plan.cutoffs.items())
    ]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _batches(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def purge_expired(
    client: Elasticsearch, names: IndexNames, plan: ExpiryPlan, display_url: str
) -> StorePurge:
    """Delete (or count, in a dry run) what ``plan`` says has expired."""
    try:
        return _purge(client, names, plan)
    except (ApiError, TransportError) as exc:
        raise StoreError(
            f"cannot purge Elasticsearch at {display_url}: {exc}; what was deleted stays"
            " deleted, run `traceur purge` again once the cluster answers"
        ) from exc


def _purge(client: Elasticsearch, names: IndexNames, plan: ExpiryPlan) -> StorePurge:
    result = StorePurge()
    client.options(ignore_status=404).indices.refresh(index=names.read_alias)
    indices = _aliased(client, names.read_alias)
    writing = set(_aliased(client, names.write_alias))
    query = expired_query(plan)
    result.documents.update(dict.fromkeys(plan.cutoffs, 0))  # every kind, counted or not
    for index in indices:
        expired = _expired_in(client, index, query, result)
        total = int(client.count(index=index)["count"])
        if index not in writing and expired == total:
            result.indices.append(index)
            if not plan.dry_run:
                client.indices.delete(index=index)
                log.info(
                    "Elasticsearch index %s deleted: all its %d documents expired", index, total
                )
        elif expired and not plan.dry_run:
            _delete(client, index, result.doc_ids[-expired:])
            client.indices.forcemerge(
                index=index, only_expunge_deletes=True, wait_for_completion=False
            )
    _purge_side_indices(client, names, plan, result)
    return result


def _aliased(client: Elasticsearch, alias: str) -> list[str]:
    """The indices behind ``alias``; none when it does not exist (a store never set up)."""
    found = client.options(ignore_status=404).indices.get_alias(name=alias)
    return [] if found.meta.status == 404 else sorted(found.body)


def _expired_in(
    client: Elasticsearch, index: str, query: dict[str, Any], result: StorePurge
) -> int:
    """Count the expired documents of ``index`` per kind and note their ids."""
    found = 0
    for hit in helpers.scan(
        client, index=index, query={"query": query, "_source": ["kind"]}, size=1000
    ):
        result.documents[str(hit["_source"].get("kind", ""))] += 1
        result.doc_ids.append(hit["_id"])
        found += 1
    return found


def _purge_side_indices(
    client: Elasticsearch, names: IndexNames, plan: ExpiryPlan, result: StorePurge
) -> None:
    quiet = client.options(ignore_status=404)
    versions_expired: dict[str, Any] = {
        "range": {"replaced_at": {"lt": format_ms(plan.versions_before)}}
    }
    for batch in _batches(result.doc_ids):
        triage = quiet.search(
            index=names.triage,
            query={"ids": {"values": batch}},
            size=len(batch),
            source_includes=["events"],
        )
        for hit in triage.get("hits", {}).get("hits", []):
            result.triage += 1
            result.triage_events += len(hit["_source"].get("events") or [])
    of_purged = [{"terms": {"doc_id": batch}} for batch in _batches(result.doc_ids)]
    versions_query = {"bool": {"should": [versions_expired, *of_purged]}}
    versions: list[str] = []
    if client.indices.exists(index=names.versions):
        versions = [
            hit["_id"]
            for hit in helpers.scan(
                client, index=names.versions, query={"query": versions_query, "_source": False}
            )
        ]
    result.versions = len(versions)
    if plan.dry_run:
        return
    if client.indices.exists(index=names.triage):
        _delete(client, names.triage, result.doc_ids)
    _delete(client, names.versions, versions)


def _delete(client: Elasticsearch, index: str, ids: list[str]) -> None:
    """Delete these ids from ``index`` in bulk, then refresh it. By id rather than by query:
    the ids are known already, and ``_delete_by_query`` needs the reindex module, which a
    minimal distribution lacks. An id already gone (deleted meanwhile) is no error."""
    if not ids:
        return
    for ok, item in helpers.streaming_bulk(
        client,
        ({"_op_type": "delete", "_index": index, "_id": doc_id} for doc_id in ids),
        chunk_size=_BATCH,
        raise_on_error=False,
    ):
        status = item.get("delete", {}).get("status")
        if not ok and status != 404:
            raise StoreError(
                f"Elasticsearch refused to delete {item.get('delete', {}).get('_id')} from"
                f" {index} ({item}); check the cluster's health, then run `traceur purge` again"
            )
    client.indices.refresh(index=index)
