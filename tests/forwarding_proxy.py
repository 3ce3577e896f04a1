"""A real forwarding HTTP proxy, in-process, for the network-guard tests.

It does what a corporate proxy does: reads the absolute URL of the request line, resolves
the host itself and connects there, then relays the answer. ``routes`` stands in for the
public DNS the tests cannot reach (a public address or name → a local server); every other
host is resolved for real, so ``localhost`` reaches the loopback interface, which is exactly
what the crawler's guard must prevent. With ``enforce`` on, it refuses private destinations
itself (403), as a proxy that enforces the policy would. Every request it receives is logged.
"""

from __future__ import annotations

import http.client
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from traceur.netguard import NetworkPolicy, literal_address

# Not relayed: they concern one connection, not the message.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


@dataclass(frozen=True)
class Forwarded:
    url: str
    connected_to: str  # the address the proxy connected to, or "" when it refused


class ForwardingProxy:
    def __init__(self, routes: dict[str, tuple[str, int]] | None = None) -> None:
        self.routes = dict(routes or {})
        self.enforce = False
        self.log: list[Forwarded] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ForwardingProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def received(self) -> list[str]:
        with self._lock:
            return [entry.url for entry in self.log]

    def _record(self, url: str, connected_to: str) -> None:
        with self._lock:
            self.log.append(Forwarded(url, connected_to))

    def _destination(self, host: str, port: int) -> tuple[str, int]:
        if host in self.routes:
            return self.routes[host]
        # A real lookup, as any proxy does: the first address of the name.
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return str(found[0][4][0]), port

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
                pass

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _forward(self) -> None:
                parts = urlsplit(self.path)
                host = parts.hostname or ""
                try:
                    address, port = proxy._destination(host, parts.port or 80)
                except OSError:
                    proxy._record(self.path, "")
                    self._answer(502, b"unknown host", {"Content-Type": "text/plain"})
                    return
                # A routed public address stands for itself; a name, for where it leads.
                judged = literal_address(host) or address
                if proxy.enforce and not NetworkPolicy().is_allowed_ip(judged):
                    proxy._record(self.path, "")
                    self._answer(403, b"destination refused", {"Content-Type": "text/plain"})
                    return
                proxy._record(self.path, address)
                path = parts.path or "/"
                if parts.query:
                    path = f"{path}?{parts.query}"
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = http.client.HTTPConnection(address, port, timeout=10)
                try:
                    upstream.request(self.command, path, headers=headers)
                    answer = upstream.getresponse()
                    body = answer.read()
                    relayed = {
                        k: v
                        for k, v in answer.getheaders()
                        if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"
                    }
                finally:
                    upstream.close()
                self._answer(answer.status, body, relayed)

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                self._forward()

            def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
                self._forward()

        return _Handler
