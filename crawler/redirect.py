"""Redirects that stop at the first URL seen twice in their chain.

Scrapy's redirect middlewares only count hops: a loop A → B → A runs until the hop limit,
asking the site the same two pages again and again. These subclasses compare each new
target with every URL of the chain so far and give up on the first repeat, a repeat being
the same page in another form (``redirect_key``: scheme, trailing slash, case, tracking
parameters aside). One such change on the first hop is a site normalising its address
(``http://site/a`` → ``https://site/a/``), not a loop: only a target that is the current
URL exactly is.
"""

from __future__ import annotations

import codecs
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import (
    BaseRedirectMiddleware,
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from traceur.urls import redirect_key


class RedirectLoop(IgnoreRequest):
    """A redirect chain came back to a URL it had already been through."""


def is_loop(target: str, chain: list[str]) -> bool:
    """Whether redirecting to ``target`` after ``chain`` (oldest first, the current URL
    last) goes back to a page of the chain."""
    if target == chain[-1]:
        return True
    return redirect_key(target) in {redirect_key(url) for url in chain[:-1]}


class _StopsAtLoops(BaseRedirectMiddleware):
    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if is_loop(redirected.url, chain):
            hops = " -> ".join(url[:120] for url in [*chain, redirected.url])
            raise RedirectLoop(f"redirect loop, not followed: {hops}")
        return super()._redirect(redirected, request, reason)


class LoopAwareRedirectMiddleware(_StopsAtLoops, RedirectMiddleware):
    """Scrapy's 3xx redirects, stopped at the first URL seen twice."""


# Scrapy looks for a refresh in the first 4,096 characters of a page: at most 4 bytes each.
_REFRESH_SCAN_BYTES = 4 * 4096
# Codec name → whether it writes "refresh" as its ASCII bytes, always (not UTF-16 or -32,
# not EBCDIC, not UTF-7, whose letters may also be written in base64).
_ASCII_LETTERS: dict[str, bool] = {}


def cannot_refresh(response: Response) -> bool:
    """True when the page's first characters cannot hold a refresh: the word is not in its
    bytes and its encoding writes it as ASCII. Otherwise Scrapy's own reading decides."""
    if not isinstance(response, TextResponse):
        return False
    encoding = response.encoding
    ascii_letters = _ASCII_LETTERS.get(encoding)
    if ascii_letters is None:
        try:
            name = codecs.lookup(encoding).name
            ascii_letters = "utf-7" not in name and "refresh".encode(name) == b"refresh"
        except (LookupError, UnicodeError):
            ascii_letters = False
        _ASCII_LETTERS[encoding] = ascii_letters
    # Lower-cased and searched as bytes: a case-blind regular expression over the same bytes
    # took longer than Scrapy's own reading.
    return ascii_letters and b"refresh" not in response.body[:_REFRESH_SCAN_BYTES].lower()


class LoopAwareMetaRefreshMiddleware(_StopsAtLoops, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv=refresh>`` redirects, stopped at the first URL seen twice.

    A page whose bytes cannot hold a refresh is passed on unread: Scrapy decoded the start
    of every page and ran three regular expressions over it (tens of microseconds a page,
    on both passes; most pages declare no refresh)."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if cannot_refresh(response):
            return response
        return super().process_response(request, response)
