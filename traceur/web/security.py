"""What keeps the web app safe: the session key, who is logged in (``require_user``), CSRF
tokens on every form, login rate limits, and the security headers of every response.

Sessions are Starlette's signed cookies (itsdangerous; HttpOnly, SameSite=Lax) holding the
user id, the account's session epoch (bumped by a password reset or a disable, which ends
older sessions) and the CSRF token of that browser.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from sqlite3 import Connection
from typing import Any
from urllib.parse import quote

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from traceur.config import Settings
from traceur.errors import AccountError
from traceur.secretfile import kept_key
from traceur.web.accounts import User, user_by_id

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECRET_FILE = "web-secret"
# No inline script or style anywhere, so an injected <script> or style="" does nothing;
# charts are inline SVG using presentation attributes (fill="…"), which CSP allows.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A form post larger than this is refused before it is read (the app takes no uploads).
MAX_FORM_BYTES = 1_000_000


class LoginRequired(AccountError):
    """The page needs a logged-in user; the app redirects to the login page."""


class Forbidden(AccountError):
    """The logged-in user's role does not allow this page."""


def session_secret(settings: Settings) -> str:
    """``TRACEUR_WEB_SECRET``, else a random key made once and kept in ``data_dir`` (0600),
    so sessions survive restarts without the operator having to invent a key."""
    if settings.web_secret:
        return settings.web_secret
    return kept_key(
        Path(settings.data_dir) / SECRET_FILE,
        AccountError,
        unusable="delete it (a new one is made at start) or set TRACEUR_WEB_SECRET",
        unwritable="make data_dir writable, or set TRACEUR_WEB_SECRET",
    )


@contextmanager
def accounts_db(request: Request) -> Iterator[Connection]:
    """The accounts connection, for one thread at a time (pages run in a thread pool)."""
    with request.app.state.accounts_lock:
        yield request.app.state.accounts


def current_user(request: Request) -> User | None:
    """The logged-in, active user of this request's session, or None."""
    if hasattr(request.state, "user"):
        found: User | None = request.state.user
        return found
    user: User | None = None
    user_id = request.session.get("uid")
    if isinstance(user_id, int):
        with accounts_db(request) as db:
            user = user_by_id(db, user_id)
        if user is None or user.disabled or user.session_epoch != request.session.get("epoch"):
            user = None
            request.session.pop("uid", None)
    request.state.user = user
    return user


def require_user(request: Request, role: str = "benevole") -> User:
    """The logged-in user, who must hold ``role`` (or a role above it).

    Raises ``LoginRequired`` (the app redirects to the login page and back) or
    ``Forbidden`` (a French 403 page). Call it first in every page handler."""
    user = current_user(request)
    if user is None:
        raise LoginRequired(f"{request.url.path} needs a login")
    if not user.has_role(role):
        raise Forbidden(f"{user.name} ({user.role}) may not open {request.url.path}")
    return user


def log_in(request: Request, user: User) -> None:
    # A new CSRF token at login, so one seen before logging in is worth nothing after.
    request.session.clear()
    request.session.update(
        {"uid": user.id, "epoch": user.session_epoch, "csrf": secrets.token_urlsafe(32)}
    )
    request.state.user = user


def log_out(request: Request) -> None:
    request.session.clear()
    request.state.user = None


def login_url(request: Request) -> str:
    """The login page, coming back to this page afterwards."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/connexion?suivant=" + quote(back, safe="")


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path of this site only (never //host or a URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def csrf_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


@pass_context
def csrf_field(context: Context) -> Markup:
    """``{{ csrf_field() }}`` in any ``<form method="post">``: the hidden token field."""
    request: Request = context["request"]
    token = csrf_token(request.session)
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


class CsrfMiddleware:
    """Refuses every POST (PUT, PATCH, DELETE) whose ``csrf_token`` field or
    ``X-CSRF-Token`` header is not this session's token, before any handler runs.

    Sits inside the session middleware. The body is read here and replayed to the app, so
    handlers read their form as usual."""

    def __init__(self, app: ASGIApp, refuse: ASGIApp) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_FORM_BYTES:
                await self.refuse(scope, _replay(b""), send)
                return
        expected = scope.get("session", {}).get("csrf")
        request = Request(scope, _replay(body))
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            form = await request.form()
            field = form.get(CSRF_FIELD)
            given = field if isinstance(field, str) else None
            await form.close()
        if not (
            isinstance(expected, str)
            and given is not None
            and hmac.compare_digest(expected.encode(), given.encode())
        ):
            await self.refuse(scope, _replay(b""), send)
            return
        await self.app(scope, _replay(body), send)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class SecurityHeadersMiddleware:
    """The Content-Security-Policy and its companions on every response."""

    HEADERS = (
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.HEADERS if k not in present]
                if not scope["path"].startswith("/static/") and b"cache-control" not in present:
                    # Pages and API answers hold what one volunteer may see: no proxy or
                    # shared browser cache keeps them.
                    headers.append((b"cache-control", b"private, no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginLimiter:
    """Failed logins per account name and per client address in a sliding window; past
    either limit, logins are refused (even with the right password) until it slides by.

    Kept in memory: a restart forgets, which costs a guesser nothing they could not get by
    waiting, and needs no write per attempt."""

    MAX_KEYS = 10_000

    def __init__(self, per_name: int, per_address: int, window_seconds: int) -> None:
        self.per_name = per_name
        self.per_address = per_address
        self.window = float(window_seconds)
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait_seconds(self, name: str, address: str) -> int:
        """Seconds before this name may try again from this address (0: now)."""
        now = time.monotonic()
        waits = [0.0]
        with self._lock:
            for key, limit in (
                ("n:" + name.lower(), self.per_name),
                ("a:" + address, self.per_address),
            ):
                times = self._recent(key, now)
                if len(times) >= limit:
                    waits.append(times[len(times) - limit] + self.window - now)
        return int(max(waits) + 0.999)

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in ("n:" + name.lower(), "a:" + address):
                self._recent(key, now).append(now)
            if len(self._failures) > self.MAX_KEYS:
                # Guesses over many invented names must not grow memory without end.
                for key in [k for k in self._failures if not self._recent(k, now)]:
                    del self._failures[key]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop("n:" + name.lower(), None)
