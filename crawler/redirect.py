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

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import (
    BaseRedirectMiddleware,
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.exceptions import IgnoreRequest

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


class LoopAwareMetaRefreshMiddleware(_StopsAtLoops, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv=refresh>`` redirects, stopped at the first URL seen twice."""
