"""The read-only JSON API, for scripts and other tools: ``Authorization: Bearer <token>``
(``traceur users token NAME``).

``GET /api/search`` with ``q`` (the query language of ``traceur search``), ``candidate``,
``topic``, ``kind``, ``source``, ``site``, ``author`` (the name as written on the site:
pseudonymised authors are found by it), ``state`` (triage), ``assignee``, ``since``,
``limit``, ``offset`` — ``total`` matching documents and one page of them, best first: the
fields of ``traceur export --format jsonl`` without the full text, with ``score``,
``highlights`` (matches between « and ») and ``triage``.
``GET /api/documents/{id}`` — one document: every exported field, with ``triage``.
Errors are JSON ``{"erreur": "…"}`` with a 400, 401 or 404 status.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from traceur.document import DOCUMENT_KINDS, format_utc
from traceur.durations import parse_duration
from traceur.enrich.query import parse as parse_query
from traceur.errors import QueryError
from traceur.privacy.pseudonyms import display_author, stored_author_forms
from traceur.store import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    TRIAGE_STATES,
    SearchQuery,
    Store,
    Triage,
)
from traceur.web.accounts import User, token_user
from traceur.web.security import LoginRequired, accounts_db

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Deep pages cost Elasticsearch a sort over every hit before them; past this, narrow the query.
MAX_OFFSET = 10_000


class BadRequest(ValueError):
    """A parameter the API cannot use; the message is the French answer."""


def api_user(request: Request) -> User:
    """The active owner of the request's bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise LoginRequired("API call without a bearer token")
    with accounts_db(request) as db:
        user = token_user(db, token.strip())
    if user is None:
        raise LoginRequired("API call with an unknown, replaced or disabled account's token")
    return user


def _error(message: str, status: int = 400, **extra: Any) -> JSONResponse:
    return JSONResponse({"erreur": message, **extra}, status_code=status)


def _since(value: str) -> datetime:
    try:
        return datetime.now(UTC) - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            f"since={value!r} : indiquez une durée (7d, 12h) ou une date (2026-11-01)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def search_query(params: dict[str, str]) -> SearchQuery:
    """The API's query string as a ``SearchQuery``; ``BadRequest`` or ``QueryError`` when
    a parameter is unusable."""
    text = params.get("q", "").strip()
    if text:
        parse_query(text)
    kind = params.get("kind") or None
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise BadRequest(f"kind={kind!r} : valeurs possibles {', '.join(DOCUMENT_KINDS)}")
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise BadRequest("limit : indiquez un nombre entier") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit : entre 1 et {MAX_LIMIT}")
    try:
        offset = int(params.get("offset", 0))
    except ValueError:
        raise BadRequest("offset : indiquez un nombre entier") from None
    if not 0 <= offset <= MAX_OFFSET:
        raise BadRequest(f"offset : entre 0 et {MAX_OFFSET}")
    state = params.get("state") or None
    if state is not None and state not in TRIAGE_STATES:
        raise BadRequest(f"state={state!r} : valeurs possibles {', '.join(TRIAGE_STATES)}")
    return SearchQuery(
        text=text,
        triage_state=state,
        assignee=params.get("assignee") or None,
        domain=params.get("site") or None,
        candidate=params.get("candidate") or None,
        topic=params.get("topic") or None,
        kind=kind,
        source_id=params.get("source") or None,
        since=_since(params["since"]) if params.get("since") else None,
        limit=limit,
        offset=offset,
    )


def _plain_fragment(fragment: str) -> str:
    return " ".join(fragment.replace(HIGHLIGHT_START, "«").replace(HIGHLIGHT_END, "»").split())


def triage_json(triage: Triage) -> dict[str, Any]:
    """A document's triage as JSON (``nouveau``, revision 0 when never triaged)."""
    return {
        "state": triage.state,
        "assignee": triage.assignee,
        "revision": triage.revision,
        "updated_at": format_utc(triage.updated_at),
        "updated_by": triage.updated_by,
    }


async def api_search(request: Request) -> Response:
    api_user(request)
    store: Store = request.app.state.store
    try:
        query = search_query(dict(request.query_params))
    except BadRequest as exc:
        return _error(str(exc))
    except QueryError as exc:
        return _error(
            f"requête mal formée, colonne {exc.column} : attendu {exc.expected},"
            f" trouvé {exc.found}",
            colonne=exc.column,
        )

    def run() -> dict[str, Any]:
        author = request.query_params.get("author", "").strip()
        if author:
            # The name as written on the site; pseudonymised authors are found by it too.
            forms = stored_author_forms(author, request.app.state.settings)
            page = store.search_page(replace(query, authors=tuple(forms)))
        else:
            page = store.search_page(query)
        hits = page.hits
        triage = store.triage([hit.document.id for hit in hits])
        documents = []
        for hit in hits:
            data = hit.document.to_dict()
            data["author"] = display_author(hit.document.author)
            data.pop("text", None)
            data["score"] = round(hit.score, 4)
            data["highlights"] = [_plain_fragment(f) for f in hit.fragments if f]
            data["triage"] = triage_json(triage[hit.document.id])
            documents.append(data)
        return {"total": page.total, "offset": query.offset, "documents": documents}

    return JSONResponse(await run_in_threadpool(run))


async def api_document(request: Request) -> Response:
    api_user(request)
    store: Store = request.app.state.store
    doc_id = request.path_params["doc_id"]

    def run() -> dict[str, Any] | None:
        document = store.get(doc_id)
        if document is None:
            return None
        data = document.to_dict()
        # As shown everywhere else: "auteur·rice #3f9a", not the whole stored hash.
        data["author"] = display_author(document.author)
        data["triage"] = triage_json(store.triage([doc_id])[doc_id])
        return data

    found = await run_in_threadpool(run)
    if found is None:
        return _error(f"aucun document {doc_id!r}", status=404)
    return JSONResponse(found)


routes = [
    Route("/api/search", api_search, methods=["GET"]),
    Route("/api/documents/{doc_id}", api_document, methods=["GET"]),
]
