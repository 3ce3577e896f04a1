"""Fetching a few pages through the crawl's own machinery (``python -m crawler.fetch`` in a
child process: network guard, robots.txt, limits), for ``traceur try``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from traceur.config import Settings
from traceur.errors import CrawlError


@dataclass(frozen=True)
class Fetched:
    """One URL's answer: its body, or the kind of error that stopped it."""

    url: str
    final_url: str = ""
    status: int | None = None
    content_type: str = ""
    body: bytes = b""
    redirects: tuple[str, ...] = field(default_factory=tuple)
    error: str | None = None
    message: str = ""

    @property
    def charset(self) -> str | None:
        if "charset=" not in self.content_type:
            return None
        return self.content_type.split("charset=", 1)[1].split(";")[0].strip() or None


def fetch_pages(settings: Settings, urls: list[str], timeout: float | None = None) -> list[Fetched]:
    """Fetch ``urls`` as a crawl with ``settings`` would; one ``Fetched`` per URL, in order.

    Raises ``CrawlError`` when the fetching process itself fails.
    """
    budget = timeout or settings.download_timeout * (len(urls) + 1) + 30
    with tempfile.TemporaryDirectory(prefix="traceur-try-") as tmp:
        out = Path(tmp)
        command = [sys.executable, "-m", "crawler.fetch", "--out", str(out), *urls]
        try:
            done = subprocess.run(
                command,
                env={**os.environ, **settings.to_env()},
                capture_output=True,
                timeout=budget,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CrawlError(f"fetching took longer than {budget:.0f}s") from None
        listing = out / "fetched.json"
        if done.returncode != 0 or not listing.is_file():
            detail = done.stderr.decode("utf-8", "replace").strip()[-1500:]
            raise CrawlError(f"the fetch failed (exit code {done.returncode}): {detail}")
        return [_read(entry, out) for entry in json.loads(listing.read_text(encoding="utf-8"))]


def _read(entry: dict[str, object], out: Path) -> Fetched:
    body_file = entry.get("body_file")
    status = entry.get("status")
    redirects = entry.get("redirects")
    return Fetched(
        url=str(entry["url"]),
        final_url=str(entry.get("final_url") or entry["url"]),
        status=status if isinstance(status, int) else None,
        content_type=str(entry.get("content_type") or ""),
        body=(out / str(body_file)).read_bytes() if body_file else b"",
        redirects=tuple(str(url) for url in redirects) if isinstance(redirects, list) else (),
        error=str(entry["error"]) if entry.get("error") else None,
        message=str(entry.get("message") or ""),
    )
