"""``/recherche``: the query box, clickable filters with counts, results grouped by story
cluster, sorting, pages, triage of a whole cluster, and the CSV / XLSX exports."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from traceur.config import Settings
from traceur.errors import TriageConflict
from traceur.privacy.pseudonyms import stored_author_forms
from traceur.store import SearchQuery, Store
from traceur.web.export import ExportRow, to_csv, to_xlsx
from traceur.web.filters import (
    PAGE_SIZE,
    Filters,
    Names,
    QueryProblem,
    check_query,
    export_fields,
    parse_filters,
    search_fields,
)
from traceur.web.fr import TRIAGE_LABELS, plural
from traceur.web.pagekit import (
    Row,
    document_rows,
    helpers,
    labels,
    names,
    rows,
    store_of,
    utc_now,
)
from traceur.web.security import require_user, safe_next
from traceur.web.templating import render

log = logging.getLogger(__name__)

# Facet fields of the store → the filter each value sets, and its heading on the page.
FACETS = (
    ("candidates", "candidate", "Candidat·e"),
    ("topics", "topic", "Thème"),
    ("kind", "kind", "Type"),
    ("triage_state", "state", "État"),
    ("source_id", "source", "Source"),
    ("domain", "site", "Site"),
    ("lang", "lang", "Langue"),
)
FACET_SIZE = 8
# Cluster members listed under a result ("même dépêche sur N sites").
CLUSTER_SHOWN = 20
# A cap on one export, so a click on "exporter" cannot tie the store up for minutes.
MAX_EXPORT_ROWS = 5000


def _facet_links(
    filters: Filters, found: Names, counts: dict[str, list[tuple[str, int]]]
) -> list[dict[str, Any]]:
    """Per facet: its heading and ``(label, count, link, chosen)`` for each value."""
    groups = []
    for field, attr, heading in FACETS:
        chosen = getattr(filters, attr)
        values = []
        for value, count in counts.get(field, []):
            change: dict[str, Any] = {attr: None if value == chosen else value}
            values.append(
                (found.label(attr, value), count, filters.link(**change), value == chosen)
            )
        if values:
            groups.append({"heading": heading, "values": values})
    return groups


# Filters attribute → its SearchQuery field (the facets of a chosen filter are counted
# without it, so a volunteer can switch from "Article" to "Vidéo" in one click).
_QUERY_FIELD = {
    "candidate": "candidate",
    "topic": "topic",
    "kind": "kind",
    "state": "triage_state",
    "source": "source_id",
    "site": "domain",
    "lang": "lang",
}


def _facet_counts(
    store: Store, filters: Filters, fields: dict[str, Any]
) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet among the documents matching every other filter: one store call
    for the facets without a chosen value, and one per chosen filter."""
    base = {**fields, "limit": 0, "offset": 0}
    free = [f for f, attr, _ in FACETS if not getattr(filters, attr)]
    counts = store.facets(SearchQuery(**base), free, size=FACET_SIZE) if free else {}
    for field, attr, _ in FACETS:
        if getattr(filters, attr):
            query = SearchQuery(**{**base, _QUERY_FIELD[attr]: None})
            counts.update(store.facets(query, [field], size=FACET_SIZE))
    return counts


def _author_forms(settings: Settings, filters: Filters) -> tuple[str, ...] | None:
    """The stored forms of the author filter: the typed name is hashed with the same key
    as the crawl's, so a pseudonymised member is found by name."""
    if not filters.author:
        return None
    return tuple(stored_author_forms(filters.author, settings))


def _search(
    store: Store, filters: Filters, user: str, now: datetime, settings: Settings
) -> tuple[list[Row], int, dict[str, list[tuple[str, int]]], dict[str, list[Row]]]:
    """One page of results (one line per story cluster), the facet counts, and the other
    documents of each cluster shown (for "même dépêche sur N sites")."""
    fields = search_fields(filters, user=user, now=now, authors=_author_forms(settings, filters))
    query = SearchQuery(**fields, collapse_clusters=True)
    page = store.search_page(query)
    counts = _facet_counts(store, filters, fields)
    results = rows(store, page.hits)
    members: dict[str, list[Row]] = {}
    for row in results:
        cluster = row.document.cluster_id
        if cluster and row.cluster_size > 1:
            others = store.cluster_members(cluster, CLUSTER_SHOWN)
            members[cluster] = document_rows(store, [d for d in others if d.id != row.document.id])
    return results, page.total, counts, members


async def search_page(request: Request) -> Response:
    user = require_user(request)
    filters, notes = parse_filters(request.query_params)
    found = names(request)
    problem: QueryProblem | None = check_query(filters.text)
    context: dict[str, Any] = {
        **helpers(found),
        "filters": filters,
        "notes": notes,
        "problem": problem,
        "active": filters.active(found),
        "results": [],
        "total": 0,
        "facets": [],
        "members": {},
        "triage_labels": TRIAGE_LABELS,
        "max_export": MAX_EXPORT_ROWS,
        "flash": request.session.pop("flash", None),
        "back_to": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "query_string": filters.query_string(),
    }
    if problem is None:
        store = store_of(request)
        results, total, counts, members = await run_in_threadpool(
            _search, store, filters, user.name, utc_now(), request.app.state.settings
        )
        context.update(
            results=results,
            total=total,
            facets=_facet_links(filters, found, counts),
            members=members,
        )
        context["has_next"] = filters.page * PAGE_SIZE < total
    status = 200 if problem is None else 400
    return render(request, "recherche.html", context, status_code=status)


def _apply_to_cluster(store: Store, cluster_id: str, doc_id: str, state: str, by: str) -> str:
    """Set ``state`` on every document of the cluster (or the one document when it has no
    cluster); a document someone else changed meanwhile is left alone and counted."""
    members = [d.id for d in store.cluster_members(cluster_id, 500)] if cluster_id else []
    ids = members or [doc_id]
    if doc_id not in ids:
        ids.append(doc_id)
    current = store.triage(ids)
    changed = conflicts = 0
    for ident in ids:
        triage = current[ident]
        if triage.state == state:
            continue
        try:
            store.update_triage(ident, by=by, expected_revision=triage.revision, state=state)
            changed += 1
        except TriageConflict as error:
            log.info("cluster triage skipped a document: %s", error)
            conflicts += 1
    marked = "marqués" if changed > 1 else "marqué"
    message = f"{plural(changed, 'document')} {marked} « {TRIAGE_LABELS[state]} »."
    if conflicts:
        message += (
            f" {plural(conflicts, 'document')} modifié{'s' if conflicts > 1 else ''} entre-temps"
            " par une autre bénévole : laissé tel quel, vérifiez-le."
        )
    return message


async def triage_cluster(request: Request) -> Response:
    user = require_user(request)
    form = await request.form()
    state = str(form.get("etat", ""))
    doc_id = str(form.get("document", ""))
    cluster_id = str(form.get("cluster", ""))
    back = safe_next(str(form.get("retour", "/recherche")))
    if state not in TRIAGE_LABELS or not doc_id:
        request.session["flash"] = "Choisissez un état avant de valider."
        return RedirectResponse(back, status_code=303)
    store = store_of(request)
    message = await run_in_threadpool(
        _apply_to_cluster, store, cluster_id, doc_id, state, user.name
    )
    request.session["flash"] = message
    return RedirectResponse(back, status_code=303)


def _export_rows(store: Store, filters: Filters, user: str, settings: Settings) -> list[ExportRow]:
    fields = export_fields(
        filters,
        user=user,
        now=utc_now(),
        limit=MAX_EXPORT_ROWS,
        authors=_author_forms(settings, filters),
    )
    page = store.search_page(SearchQuery(**fields))
    triage = store.triage([hit.document.id for hit in page.hits])
    return [
        ExportRow(
            hit.document,
            state=triage[hit.document.id].state,
            assignee=triage[hit.document.id].assignee,
            fragments=hit.fragments,
        )
        for hit in page.hits
    ]


async def export(request: Request) -> Response:
    user = require_user(request, "coordination")
    fmt = "xlsx" if request.url.path.endswith(".xlsx") else "csv"
    filters, _ = parse_filters(request.query_params)
    if check_query(filters.text) is not None:
        return RedirectResponse(filters.link(), status_code=303)
    store = store_of(request)
    found = labels(names(request))
    export_rows = await run_in_threadpool(
        _export_rows, store, filters, user.name, request.app.state.settings
    )
    stamp = utc_now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body = await run_in_threadpool(to_csv, export_rows, found)
        media = "text/csv; charset=utf-8"
    else:
        body = await run_in_threadpool(to_xlsx, export_rows, found)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    log.info("%s exported %d documents as %s", user.name, len(export_rows), fmt)
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="traceur-{stamp}.{fmt}"'},
    )


routes = [
    Route("/recherche", search_page, methods=["GET"]),
    Route("/recherche/triage-cluster", triage_cluster, methods=["POST"]),
    Route("/recherche/export.csv", export, methods=["GET"]),
    Route("/recherche/export.xlsx", export, methods=["GET"]),
]
