"""The read-only JSON API, for scripts and other tools: ``Authorization: Bearer <token>``
(``traceur users token NAME``).

``GET /api/search?q=&candidate=&topic=&kind=&source=&since=&limit=`` — matching documents,
best first: the fields of ``traceur export --format jsonl`` without the full text, with
``score``, ``highlights`` (matches between « and ») and ``triage``.
``GET /api/documents/{id}`` — one document: every exported field, with ``triage``.
Errors are JSON ``{"erreur": "…"}`` with a 400, 401 or 404 status.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from traceur.document import DOCUMENT_KINDS
from traceur.durations import parse_duration
from traceur.enrich.query import parse as parse_query
from traceur.errors import QueryError
from traceur.store import HIGHLIGHT_END, HIGHLIGHT_START, SearchQuery, Store
from traceur.web.accounts import User, token_user
from traceur.web.security import LoginRequired, accounts_db

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


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
    return SearchQuery(
        text=text,
        candidate=params.get("candidate") or None,
        topic=params.get("topic") or None,
        kind=kind,
        source_id=params.get("source") or None,
        since=_since(params["since"]) if params.get("since") else None,
        limit=limit,
    )


def _plain_fragment(fragment: str) -> str:
    return " ".join(fragment.replace(HIGHLIGHT_START, "«").replace(HIGHLIGHT_END, "»").split())


def triage_json(store: Store, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each document's triage as JSON (``nouveau`` when never triaged)."""
    reader = getattr(store, "triage", None)
    # Until every store has triage (store API of the web issue), documents read as new.
    found = reader(doc_ids) if reader is not None else {}
    result: dict[str, dict[str, Any]] = {}
    for doc_id in doc_ids:
        triage = found.get(doc_id)
        updated_at = getattr(triage, "updated_at", None)
        result[doc_id] = {
            "state": getattr(triage, "state", "nouveau"),
            "assignee": getattr(triage, "assignee", None),
            "revision": getattr(triage, "revision", 0),
            "updated_at": updated_at.isoformat().replace("+00:00", "Z") if updated_at else None,
            "updated_by": getattr(triage, "updated_by", None),
        }
    return result


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
        hits = store.search(query)
        total = store.count(query)
        triage = triage_json(store, [hit.document.id for hit in hits])
        documents = []
        for hit in hits:
            data = hit.document.to_dict()
            data.pop("text", None)
            data["score"] = round(hit.score, 4)
            data["highlights"] = [_plain_fragment(f) for f in hit.fragments if f]
            data["triage"] = triage[hit.document.id]
            documents.append(data)
        return {"total": total, "documents": documents}

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
        data["triage"] = triage_json(store, [doc_id])[doc_id]
        return data

    found = await run_in_threadpool(run)
    if found is None:
        return _error(f"aucun document {doc_id!r}", status=404)
    return JSONResponse(found)


routes = [
    Route("/api/search", api_search, methods=["GET"]),
    Route("/api/documents/{doc_id}", api_document, methods=["GET"]),
]
