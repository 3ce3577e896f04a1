"""Triage in the Elasticsearch store: one document per triaged document in
``<prefix>-triage``, under the document's id, holding the current state, the assignee,
the revision and the whole history (``events``, kept in _source, not indexed).

A change reads the triage document with its ``_seq_no``/``_primary_term`` and writes the
new one only if they are unchanged (``if_seq_no``/``if_primary_term``; ``op_type=create``
for a first triage): state and history change together or not at all, and of two
volunteers changing the same document at once, the second gets a ``TriageConflict``.
Writes refresh the index at once, so a list filtered on triage shows the change on the
next page load.

Searches filter on triage through the ids of this index (the documents' indices know
nothing of triage): the ids with a given state or assignee are read here and put into an
``ids`` clause. That is fine for what volunteers triage by hand — thousands of documents —
and is capped at ``MAX_TRIAGED_IDS`` (Elasticsearch's default ``index.max_terms_count``);
past it the filter refuses with a ``StoreError`` rather than answer wrongly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from elasticsearch import ApiError, Elasticsearch

from traceur.errors import StoreError, TriageConflict
from traceur.store.base import TRIAGE_STATES, Triage, TriageEvent
from traceur.store.es_template import IndexNames, side_indices
from traceur.store.triage import format_ms, now_ms, parse_ms, plan_change

MAX_TRIAGED_IDS = 65_536
_PAGE = 10_000  # index.max_result_window


def _triage(doc_id: str, source: dict[str, Any]) -> Triage:
    updated_at = source.get("updated_at")
    return Triage(
        doc_id,
        str(source.get("state") or "nouveau"),
        source.get("assignee"),
        int(source.get("revision") or 0),
        parse_ms(updated_at) if updated_at else None,
        source.get("updated_by"),
    )


def _event(doc_id: str, raw: dict[str, Any]) -> TriageEvent:
    return TriageEvent(doc_id, parse_ms(raw["at"]), raw["by"], raw["action"], raw.get("value"))


def ensure_index(client: Elasticsearch, name: str, body: dict[str, Any]) -> None:
    """Create the index ``name`` with ``body`` unless it exists; give an existing one the
    fields a newer Traceur maps (adding fields is always allowed)."""
    if client.indices.exists(index=name):
        client.indices.put_mapping(index=name, **body["mappings"])
        return
    try:
        client.indices.create(index=name, **body)
    except ApiError as exc:
        # Another process created it a moment ago.
        if "resource_already_exists_exception" not in str(exc):
            raise


class EsTriage:
    """The triage index of one store. ``read`` runs a read request with the store's
    retries and error messages."""

    def __init__(
        self, client: Elasticsearch, names: IndexNames, read: Callable[..., Any], display_url: str
    ) -> None:
        self.client = client
        self.index = names.triage
        self.body = side_indices(names)[names.triage]
        self.read = read
        self.display_url = display_url
        self._ready = False
        self._lock = threading.Lock()

    def ensure(self) -> None:
        with self._lock:
            if not self._ready:
                ensure_index(self.client, self.index, self.body)
                self._ready = True

    def _get(self, doc_id: str) -> dict[str, Any] | None:
        try:
            got = self.client.get(index=self.index, id=doc_id)
        except ApiError as exc:
            if exc.status_code == 404:
                return None
            raise StoreError(f"cannot read triage from {self.display_url}: {exc}") from exc
        return dict(got.body)

    def get_many(self, doc_ids: Sequence[str]) -> dict[str, Triage]:
        if not doc_ids:
            return {}
        try:
            got = self.client.mget(index=self.index, ids=list(dict.fromkeys(doc_ids)))
            found = {
                doc["_id"]: _triage(doc["_id"], doc["_source"])
                for doc in got["docs"]
                if doc.get("found")
            }
        except ApiError as exc:
            if exc.status_code != 404:  # no triage index yet: nobody has triaged anything
                raise StoreError(f"cannot read triage from {self.display_url}: {exc}") from exc
            found = {}
        return {doc_id: found.get(doc_id) or Triage(doc_id) for doc_id in doc_ids}

    def history(self, doc_id: str) -> list[TriageEvent]:
        got = self._get(doc_id)
        if got is None:
            return []
        return [_event(doc_id, raw) for raw in got["_source"].get("events") or []]

    def update(
        self,
        doc_id: str,
        *,
        by: str,
        expected_revision: int,
        state: str | None,
        assignee: str | None | object,
        comment: str | None,
    ) -> Triage:
        self.ensure()
        got = self._get(doc_id)
        current = _triage(doc_id, got["_source"]) if got else Triage(doc_id)
        change = plan_change(
            current,
            by=by,
            expected_revision=expected_revision,
            state=state,
            assignee=assignee,
            comment=comment,
            at=now_ms(),
        )
        if not change.events:
            return current
        new = change.triage
        events = list(got["_source"].get("events") or []) if got else []
        events += [
            {"at": format_ms(e.at), "by": e.by, "action": e.action, "value": e.value}
            for e in change.events
        ]
        body = {
            "doc_id": doc_id,
            "state": new.state,
            "assignee": new.assignee,
            "revision": new.revision,
            "updated_at": format_ms(new.updated_at) if new.updated_at else None,
            "updated_by": new.updated_by,
            "events": events,
        }
        try:
            if got is None:
                self.client.create(index=self.index, id=doc_id, document=body, refresh=True)
            else:
                self.client.index(
                    index=self.index,
                    id=doc_id,
                    document=body,
                    if_seq_no=got["_seq_no"],
                    if_primary_term=got["_primary_term"],
                    refresh=True,
                )
        except ApiError as exc:
            if exc.status_code == 409:
                # Someone wrote between our read and our write.
                again = self._get(doc_id)
                stored = _triage(doc_id, again["_source"]).revision if again else 0
                raise TriageConflict(doc_id, expected_revision, stored) from exc
            raise StoreError(
                f"cannot write the triage of {doc_id} to {self.display_url}: {exc}"
            ) from exc
        return new

    # -- what searches need -------------------------------------------------------------

    def _scan(self, query: dict[str, Any], fields: list[str]) -> list[dict[str, Any]]:
        """The sources of the triage documents matching ``query`` (at most MAX_TRIAGED_IDS)."""
        sources: list[dict[str, Any]] = []
        after: list[Any] | None = None
        while True:
            try:
                found = self.read(
                    self.client.search,
                    index=self.index,
                    query=query,
                    source_includes=fields,
                    sort=[{"doc_id": "asc"}],
                    search_after=after,
                    size=_PAGE,
                    track_total_hits=False,
                )
            except StoreError:
                if not self.client.indices.exists(index=self.index):
                    return []  # no triage index yet: nothing triaged
                raise
            hits = found["hits"]["hits"]
            sources += [hit["_source"] for hit in hits]
            if len(sources) > MAX_TRIAGED_IDS:
                raise StoreError(
                    f"more than {MAX_TRIAGED_IDS} documents match this triage filter;"
                    " narrow the search with a period or another filter"
                )
            if len(hits) < _PAGE:
                return sources
            after = hits[-1]["sort"]

    def filters(self, state: str | None, assignee: str | None) -> tuple[list[Any], list[Any]]:
        """(filter clauses, must_not clauses) restricting documents to a triage state and
        assignee ("nouveau" is every document not in another state)."""
        filters: list[Any] = []
        must_not: list[Any] = []
        if state:
            if state not in TRIAGE_STATES:
                raise StoreError(
                    f"unknown triage state {state!r}; use one of {', '.join(TRIAGE_STATES)}"
                )
            if state == "nouveau":
                others = self._scan(
                    {"bool": {"must_not": [{"term": {"state": "nouveau"}}]}}, ["doc_id"]
                )
                if others:
                    must_not.append({"ids": {"values": [s["doc_id"] for s in others]}})
            else:
                found = self._scan({"term": {"state": state}}, ["doc_id"])
                filters.append({"ids": {"values": [s["doc_id"] for s in found]}})
        if assignee:
            found = self._scan({"term": {"assignee": assignee}}, ["doc_id"])
            filters.append({"ids": {"values": [s["doc_id"] for s in found]}})
        return filters, must_not

    def facet_filters(self, fields: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``filters`` aggregations counting matching documents per triage state (but
        "nouveau", the rest) and per assignee."""
        sources = self._scan({"match_all": {}}, ["doc_id", "state", "assignee"])
        by: dict[str, dict[str, list[str]]] = {"triage_state": {}, "assignee": {}}
        for source in sources:
            if source.get("state") and source["state"] != "nouveau":
                by["triage_state"].setdefault(source["state"], []).append(source["doc_id"])
            if source.get("assignee"):
                by["assignee"].setdefault(source["assignee"], []).append(source["doc_id"])
        return {
            field: {
                "filters": {
                    "filters": {value: {"ids": {"values": ids}} for value, ids in by[field].items()}
                }
            }
            for field in fields
            if by[field]
        }
