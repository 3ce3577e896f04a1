"""What the web app reads from the Elasticsearch store: pages of hits (sorted, offset,
collapsed by story cluster), facets, counts per local day, clusters, threads, and the
earlier versions of edited documents (``<prefix>-versions``, written by the bulk writer).
Answers are the SQLite store's on the same documents (tests/es/test_store_web_api.py).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers

from traceur.document import Document, parse_utc
from traceur.errors import StoreError
from traceur.store.base import (
    DAILY_FIELDS,
    FACET_FIELDS,
    SORTS,
    DocumentVersion,
    SearchHit,
    SearchPage,
    SearchQuery,
)
from traceur.store.es_query import HIDDEN_FIELDS, HIGHLIGHT, highlight_fragments
from traceur.store.es_template import IndexNames, side_indices
from traceur.store.es_triage import ensure_index
from traceur.store.triage import format_ms, now_ms, parse_ms

log = logging.getLogger(__name__)

_TERMS_FIELDS = ("candidates", "topics", "kind", "source_id", "domain", "lang", "cluster_id")
# Groups counted exactly up to this many (the most a cardinality aggregation takes); past
# it the total of a collapsed search is an estimate within a few percent.
_CARDINALITY_PRECISION = 40_000
# (day, value) buckets per request of the composite aggregation behind daily_counts.
_COMPOSITE_PAGE = 1000


def _by_date(order: str) -> list[Any]:
    # Newest (or oldest) first, the latest written first, as SQLite; no date comes last.
    return [
        {"sort_at": {"order": order, "missing": "_last"}},
        {"seq": {"order": order}},
    ]


def _hit(raw: dict[str, Any], highlighted: bool, cluster_size: int = 1) -> SearchHit:
    document = Document.from_dict(raw["_source"])
    return SearchHit(
        document,
        float(raw.get("_score") or 0.0),
        highlight_fragments(raw, document) if highlighted else (),
        cluster_size,
    )


def _merge_key(raw: dict[str, Any]) -> tuple[float, ...]:
    # Every sort key is descending: the smallest negation comes first.
    return tuple(-float(value) for value in raw["sort"])


class EsWeb:
    """The web app's reads. ``read`` runs a request with the store's retries and errors;
    ``query_body`` turns a ``SearchQuery`` into an Elasticsearch query (triage included)."""

    def __init__(
        self,
        client: Elasticsearch,
        names: IndexNames,
        read: Callable[..., Any],
        query_body: Callable[[SearchQuery], dict[str, Any]],
    ) -> None:
        self.client = client
        self.names = names
        self.read = read
        self.query_body = query_body

    def _search(self, **kwargs: Any) -> Any:
        return self.read(self.client.search, index=self.names.read_alias, **kwargs)

    def search_page(self, query: SearchQuery) -> SearchPage:
        if query.sort not in SORTS:
            raise StoreError(f"unknown sort {query.sort!r}; use one of {', '.join(SORTS)}")
        if query.offset < 0 or query.limit < 0:
            raise StoreError("a search page needs an offset and a limit of 0 or more")
        body = self.query_body(query)
        has_text = bool(query.text.strip())
        sort = _by_date("desc")
        if has_text and query.sort == "relevance":
            sort.insert(0, "_score")
        common: dict[str, Any] = {
            "sort": sort,
            "source_excludes": HIDDEN_FIELDS,
            "highlight": HIGHLIGHT if has_text else None,
        }
        if not query.collapse_clusters:
            found = self._search(
                query=body, from_=query.offset, size=query.limit, track_total_hits=True, **common
            )
            hits = [_hit(raw, has_text) for raw in found["hits"]["hits"]]
            return SearchPage(hits, int(found["hits"]["total"]["value"]))
        # Collapse would put every document without a cluster into one group: clustered
        # documents are collapsed on cluster_id, the others listed apart, and both lists
        # merged in sort order (each asked for the first offset + limit).
        wanted = query.offset + query.limit
        exists = {"exists": {"field": "cluster_id"}}
        grouped = self._search(
            query={"bool": {"must": [body], "filter": [exists]}},
            collapse={"field": "cluster_id", "inner_hits": {"name": "cluster", "size": 0}},
            from_=0,
            size=wanted,
            track_total_hits=False,
            aggs={
                "groups": {
                    "cardinality": {
                        "field": "cluster_id",
                        "precision_threshold": _CARDINALITY_PRECISION,
                    }
                }
            },
            **common,
        )
        alone = self._search(
            query={"bool": {"must": [body], "must_not": [exists]}},
            from_=0,
            size=wanted,
            track_total_hits=True,
            **common,
        )
        candidates = [
            (raw, int(raw["inner_hits"]["cluster"]["hits"]["total"]["value"]))
            for raw in grouped["hits"]["hits"]
        ] + [(raw, 1) for raw in alone["hits"]["hits"]]
        candidates.sort(key=lambda pair: _merge_key(pair[0]))
        page = candidates[query.offset : wanted]
        total = int(grouped["aggregations"]["groups"]["value"]) + int(
            alone["hits"]["total"]["value"]
        )
        return SearchPage([_hit(raw, has_text, size) for raw, size in page], total)

    def facets(
        self,
        query: SearchQuery,
        fields: Sequence[str],
        size: int,
        triage_aggs: Callable[[Sequence[str]], dict[str, Any]],
    ) -> dict[str, list[tuple[str, int]]]:
        for field in fields:
            if field not in FACET_FIELDS:
                raise StoreError(f"no facet on {field!r}; use one of {', '.join(FACET_FIELDS)}")
        aggs: dict[str, Any] = {
            field: {
                "terms": {
                    "field": field,
                    "size": size,
                    # Several monthly indices (shards) each send their top values; asking
                    # each for many more keeps the merged counts exact in practice.
                    "shard_size": max(size * 10, 500),
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
            for field in fields
            if field in _TERMS_FIELDS
        }
        triage_fields = [field for field in fields if field not in _TERMS_FIELDS]
        aggs.update(triage_aggs(triage_fields))
        found = self._search(
            query=self.query_body(query), size=0, track_total_hits=True, aggs=aggs or None
        )
        got = found.get("aggregations") or {}
        result: dict[str, list[tuple[str, int]]] = {}
        for field in fields:
            if field in _TERMS_FIELDS:
                result[field] = [
                    (str(bucket["key"]), int(bucket["doc_count"]))
                    for bucket in got[field]["buckets"]
                ]
                continue
            buckets = got.get(field, {}).get("buckets", {})
            counts = {value: int(bucket["doc_count"]) for value, bucket in buckets.items()}
            if field == "triage_state":
                # Whatever is in no other state is "nouveau" (never triaged, or set back).
                counts["nouveau"] = int(found["hits"]["total"]["value"]) - sum(counts.values())
            ranked = sorted(
                ((value, n) for value, n in counts.items() if n > 0),
                key=lambda pair: (-pair[1], pair[0]),
            )
            result[field] = ranked[:size]
        return result

    def daily_counts(self, query: SearchQuery, field: str, tz: str) -> list[tuple[date, str, int]]:
        if field not in DAILY_FIELDS:
            raise StoreError(f"no daily counts by {field!r}; use one of {', '.join(DAILY_FIELDS)}")
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise StoreError(f"unknown time zone {tz!r}; use a name like Europe/Paris") from exc
        body = self.query_body(query)
        sources = [
            {
                "day": {
                    "date_histogram": {
                        "field": "sort_at",
                        "calendar_interval": "1d",
                        "time_zone": tz,
                    }
                }
            },
            {"value": {"terms": {"field": field}}},
        ]
        counts: list[tuple[date, str, int]] = []
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"size": _COMPOSITE_PAGE, "sources": sources}
            if after is not None:
                composite["after"] = after
            found = self._search(
                query=body, size=0, track_total_hits=False, aggs={"days": {"composite": composite}}
            )
            days = found["aggregations"]["days"]
            for bucket in days["buckets"]:
                # The key is the UTC instant of local midnight.
                day = datetime.fromtimestamp(bucket["key"]["day"] / 1000, zone).date()
                counts.append((day, str(bucket["key"]["value"]), int(bucket["doc_count"])))
            after = days.get("after_key")
            if after is None or len(days["buckets"]) < _COMPOSITE_PAGE:
                break
        return sorted(counts)

    def documents(self, term: dict[str, Any], sort: list[Any], limit: int) -> list[Document]:
        found = self._search(
            query={"term": term},
            sort=sort,
            size=limit,
            source_excludes=HIDDEN_FIELDS,
            track_total_hits=False,
        )
        return [Document.from_dict(raw["_source"]) for raw in found["hits"]["hits"]]

    def cluster_members(self, cluster_id: str, limit: int) -> list[Document]:
        return self.documents({"cluster_id": cluster_id}, _by_date("desc"), limit)

    def thread(self, thread_url: str, limit: int) -> list[Document]:
        # Posts without a position (comments read from a flat list) after the numbered
        # ones, by date.
        return self.documents(
            {"thread_url": thread_url},
            [{"position": {"order": "asc", "missing": "_last"}}, *_by_date("asc")],
            limit,
        )

    def versions(self, doc_id: str) -> list[DocumentVersion]:
        try:
            found = self.client.search(
                index=self.names.versions,
                query={"term": {"doc_id": doc_id}},
                sort=[{"replaced_at": "desc"}, {"seq": "desc"}],
                size=1000,
                track_total_hits=False,
            )
        except ApiError as exc:
            if exc.status_code == 404:  # no versions index yet: no edit recorded
                return []
            raise StoreError(f"cannot read versions of {doc_id}: {exc}") from exc
        except TransportError as exc:
            raise StoreError(f"cannot read versions of {doc_id}: {exc}") from exc
        return [
            DocumentVersion(
                doc_id,
                source.get("title", ""),
                source.get("text", ""),
                source.get("content_hash", ""),
                parse_utc(source.get("fetched_at")),
                parse_ms(source["replaced_at"]),
            )
            for source in (raw["_source"] for raw in found["hits"]["hits"])
        ]


class EsVersions:
    """Records, for the bulk writer, the title and text an update replaces."""

    def __init__(self, client: Elasticsearch, names: IndexNames) -> None:
        self.client = client
        self.index = names.versions
        self.body = side_indices(names)[names.versions]
        self._ready = False

    def stored(self, where: dict[str, str]) -> dict[str, dict[str, Any]]:
        """id → what is stored now (title, text, content_hash, fetched_at, fingerprint),
        for the ids of ``where`` (id → the index holding it)."""
        if not where:
            return {}
        got = self.client.mget(
            docs=[{"_index": index, "_id": doc_id} for doc_id, index in where.items()],
            source_includes=["title", "text", "content_hash", "fetched_at", "fingerprint"],
        )
        return {doc["_id"]: doc["_source"] for doc in got["docs"] if doc.get("found")}

    def record(self, replaced: list[tuple[dict[str, Any], Document]]) -> None:
        """Keep each old content whose title or text the new document changes. Each version
        is stored under an id made of the document and the replaced fingerprint, so a batch
        replayed from the spool records it once."""
        at = now_ms()
        actions: list[dict[str, Any]] = []
        for offset, (old, document) in enumerate(replaced):
            if old.get("title", "") == document.title and old.get("text", "") == document.text:
                continue
            key = f"{document.id}:{old.get('fingerprint', '')}"
            actions.append(
                {
                    "_index": self.index,
                    "_id": hashlib.sha256(key.encode("utf-8")).hexdigest()[:32],
                    "_source": {
                        "doc_id": document.id,
                        "title": old.get("title", ""),
                        "text": old.get("text", ""),
                        "content_hash": old.get("content_hash", ""),
                        "fetched_at": old.get("fetched_at"),
                        "replaced_at": format_ms(at),
                        "seq": time.time_ns() // 1000 + offset,
                    },
                }
            )
        if not actions:
            return
        try:
            if not self._ready:
                # A store set up by an older Traceur has no versions index yet.
                ensure_index(self.client, self.index, self.body)
                self._ready = True
            helpers.bulk(self.client, actions, raise_on_error=True)
        except (ApiError, TransportError, helpers.BulkIndexError) as exc:
            # The document itself is stored; only its earlier version is missing from the
            # page's history. Not worth failing (or spooling) the crawl for.
            log.warning("could not record %d earlier versions: %s", len(actions), exc)
