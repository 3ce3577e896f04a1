"""Shared fixtures. No test reaches the internet: an autouse fixture refuses every
connection from the test process that is not to the loopback interface, and crawls in
child processes go through the local web server as their proxy, behind the network guard."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from traceur.config import Settings, load_settings
from traceur.demo.localweb import LocalWeb
from traceur.privacy import logfiles

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from tests.redisserver import RedisServer

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
SITES = TESTS / "sites"
DEMO_WEB = TESTS.parent / "traceur" / "demo" / "sites"


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):
        return True  # a Unix socket path
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _refuse_outbound_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
        def connect(self: socket.socket, address: Any) -> Any:
            if not _is_local(address):
                raise ConnectionRefusedError(f"tests never leave this machine (tried {address!r})")
            return method(self, address)

        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))


@pytest.fixture(autouse=True)
def _own_fallback_crash_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`traceur purge` and `traceur forget` rewrite the crash log of the temporary folder
    (traceur.privacy.logfiles): a test's must be its own, never the machine's."""
    own = tmp_path / "traceur-errors.log"
    monkeypatch.setattr(logfiles, "fallback_crash_log", lambda: own)


def isolated_settings(directory: Path, web: LocalWeb | None = None, **changes: Any) -> Settings:
    """Settings isolated in ``directory``: own SQLite store and state, loopback allowed,
    through ``web`` as a proxy when given (for module-scoped fixtures; tests use
    ``make_settings``)."""
    base = load_settings(environ={}).replace(
        store=f"sqlite:///{directory / 'traceur.db'}",
        data_dir=directory / "data",
        allow_networks=("127.0.0.1/32",),
        download_delay=0.0,
        retry_times=0,
        download_timeout=10,
    )
    if web is not None:
        # The local web serves its folders and reaches nothing else; its made-up host
        # names resolve nowhere, so the guard could not check them itself.
        base = base.replace(http_proxy=web.proxy_url, proxy_enforces_policy=True)
    return base.replace(**changes)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings isolated in ``tmp_path``: own SQLite store and state, loopback allowed."""

    def build(web: LocalWeb | None = None, **changes: Any) -> Settings:
        return isolated_settings(tmp_path, web, **changes)

    return build


@pytest.fixture
def demo_web() -> Iterator[LocalWeb]:
    with LocalWeb(DEMO_WEB) as web:
        yield web


@pytest.fixture
def sites_web() -> Iterator[LocalWeb]:
    """The test fixture sites of tests/sites/<host>/, served like the demo web."""
    with LocalWeb(SITES) as web:
        yield web


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis for one test (tests/redisserver.py), append-only so that a restart
    keeps the queue's jobs, stopped by its pid afterwards."""
    from tests.redisserver import RedisServer

    server = RedisServer(tmp_path / "redis", appendonly=True)
    server.start()
    yield server
    server.stop()


# -- the session's Elasticsearch, shared by tests/es/ and tests/web/ ------------------------


@pytest.fixture(scope="session")
def es_url() -> Iterator[str]:
    """A real Elasticsearch for the session (started on first use; see tests/es/server.py),
    or the cluster named by TRACEUR_TEST_ES_URL."""
    external = os.environ.get("TRACEUR_TEST_ES_URL")
    if external:
        yield external.rstrip("/")
        return
    from tests.es.server import start_server

    server = start_server()
    try:
        yield server.url
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def es_client(es_url: str) -> Iterator[Elasticsearch]:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=60)
    yield client
    client.close()
