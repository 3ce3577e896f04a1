"""``create_app(settings)``: the volunteers' web app (Starlette), over the configured store.

Routes come from every ``traceur/web/routes_*.py`` module (each exports ``routes``), found
at start, in name order; see ``traceur/web/__init__.py``.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import pkgutil
import threading
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

import traceur.web
from traceur.config import Settings
from traceur.errors import StoreError
from traceur.store import open_store
from traceur.web.accounts import open_accounts
from traceur.web.security import (
    CsrfMiddleware,
    Forbidden,
    LoginLimiter,
    LoginRequired,
    SecurityHeadersMiddleware,
    login_url,
    session_secret,
)
from traceur.web.templating import STATIC_DIR, make_templates, render

log = logging.getLogger(__name__)
SESSION_COOKIE = "traceur_session"


def route_modules() -> list[str]:
    """``traceur.web.routes_*`` module names, in name order."""
    return sorted(
        f"traceur.web.{info.name}"
        for info in pkgutil.iter_modules(traceur.web.__path__)
        if info.name.startswith("routes_")
    )


def collect_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    placeholders: list[BaseRoute] = []
    for name in route_modules():
        module = importlib.import_module(name)
        routes += list(module.routes)
        # Routes a module offers only until another module serves the same path.
        placeholders += list(getattr(module, "placeholder_routes", []))
    taken = {route.path for route in routes if isinstance(route, Route)}
    routes += [r for r in placeholders if not (isinstance(r, Route) and r.path in taken)]
    routes.append(Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"))
    return routes


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _login_required(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return JSONResponse(
            {"erreur": "jeton d'API manquant ou invalide (en-tête Authorization: Bearer …)"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return RedirectResponse(login_url(request), status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    log.warning("refused: %s", exc)
    if _is_api(request):
        return JSONResponse({"erreur": "accès refusé"}, status_code=403)
    return render(request, "erreur.html", {"code": 403}, status_code=403)


async def _http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    if _is_api(request):
        detail = "introuvable" if code == 404 else "requête refusée"
        return JSONResponse({"erreur": detail}, status_code=code)
    return render(request, "erreur.html", {"code": code}, status_code=code)


async def _store_down(request: Request, exc: Exception) -> Response:
    log.error("store unavailable: %s", exc)
    if _is_api(request):
        return JSONResponse({"erreur": "stockage des documents injoignable"}, status_code=503)
    return render(request, "erreur.html", {"code": 503}, status_code=503)


async def _server_error(request: Request, exc: Exception) -> Response:
    # The operator gets the traceback in the log; the volunteer a French page, never a trace.
    log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return JSONResponse({"erreur": "erreur interne"}, status_code=500)
    return render(request, "erreur.html", {"code": 500}, status_code=500)


async def _csrf_refused(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    log.warning("refused a %s to %s without a valid CSRF token", scope["method"], scope["path"])
    response = render(request, "erreur.html", {"code": 403, "csrf": True}, status_code=403)
    await response(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    """The app, with its store, accounts database and templates opened once.

    The store is opened here (``open_store``) and closed when the server stops."""
    store = open_store(settings)
    accounts = open_accounts(settings.data_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        store.close()
        accounts.close()

    secure = bool(settings.web_base_url and settings.web_base_url.startswith("https://"))
    app = Starlette(
        routes=collect_routes(),
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(settings),
                session_cookie=SESSION_COOKIE,
                max_age=settings.web_session_hours * 3600,
                same_site="lax",
                https_only=secure,
            ),
            Middleware(CsrfMiddleware, refuse=_csrf_refused),
        ],
        exception_handlers={
            LoginRequired: _login_required,
            Forbidden: _forbidden,
            StoreError: _store_down,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    state: Any = app.state
    state.settings = settings
    state.store = store
    state.accounts = accounts
    state.accounts_lock = threading.RLock()
    state.templates = make_templates()
    state.login_limiter = LoginLimiter(
        settings.web_login_attempts_per_name,
        settings.web_login_attempts_per_address,
        settings.web_login_window_seconds,
    )
    return app
