"""The network guard: which addresses the crawler may connect to.

By default only public (globally routable) addresses. Loopback, private, link-local
(cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges
are refused unless the configuration allows a network explicitly. The crawler checks
the address it actually connects to (after DNS resolution, on every redirect hop); this
module only decides.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from traceur.errors import NetworkPolicyError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_SCHEMES = ("http", "https")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class NetworkPolicy:
    def __init__(self, allow_networks: Iterable[str] = ()) -> None:
        self.allowed = tuple(ipaddress.ip_network(cidr, strict=False) for cidr in allow_networks)

    def __repr__(self) -> str:
        return f"NetworkPolicy(allow={[str(n) for n in self.allowed]})"

    def is_allowed_ip(self, address: str | IPAddress) -> bool:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if isinstance(ip, ipaddress.IPv6Address):
            # ::ffff:10.0.0.1 and 64:ff9b::/96-style embeddings reach IPv4 hosts.
            mapped = ip.ipv4_mapped or ip.sixtofour
            if mapped is None and any(ip in prefix for prefix in _NAT64):
                # NAT64 gateways reach the IPv4 address in the last 32 bits.
                mapped = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            if mapped is not None:
                ip = mapped
        if any(ip in network for network in self.allowed):
            return True
        return ip.is_global and not ip.is_multicast

    def check_ip(self, address: str) -> None:
        if not self.is_allowed_ip(address):
            raise NetworkPolicyError(
                f"connection to {address} refused: private, loopback, link-local"
                " or reserved address (allow it with allow_networks)"
            )

    def check_url(self, url: str) -> None:
        """Refuse non-web schemes and hosts that are (or spell) a forbidden address.

        Host names are checked again when they are resolved; this catches literal
        addresses, including the numeric and hexadecimal spellings that resolvers accept.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise NetworkPolicyError(f"{url[:80]!r}: only http and https URLs are fetched")
        host = parts.hostname
        if not host:
            raise NetworkPolicyError(f"{url[:80]!r}: no host name")
        literal = literal_address(host)
        if literal is None:
            return
        if literal != host.strip("[]") and not _is_canonical_ipv6(host):
            # "2130706433", "0x7f.1", "0177.0.0.1": no real site is addressed like that;
            # these spellings exist to slip past filters.
            raise NetworkPolicyError(
                f"{url[:80]!r}: the host {host!r} spells the address {literal} in a disguised form"
            )
        self.check_ip(literal)


def _is_canonical_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host.strip("[]")), ipaddress.IPv6Address)
    except ValueError:
        return False


def literal_address(host: str) -> str | None:
    """The address ``host`` spells when it is an IP literal in any form the C library
    accepts (``2130706433``, ``0x7f.1``, ``[::ffff:10.0.0.1]``), else None."""
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        # inet_aton accepts the legacy forms ("127.1", "0177.0.0.1", "2130706433").
        return socket.inet_ntoa(socket.inet_aton(host))
    except (OSError, UnicodeError):
        return None
