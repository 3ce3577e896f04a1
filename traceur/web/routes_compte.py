"""``/compte``: the logged-in volunteer's own account — changing the provisional password an
administrator gave them. Their other sessions end; this one goes on."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from traceur.errors import AccountError
from traceur.web.accounts import MIN_PASSWORD_CHARS, User, authenticate, set_password
from traceur.web.security import LoginLimiter, accounts_db, log_in, require_user
from traceur.web.templating import render

log = logging.getLogger(__name__)


def _page(request: Request, status_code: int = 200, **context: object) -> Response:
    return render(
        request, "compte.html", {"min_password": MIN_PASSWORD_CHARS, **context}, status_code
    )


async def account_page(request: Request) -> Response:
    require_user(request)
    return _page(request, fait="fait" in request.query_params)


async def change_password(request: Request) -> Response:
    user = require_user(request)
    form = await request.form()
    current = str(form.get("actuel", ""))
    new = str(form.get("nouveau", ""))
    again = str(form.get("confirmation", ""))
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else "?"
    # Guessing the current password from an open session counts like guessing at login.
    if limiter.wait_seconds(user.name, address):
        return _page(
            request,
            429,
            erreur="Trop de tentatives infructueuses. Réessayez dans quelques minutes.",
        )
    if new != again:
        return _page(request, 400, erreur="Les deux nouveaux mots de passe ne sont pas identiques.")
    if len(new) < MIN_PASSWORD_CHARS:
        return _page(
            request,
            400,
            erreur=f"Le nouveau mot de passe doit compter {MIN_PASSWORD_CHARS} caractères ou plus.",
        )

    def change() -> User | None:
        with accounts_db(request) as db:
            if authenticate(db, user.name, current) is None:
                return None
            try:
                return set_password(db, user.name, new)
            except AccountError:
                return None

    changed = await run_in_threadpool(change)
    if changed is None:
        limiter.failed(user.name, address)
        return _page(request, 400, erreur="Le mot de passe actuel est incorrect.")
    # The new epoch ends every other session of this account; this one is renewed.
    log_in(request, changed)
    log.info("%s changed their password", user.name)
    return RedirectResponse("/compte?fait=1", status_code=303)


routes = [
    Route("/compte", account_page, methods=["GET"]),
    Route("/compte", change_password, methods=["POST"]),
]
