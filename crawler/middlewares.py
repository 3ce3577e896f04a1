"""Downloader middlewares of the Scrapy edge."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured

from traceur.errors import NetworkPolicyError
from traceur.netguard import NetworkPolicy

log = logging.getLogger(__name__)


class ForbiddenNetwork(IgnoreRequest):
    """A request refused by the network guard."""


class NetworkGuardMiddleware:
    """Refuses non-web schemes and literal forbidden addresses before anything is sent.

    Runs on every request, redirects and robots.txt included (they all pass through the
    downloader middlewares). Host names are checked when resolved (``GuardedResolver``).
    """

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any) -> NetworkGuardMiddleware:
        return cls(NetworkPolicy(crawler.settings.getlist("TRACEUR_ALLOW_NETWORKS")))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            self.policy.check_url(request.url)
        except NetworkPolicyError as exc:
            log.warning("network guard: not requesting %s: %s", request.url[:200], exc)
            raise ForbiddenNetwork(str(exc)) from None


class ProxyMiddleware:
    """Sends every request through ``TRACEUR_HTTP_PROXY`` (the demo uses this to serve its
    mini-web's host names from one local server)."""

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProxyMiddleware:
        proxy = crawler.settings.get("TRACEUR_HTTP_PROXY")
        if not proxy:
            raise NotConfigured("no TRACEUR_HTTP_PROXY")
        return cls(proxy)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.meta.setdefault("proxy", self.proxy)
