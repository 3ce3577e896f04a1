"""Downloader middlewares of the Scrapy edge."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

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


class EnvironmentFreeProxyMiddleware(HttpProxyMiddleware):
    """Scrapy's proxy middleware without its reading of ``http_proxy``, ``https_proxy`` and
    ``no_proxy``: a proxy inherited from the environment would carry every request past
    the resolver's check. Only ``TRACEUR_HTTP_PROXY`` (``ProxyMiddleware``) sets a proxy;
    this one still turns the credentials of its URL into a ``Proxy-Authorization``."""

    def __init__(self, auth_encoding: str | None = "latin-1") -> None:
        super().__init__(auth_encoding)
        self.proxies = {}


class ProxiedHostGuardMiddleware:
    """Checks the host of a request sent through a proxy, which resolves and connects in
    our place (the resolver only ever sees the proxy's name).

    The host name is resolved here, IPv4 and IPv6, and refused when any address is
    forbidden; a name that does not resolve here is refused too, since where the proxy
    would connect cannot be told. Runs after every middleware that may set a proxy, so on
    every request, redirect hops and robots.txt included. An operator whose proxy enforces
    the same policy declares it (``proxy_enforces_policy: true``) and this check is off.
    A name whose DNS answer changes between this lookup and the proxy's (rebinding) can
    still get through: only a proxy that enforces the policy closes that.
    """

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProxiedHostGuardMiddleware:
        if crawler.settings.getbool("TRACEUR_PROXY_ENFORCES_POLICY"):
            raise NotConfigured("the proxy enforces the network policy")
        return cls(NetworkPolicy(crawler.settings.getlist("TRACEUR_ALLOW_NETWORKS")))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not request.meta.get("proxy"):
            return
        try:
            # getaddrinfo blocks: in a thread, as Twisted's own resolver does.
            await maybe_deferred_to_future(deferToThread(self.policy.check_resolved, request.url))
        except NetworkPolicyError as exc:
            log.warning(
                "network guard: not requesting %s through the proxy: %s", request.url[:200], exc
            )
            raise ForbiddenNetwork(str(exc)) from None
