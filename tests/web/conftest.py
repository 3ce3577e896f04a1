"""The web app's test harness: a seeded store (SQLite, or Elasticsearch on demand), the real
app served by uvicorn on a free 127.0.0.1 port, and a real headless Chromium (Debian's
``/usr/bin/chromium``) that fails the test on any dialog, console error or page error.

Fixtures:
- ``store_kind`` — "sqlite" by default; run a test on both stores with ``@BOTH_STORES``
  (``pytest.mark.parametrize("store_kind", ...)`` overrides the fixture).
- ``web`` — a ``WebServer``: ``url``, ``settings``, ``store`` (the app's), ``docs`` (the
  seeded corpus of ``tests/web/corpus.py``), accounts ``USERS`` (password ``PASSWORD``),
  ``token(name)``, ``get(path, token=...)`` for plain HTTP.
- ``page`` — a fresh browser page (own cookies) watched by a ``PageGuard``; ``new_page()``
  for a second volunteer; ``login(page, web, name)``; ``screenshot(page, name)`` writes
  ``tests/web/screenshots/<name>.png`` (git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from tests.conftest import isolated_settings
from tests.web.corpus import seed, write_watchlist
from traceur.config import Settings
from traceur.document import Document
from traceur.store import Store
from traceur.web.accounts import add_user, new_token, open_accounts
from traceur.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "rillettes-et-tramway"
# name → role; the accounts every web test starts with.
USERS = {
    "camille": "admin",
    "sami": "coordination",
    "lea": "benevole",
    "hugo": "benevole",
}
BOTH_STORES = pytest.mark.parametrize("store_kind", ["sqlite", "es"])
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class WebServer:
    url: str
    settings: Settings
    store: Store
    docs: list[Document]
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, name: str) -> str:
        """``name``'s API token (made on first use)."""
        if name not in self.tokens:
            db = open_accounts(self.settings.data_dir)
            try:
                self.tokens[name] = new_token(db, name)
            finally:
                db.close()
        return self.tokens[name]

    def get(self, path: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """A plain HTTP GET (no browser): status, headers, body."""
        request = urllib.request.Request(self.url + path)
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def get_json(self, path: str, token: str | None = None) -> tuple[int, Any]:
        status, _, body = self.get(path, token)
        return status, json.loads(body)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def store_kind() -> str:
    return "sqlite"


@pytest.fixture
def web_settings(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    settings = isolated_settings(tmp_path, watchlist=write_watchlist(tmp_path / "veille.yaml"))
    if store_kind == "sqlite":
        yield settings
        return
    es_url: str = request.getfixturevalue("es_url")
    client = request.getfixturevalue("es_client")
    prefix = "web-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:30].strip("-")
    prefix += "-" + uuid.uuid4().hex[:6]
    yield settings.replace(store=f"es+{es_url}", es_index_prefix=prefix, es_batch_size=50)
    from tests.es.conftest import _cleanup

    _cleanup(client, prefix)
    client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")


def _prepare_store(settings: Settings) -> None:
    """Create the indices an Elasticsearch store needs (SQLite creates its file itself)."""
    if settings.store.startswith("es+"):
        from traceur.store.elasticsearch import ElasticsearchStore

        store = ElasticsearchStore.from_settings(settings)
        try:
            store.setup()
        finally:
            store.close()


@pytest.fixture(scope="session")
def accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A web.db holding ``USERS``, made once: argon2 hashing is slow on purpose, so each
    test copies this file rather than hashing four passwords again."""
    directory = tmp_path_factory.mktemp("comptes")
    db = open_accounts(directory)
    try:
        for name, role in USERS.items():
            add_user(db, name, role, PASSWORD)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return directory / "web.db"


@pytest.fixture
def web(web_settings: Settings, accounts_file: Path) -> Iterator[WebServer]:
    """The real app on a free port, over a store seeded with the corpus, with ``USERS``."""
    _prepare_store(web_settings)
    web_settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(accounts_file, web_settings.data_dir / "web.db")
    app = create_app(web_settings)
    docs = seed(app.state.store)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="traceur-web-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start; see the log above")
        time.sleep(0.02)
    try:
        yield WebServer(f"http://127.0.0.1:{port}", web_settings, app.state.store, docs)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield launched
        launched.close()


@dataclass
class PageGuard:
    """What a page did that a test never wants: dialogs (alert, confirm, prompt: an injected
    script ran), console errors (a CSP violation, a script error) and uncaught exceptions."""

    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    # Substrings of console errors a test expects (a 403 page logs its status).
    allowed: list[str] = field(default_factory=list)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # A page answered with an error status on purpose (403 for a bénévole on an admin
        # page, 429 for too many logins) logs its own status; a failing subresource (a
        # missing stylesheet, a blocked image) has another URL, and still counts.
        own_status = message.text.startswith("Failed to load resource") and (
            message.location.get("url") == message.page.url if message.page else False
        )
        if not own_status:
            self.console_errors.append(message.text)

    def on_page_error(self, error: Exception) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def allow(self, substring: str) -> None:
        self.allowed.append(substring)

    def problems(self) -> list[str]:
        errors = [e for e in self.console_errors if not any(a in e for a in self.allowed)]
        return [f"dialog opened: {d}" for d in self.dialogs] + [f"console: {e}" for e in errors]


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Pages with their own cookies (one volunteer each), failing the test on a dialog or a
    console error. ``new_page(viewport=PHONE)`` for a phone-sized screen."""
    opened: list[tuple[Any, PageGuard]] = []

    def build(viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(viewport=viewport or DESKTOP, locale="fr-FR")
        context.set_default_timeout(15_000)
        page = context.new_page()
        guard = PageGuard()
        page.on("dialog", guard.on_dialog)
        page.on("console", guard.on_console)
        page.on("pageerror", guard.on_page_error)
        page.guard = guard  # type: ignore[attr-defined]
        opened.append((context, guard))
        return page

    yield build
    problems = [problem for _, guard in opened for problem in guard.problems()]
    for context, _ in opened:
        context.close()
    if problems:
        pytest.fail("the browser saw:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def guard_of(page: Page) -> PageGuard:
    found: PageGuard = page.guard  # type: ignore[attr-defined]
    return found


def login(page: Page, web: WebServer, name: str, password: str = PASSWORD) -> None:
    """Log ``name`` in through the login form and wait for the page after it."""
    page.goto(web.url + "/connexion")
    page.get_by_label("Nom d'utilisateur").fill(name)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as tests/web/screenshots/<name>.png (to look at)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
