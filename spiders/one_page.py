"""Fetches the URLs it is given and hands back the raw answers, for ``traceur try``.

Nothing is parsed, followed (but redirects) or stored: the point is to fetch exactly as a
crawl would — same network guard, robots.txt, user agent, size and time limits — and let
the core read what came back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.base import error_kind

FETCHED_FILE = "fetched.json"


class OnePageSpider(scrapy.Spider):
    name = "one_page"

    def __init__(self, urls: list[str], out_dir: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = list(urls)
        self.out_dir = Path(out_dir)
        self.fetched: list[dict[str, Any]] = [{"url": url} for url in self.urls]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for index, url in enumerate(self.urls):
            yield scrapy.Request(
                url,
                callback=self.keep,
                errback=self.failed,
                cb_kwargs={"index": index},
                # An error page is an answer too: `try` says what the server said.
                meta={"handle_httpstatus_all": True},
                dont_filter=True,
            )

    def keep(self, response: Response, index: int) -> None:
        body_file = self.out_dir / f"{index}.body"
        body_file.write_bytes(response.body)
        self.fetched[index].update(
            final_url=response.url,
            status=response.status,
            content_type=(response.headers.get("Content-Type") or b"").decode("latin-1"),
            redirects=[str(url) for url in response.request.meta.get("redirect_urls", [])]
            if response.request is not None
            else [],
            body_file=body_file.name,
        )

    def failed(self, failure: Failure) -> None:
        index = failure.request.cb_kwargs["index"]  # type: ignore[attr-defined]
        self.fetched[index].update(
            error=error_kind(failure), message=failure.getErrorMessage()[:300]
        )

    def closed(self, reason: str) -> None:
        (self.out_dir / FETCHED_FILE).write_text(json.dumps(self.fetched), encoding="utf-8")
