"""``/document/{id}``: every field of one document, its full text with the mentions
marked, its thread, its earlier versions, and its triage (state, assignee, comments,
history), changed with optimistic concurrency: a form carries the triage revision it was
read at, and a change made meanwhile by someone else is shown, never overwritten."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from traceur.document import Document
from traceur.errors import TriageConflict
from traceur.store import UNSET, DocumentVersion, Store, Triage, TriageEvent
from traceur.web.accounts import User, list_users
from traceur.web.fr import TRIAGE_LABELS
from traceur.web.pagekit import Row, document_rows, helpers, names, store_of
from traceur.web.security import accounts_db, require_user
from traceur.web.templating import render

log = logging.getLogger(__name__)

# Posts around this one shown from its thread, and the longest comment accepted.
THREAD_AROUND = 3
MAX_COMMENT_CHARS = 4000
CONFLICT_MESSAGE = (
    "Un·e autre bénévole a modifié ce document pendant que vous le lisiez. Voici son état"
    " actuel ; votre changement n'a pas été enregistré, mais votre commentaire est resté"
    " dans le formulaire : vérifiez puis validez à nouveau."
)


@dataclass(frozen=True)
class Page:
    document: Document
    triage: Triage
    history: list[TriageEvent]
    versions: list[DocumentVersion]
    thread: list[Row]
    parent: Document | None
    members: list[Row]


def _read(store: Store, doc_id: str) -> Page | None:
    document = store.get(doc_id)
    if document is None:
        return None
    thread: list[Row] = []
    if document.thread_url:
        posts = store.thread(document.thread_url)
        ids = [p.id for p in posts]
        if document.id in ids:
            at = ids.index(document.id)
            posts = posts[max(0, at - THREAD_AROUND) : at + THREAD_AROUND + 1]
        else:
            posts = posts[: 2 * THREAD_AROUND + 1]
        thread = document_rows(store, posts)
    parent = store.get(document.parent_id) if document.parent_id else None
    members: list[Row] = []
    if document.cluster_id:
        others = [d for d in store.cluster_members(document.cluster_id) if d.id != document.id]
        members = document_rows(store, others)
    return Page(
        document=document,
        triage=store.triage([doc_id])[doc_id],
        history=store.triage_history(doc_id),
        versions=store.versions(doc_id),
        thread=thread,
        parent=parent,
        members=members,
    )


def _users(request: Request) -> list[User]:
    with accounts_db(request) as db:
        return list_users(db, active_only=True)


async def _page(
    request: Request, user: User, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    store = store_of(request)
    page = await run_in_threadpool(_read, store, request.path_params["doc_id"])
    if page is None:
        raise HTTPException(404)
    found = names(request)
    labels = {**found.candidates, **found.topics}
    context: dict[str, Any] = {
        **helpers(found),
        "page": page,
        "doc": page.document,
        "mention_labels": labels,
        "users": [u.name for u in await run_in_threadpool(_users, request)],
        "can_assign": user.has_role("coordination"),
        "triage_labels": TRIAGE_LABELS,
        "flash": request.session.pop("flash", None),
        "comment": "",
        **(extra or {}),
    }
    return render(request, "document.html", context, status_code=status_code)


async def document_page(request: Request) -> Response:
    user = require_user(request)
    return await _page(request, user)


async def update_triage(request: Request) -> Response:
    user = require_user(request)
    doc_id = request.path_params["doc_id"]
    form = await request.form()
    comment = str(form.get("commentaire", "")).strip()
    state = str(form.get("etat", ""))
    try:
        revision = int(str(form.get("revision", "")))
    except ValueError:
        raise HTTPException(400) from None
    if state not in TRIAGE_LABELS:
        raise HTTPException(400)
    if len(comment) > MAX_COMMENT_CHARS:
        return await _page(
            request,
            user,
            {
                "error": f"Commentaire trop long : {MAX_COMMENT_CHARS} caractères au plus.",
                "comment": comment,
            },  # fmt: skip
            status_code=400,
        )
    assignee: str | None | object = UNSET
    if user.has_role("coordination") and "assigne" in form:
        chosen = str(form.get("assigne", "")).strip()
        if chosen and chosen not in [u.name for u in await run_in_threadpool(_users, request)]:
            raise HTTPException(400)
        assignee = chosen or None
    store = store_of(request)

    def apply() -> Triage:
        current = store.triage([doc_id])[doc_id]
        changes: dict[str, Any] = {}
        if state != current.state:
            changes["state"] = state
        if assignee is not UNSET and assignee != current.assignee:
            changes["assignee"] = assignee
        if comment:
            changes["comment"] = comment
        if not changes and current.revision == revision:
            return current
        return store.update_triage(doc_id, by=user.name, expected_revision=revision, **changes)

    if await run_in_threadpool(store.get, doc_id) is None:
        raise HTTPException(404)
    try:
        await run_in_threadpool(apply)
    except TriageConflict as error:
        log.info("triage conflict shown to %s: %s", user.name, error)
        return await _page(
            request, user, {"conflict": CONFLICT_MESSAGE, "comment": comment}, status_code=409
        )
    request.session["flash"] = "Triage enregistré."
    return RedirectResponse(f"/document/{doc_id}#triage", status_code=303)


routes = [
    Route("/document/{doc_id}", document_page, methods=["GET"]),
    Route("/document/{doc_id}/triage", update_triage, methods=["POST"]),
]
