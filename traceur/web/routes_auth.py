"""Logging in and out: ``/connexion`` (GET the form, POST it) and ``/deconnexion`` (POST)."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from traceur.web.accounts import User, authenticate
from traceur.web.security import (
    LoginLimiter,
    accounts_db,
    current_user,
    log_in,
    log_out,
    safe_next,
)
from traceur.web.templating import render

log = logging.getLogger(__name__)


def _minutes(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


async def login_form(request: Request) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("suivant")), status_code=303)
    context = {"suivant": request.query_params.get("suivant", "")}
    if "au-revoir" in request.query_params:
        context["message"] = "Vous êtes déconnecté·e."
    return render(request, "connexion.html", context)


async def login(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("nom", "")).strip()
    password = str(form.get("mot_de_passe", ""))
    target = safe_next(str(form.get("suivant", "")))
    address = request.client.host if request.client else "?"
    limiter: LoginLimiter = request.app.state.login_limiter
    context = {"suivant": target, "nom": name}
    wait = limiter.wait_seconds(name, address)
    if wait:
        log.warning("login refused for %r from %s: too many failures", name, address)
        context["erreur"] = (
            "Trop de tentatives de connexion infructueuses. Par sécurité, réessayez dans "
            f"{_minutes(wait)}, ou demandez à un·e administrateur·rice de vérifier votre compte."
        )
        return render(request, "connexion.html", context, status_code=429)

    def check() -> User | None:
        with accounts_db(request) as db:
            return authenticate(db, name, password)

    # argon2 takes tens of milliseconds of CPU: off the event loop.
    user = await run_in_threadpool(check)
    if user is None:
        limiter.failed(name, address)
        log.info("failed login for %r from %s", name, address)
        context["erreur"] = "Nom d'utilisateur ou mot de passe incorrect."
        return render(request, "connexion.html", context)
    limiter.succeeded(name)
    log_in(request, user)
    log.info("login: %s from %s", name, address)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    log_out(request)
    # A redirect, so reloading the page after it does not post the form again.
    return RedirectResponse("/connexion?au-revoir=1", status_code=303)


routes = [
    Route("/connexion", login_form, methods=["GET"]),
    Route("/connexion", login, methods=["POST"]),
    Route("/deconnexion", logout, methods=["POST"]),
]
