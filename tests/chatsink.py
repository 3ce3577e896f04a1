"""A chat and webhook receiver on 127.0.0.1 for the alert channel tests and the benchmark:
answers every POST (or PUT) with the status it is told to, and records what it received.

It stands for a webhook endpoint (``json://``), a self-hosted ntfy server (``ntfy://``)
and a Matrix webhook bridge (``matrix://…?mode=slack``): all three are one HTTP request per
message, which Apprise sends to the host and port written in the URL.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered
    at: float  # time.time() when it arrived

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        """Everything a person could read in the request: the body, decoded."""
        try:
            return json.dumps(self.json(), ensure_ascii=False)
        except ValueError:
            return self.body.decode("utf-8", "replace")


class ChatSink:
    """``with ChatSink() as sink:`` — ``sink.url("json", "/hooks/veille")``."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0  # seconds before answering: longer than the client waits = a timeout
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def _receive(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = sink.status
                with sink._lock:
                    sink._requests.append(
                        Request(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            status,
                            time.time(),
                        )
                    )
                answer = b'{"ok": true}' if status < 300 else b'{"error": "indisponible"}'
                time.sleep(sink.delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = _receive  # noqa: N815 - http.server's names
            do_PUT = _receive  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # the tests read the requests, not a log

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host, self.port = "127.0.0.1", int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, scheme: str, rest: str) -> str:
        return f"{scheme}://{self.host}:{self.port}{rest}"

    def requests(self, path_prefix: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self._requests if r.path.startswith(path_prefix)]

    def accepted(self, path_prefix: str = "") -> list[Request]:
        return [r for r in self.requests(path_prefix) if r.accepted]

    def __enter__(self) -> ChatSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
