"""A small local web server for the demo and the tests: several sites from one folder.

Each sub-folder of ``root`` is a site, named by its host name
(``root/www.quotidien-du-centre.example/politique/rss.xml``). The crawler reaches it
as an HTTP proxy (absolute URLs in the request line), so pages keep their real-looking
addresses while everything is served from 127.0.0.1. Plain requests with a ``Host``
header work too. Every request is recorded, and responses can be overridden while the
server runs, so tests can make a page change, fail or redirect.
"""

from __future__ import annotations

import hashlib
import mimetypes
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".json": "application/json",
}


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    host: str
    path: str
    headers: dict[str, str]
    status: int
    at: float


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[str, str, dict[str, str]], Response | None]


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class LocalWeb:
    """Serves ``root`` on 127.0.0.1, or ``address`` (``::1`` for IPv6), on a free port unless
    ``port`` is given."""

    def __init__(
        self,
        root: Path | None = None,
        port: int = 0,
        default_host: str | None = None,
        validators: bool = True,
        address: str = "127.0.0.1",
    ) -> None:
        self.root = root
        self.validators = validators
        # The site answering requests made straight to 127.0.0.1:port (no proxy, no Host).
        self.default_host = default_host
        self.requests: list[LoggedRequest] = []
        self.overrides: dict[tuple[str, str], Response | Handler] = {}
        self._lock = threading.Lock()
        self.address = address
        server_class = _IPv6Server if ":" in address else ThreadingHTTPServer
        self._server = server_class((address, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Where the default host answers directly."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}"

    @property
    def proxy_url(self) -> str:
        return self.base_url

    def start(self) -> LocalWeb:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="localweb", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set(self, host: str, path: str, response: Response | Handler) -> None:
        """Answer ``host``+``path`` with ``response`` (or a function of method, path, headers)."""
        with self._lock:
            self.overrides[(host, path)] = response

    def requested(self, host: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if host is None or r.host == host]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _resolve(self, host: str, path: str, headers: dict[str, str], method: str) -> Response:
        with self._lock:
            override = self.overrides.get((host, path))
        if override is not None:
            result = override(method, path, headers) if callable(override) else override
            if result is not None:
                return result
        if self.root is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        site = (self.root / host).resolve()
        if not site.is_dir() or not str(site).startswith(str(self.root.resolve())):
            return Response(502, b"unknown host", {"Content-Type": "text/plain"})
        # Like most servers, files ignore the query string (?utm_source=…).
        target = (site / path.split("?", 1)[0].lstrip("/")).resolve()
        if not str(target).startswith(str(site)):
            return Response(403, b"forbidden", {"Content-Type": "text/plain"})
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return Response(
                404,
                b"<html><body><h1>404 Page introuvable</h1></body></html>",
                {"Content-Type": "text/html; charset=utf-8"},
            )
        content_type = (
            _TYPES.get(target.suffix)
            or mimetypes.guess_type(target.name)[0]
            or "application/octet-stream"
        )
        if target.suffix == ".html":
            # A page that declares another charset in its <meta> is served without one,
            # as many old CMSs do; the crawler must read the meta.
            head = target.read_bytes()[:1024].lower()
            if b"charset=" in head and b"utf-8" not in head:
                content_type = "text/html"
        return Response(200, target.read_bytes(), {"Content-Type": content_type})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        web = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes; with Nagle's algorithm on a kept-alive
            # connection the body waited for the client's delayed ACK (about 40 ms a page).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                # urlsplit reads "[::1]:8080" as well as "site.example:8080".
                host = (
                    parts.hostname or urlsplit("//" + self.headers.get("Host", "")).hostname or ""
                ).lower()
                if host in ("127.0.0.1", "localhost", "::1") and web.default_host:
                    host = web.default_host
                path = parts.path or "/"
                if parts.query:
                    path = f"{path}?{parts.query}"
                headers = {k: v for k, v in self.headers.items()}
                response = web._resolve(host, path, headers, method)
                if response.status == 200 and web.validators:
                    # Like most servers: an ETag on every page, and 304 when it still matches.
                    etag = '"' + hashlib.sha1(response.body).hexdigest()[:16] + '"'
                    response = Response(200, response.body, {"ETag": etag, **response.headers})
                    if self.headers.get("If-None-Match") == response.headers["ETag"]:
                        response = Response(304, b"", {"ETag": response.headers["ETag"]})
                with web._lock:
                    web.requests.append(
                        LoggedRequest(method, host, path, headers, response.status, time.time())
                    )
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(response.body)

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                self._serve("GET")

            def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
                self._serve("HEAD")

        return _Handler
