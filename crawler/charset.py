"""Responses whose declared charset is no text codec get one Scrapy can decode.

A page may declare ``charset=zlib``, ``rot13``, ``base64`` or ``idna`` (in its
Content-Type or a ``<meta>``): Python knows those names, so Scrapy decodes the body with
them, and the first component that reads ``response.text`` (the meta-refresh middleware,
``urljoin``) raises and the page is lost. Such a declaration is treated as none: the
response gets the charset Traceur's own decoding settles on.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from traceur.parse.charset import decode_html, page_codec


class CharsetGuardMiddleware:
    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if not isinstance(response, TextResponse):
            return response
        # The name only (header, BOM or <meta>): nothing is decoded here for a sane page.
        if page_codec(response.encoding) is not None:
            return response
        _, used = decode_html(response.body)
        return response.replace(encoding=used)
