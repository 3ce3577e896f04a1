"""Conditional requests everywhere, through Scrapy's HTTP cache.

Every page with an ``ETag`` or ``Last-Modified`` is kept (under DATA_DIR/httpcache) and
always revalidated: the next pass sends ``If-None-Match``/``If-Modified-Since``, and on
``304 Not Modified`` the spider gets the stored copy flagged ``cached``, so it can follow
its links without processing it again. Unlike RFC 2616's policy, nothing is served from
the cache without asking (a veille tool must see edits at once) and a server error is
never hidden behind a stale copy.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Response


class AlwaysRevalidatePolicy(RFC2616Policy):
    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        return response.status == 304


def not_modified(response: Response) -> bool:
    """True when the server answered 304 and this is the stored copy."""
    return "cached" in response.flags
