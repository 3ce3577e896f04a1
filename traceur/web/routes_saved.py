"""``/recherches``: saved searches, each a permanent link to the search page as it was
(filters included); coordination may share one with the whole team."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from traceur.errors import AccountError
from traceur.web.accounts import (
    delete_saved_search,
    get_saved_search,
    save_search,
    saved_searches,
)
from traceur.web.filters import parse_filters
from traceur.web.pagekit import helpers, names
from traceur.web.security import accounts_db, require_user
from traceur.web.templating import render


def _clean_query(raw: str) -> str:
    """The search's query string without its page number (a saved search opens on page 1),
    rebuilt from the filters so nothing but known parameters is kept."""
    filters, _ = parse_filters(dict(parse_qsl(raw)))
    return urlencode([(k, v) for k, v in filters.params() if k != "page"])


async def list_page(request: Request) -> Response:
    user = require_user(request)
    with accounts_db(request) as db:
        searches = saved_searches(db, user)
    found = names(request)
    shown = []
    for search in searches:
        filters, _ = parse_filters(dict(parse_qsl(search.query)))
        shown.append({"search": search, "filters": filters, "active": filters.active(found)})
    context = {
        **helpers(found),
        "saved": shown,
        "can_share": user.has_role("coordination"),
        "flash": request.session.pop("flash", None),
    }
    return render(request, "recherches.html", context)


async def save(request: Request) -> Response:
    user = require_user(request)
    form = await request.form()
    name = str(form.get("nom", ""))
    query = _clean_query(str(form.get("requete", "")))
    shared = form.get("partagee") == "1"
    try:
        with accounts_db(request) as db:
            saved = save_search(
                db, user, name, query, shared=shared and user.has_role("coordination")
            )
    except AccountError:
        request.session["flash"] = "Donnez à la recherche un nom de 1 à 120 caractères."
        return RedirectResponse("/recherche?" + query if query else "/recherche", status_code=303)
    request.session["flash"] = f"Recherche « {saved.name} » enregistrée."
    return RedirectResponse("/recherches", status_code=303)


async def open_saved(request: Request) -> Response:
    user = require_user(request)
    with accounts_db(request) as db:
        saved = get_saved_search(db, user, int(request.path_params["search_id"]))
    if saved is None:
        raise HTTPException(404)
    return RedirectResponse("/recherche" + (f"?{saved.query}" if saved.query else ""), 303)


async def delete(request: Request) -> Response:
    user = require_user(request)
    with accounts_db(request) as db:
        done = delete_saved_search(db, user, int(request.path_params["search_id"]))
    request.session["flash"] = "Recherche supprimée." if done else "Rien à supprimer."
    return RedirectResponse("/recherches", status_code=303)


routes = [
    Route("/recherches", list_page, methods=["GET"]),
    Route("/recherches", save, methods=["POST"]),
    Route("/recherches/{search_id:int}", open_saved, methods=["GET"]),
    Route("/recherches/{search_id:int}/supprimer", delete, methods=["POST"]),
]
