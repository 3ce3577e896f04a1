"""A DNS resolver that refuses names resolving to forbidden networks.

Twisted connects to the address this resolver returns, so checking here checks the
address actually connected to, also for every redirect hop and for DNS names that
point at private ranges. Literal IP addresses never reach a resolver; the
``NetworkGuardMiddleware`` checks those.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from traceur.netguard import NetworkPolicy

log = logging.getLogger(__name__)

# Names refused in this process. Twisted replaces the resolver's error with a generic
# "no results" on its way to the spider, so spiders look here to tell a refusal from
# a name that does not exist.
refused_hosts: set[str] = set()


class GuardedResolver(CachingThreadedResolver):
    policy: NetworkPolicy = NetworkPolicy()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.policy = NetworkPolicy(crawler.settings.getlist("TRACEUR_ALLOW_NETWORKS"))
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's name
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address: str, name: str) -> str:
        if not self.policy.is_allowed_ip(address):
            refused_hosts.add(name.lower())
            log.warning(
                "network guard: %s resolves to %s, a forbidden address; not connecting",
                name,
                address,
            )
            raise DNSLookupError(f"{name} resolves to {address}, refused by the network guard")
        return address
