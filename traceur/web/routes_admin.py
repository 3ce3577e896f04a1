"""Administration: the list of accounts, adding one, disabling or enabling it (admins only)."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from traceur.errors import AccountError
from traceur.web.accounts import MIN_PASSWORD_CHARS, ROLES, add_user, list_users, set_disabled
from traceur.web.security import accounts_db, require_user
from traceur.web.templating import render

log = logging.getLogger(__name__)


def _page(request: Request, status_code: int = 200, **context: object) -> Response:
    with accounts_db(request) as db:
        users = list_users(db)
    return render(
        request,
        "admin_utilisateurs.html",
        {"users": users, "roles": ROLES, "min_password": MIN_PASSWORD_CHARS, **context},
        status_code=status_code,
    )


async def users_page(request: Request) -> Response:
    require_user(request, "admin")
    return _page(request, message=request.query_params.get("fait"))


async def add_account(request: Request) -> Response:
    admin = require_user(request, "admin")
    form = await request.form()
    name = str(form.get("nom", "")).strip()
    role = str(form.get("role", ""))
    password = str(form.get("mot_de_passe", ""))

    def add() -> None:
        with accounts_db(request) as db:
            add_user(db, name, role, password)

    try:
        await run_in_threadpool(add)
    except AccountError as exc:
        log.info("admin %s could not add %r: %s", admin.name, name, exc)
        french = (
            f"Le compte « {name} » existe déjà."
            if "already exists" in str(exc)
            else "Le compte n'a pas été créé : vérifiez le nom (sans espace), le rôle et un "
            f"mot de passe d'au moins {MIN_PASSWORD_CHARS} caractères."
        )
        return _page(request, status_code=400, erreur=french, nom=name)
    log.info("admin %s added user %r (%s)", admin.name, name, role)
    return RedirectResponse("/admin/utilisateurs?fait=ajout", status_code=303)


async def toggle_account(request: Request) -> Response:
    admin = require_user(request, "admin")
    form = await request.form()
    name = str(form.get("nom", ""))
    action = form.get("action")
    if action not in ("desactiver", "reactiver"):
        raise HTTPException(400)
    disable = action == "desactiver"
    if disable and name.lower() == admin.name.lower():
        return _page(request, status_code=400, erreur="Vous ne pouvez pas désactiver votre compte.")
    try:
        with accounts_db(request) as db:
            set_disabled(db, name, disable)
    except AccountError:
        return _page(request, status_code=404, erreur=f"Aucun compte « {name} ».")
    log.info("admin %s %s user %r", admin.name, "disabled" if disable else "enabled", name)
    done = "desactivation" if disable else "reactivation"
    return RedirectResponse(f"/admin/utilisateurs?fait={done}", status_code=303)


routes = [
    Route("/admin/utilisateurs", users_page, methods=["GET"]),
    Route("/admin/utilisateurs", add_account, methods=["POST"]),
    Route("/admin/utilisateurs/etat", toggle_account, methods=["POST"]),
]
