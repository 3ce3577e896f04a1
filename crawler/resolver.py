"""A DNS resolver that refuses names resolving to forbidden networks, IPv4 and IPv6.

Twisted connects to the addresses this resolver hands over, so checking here checks the
addresses actually connected to, also for every redirect hop and for DNS names that point
at private ranges. It resolves A and AAAA records (``getaddrinfo``, through Scrapy's
caching resolver), and a name is refused when any of its addresses is forbidden: Twisted
tries them in turn, so one private address among public ones would be reached. Literal
addresses are checked here too, and before that by ``NetworkGuardMiddleware``.

The configured proxy's own host name is the operator's choice, not a crawled page's: it is
exempt (an intranet proxy needs no ``allow_networks`` that would also open its network to
crawled links). Requests sent through the proxy are checked by ``ProxiedHostGuardMiddleware``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlsplit

from scrapy.resolver import CachingHostnameResolver
from twisted.internet.interfaces import IAddress, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from traceur.errors import NetworkPolicyError
from traceur.netguard import NetworkPolicy

log = logging.getLogger(__name__)

# Names refused in this process. Twisted replaces the resolver's refusal with a generic
# "no results" on its way to the spider, so spiders look here to tell a refusal from
# a name that does not exist.
refused_hosts: set[str] = set()


@implementer(IResolutionReceiver)
class _CheckingReceiver:
    """Holds a resolution's addresses back until all of them are known and allowed."""

    def __init__(self, receiver: Any, name: str, policy: NetworkPolicy) -> None:
        self.receiver = receiver
        self.name = name
        self.policy = policy
        self.addresses: list[Any] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:  # noqa: N802 - Twisted's
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802 - Twisted's name
        self.addresses.append(address)

    def resolutionComplete(self) -> None:  # noqa: N802 - Twisted's name
        try:
            self.policy.check_addresses(self.name, (str(a.host) for a in self.addresses))
        except NetworkPolicyError as exc:
            refused_hosts.add(self.name.lower())
            log.warning("network guard: %s; not connecting", exc)
        else:
            for address in self.addresses:
                self.receiver.addressResolved(address)
        self.receiver.resolutionComplete()


class GuardedResolver(CachingHostnameResolver):
    policy: NetworkPolicy = NetworkPolicy()
    # Host names exempt from the check: the configured proxy's.
    trusted: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.policy = NetworkPolicy(crawler.settings.getlist("TRACEUR_ALLOW_NETWORKS"))
        proxy_host = urlsplit(crawler.settings.get("TRACEUR_HTTP_PROXY") or "").hostname
        resolver.trusted = frozenset([proxy_host.lower()] if proxy_host else [])
        return resolver

    def resolveHostName(  # noqa: N802 - Twisted's name
        self,
        resolutionReceiver: IResolutionReceiver,  # noqa: N803 - Twisted's name
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type[IAddress]] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> IHostResolution:
        receiver = resolutionReceiver
        if hostName.lower() not in self.trusted:
            checking = _CheckingReceiver(resolutionReceiver, hostName, self.policy)
            receiver = cast(IResolutionReceiver, checking)
        return super().resolveHostName(
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )
