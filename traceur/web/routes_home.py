"""The home page (``/`` goes to the search) and a stand-in ``/recherche`` listing the
newest documents, used until a module serves the real search page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from traceur.store import SearchQuery, Store
from traceur.web.security import require_user
from traceur.web.templating import render


async def home(request: Request) -> Response:
    require_user(request)
    return RedirectResponse("/recherche", status_code=303)


async def newest_documents(request: Request) -> Response:
    require_user(request)
    store: Store = request.app.state.store
    hits = await run_in_threadpool(store.search, SearchQuery(limit=20))
    return render(request, "recherche_attente.html", {"documents": [h.document for h in hits]})


routes = [Route("/", home, methods=["GET"])]
placeholder_routes = [Route("/recherche", newest_documents, methods=["GET"])]
