"""The network guard: which addresses the crawler may connect to.

By default only public (globally routable) addresses. Loopback, private, link-local
(cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges
are refused unless the configuration allows a network explicitly, in IPv4 and IPv6 alike
(unique-local, link-local, and the IPv6 forms that wrap an IPv4 address: mapped,
compatible, 6to4, NAT64). The crawler checks every address a name resolves to (after DNS
resolution, on every redirect hop; through a proxy, before the request leaves); this
module only decides, and resolves for that check.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from traceur.errors import NetworkPolicyError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_SCHEMES = ("http", "https")
# The well-known NAT64 prefix: its gateways reach the IPv4 address in the last 32 bits.
# (The local-use 64:ff9b:1::/48 places it anywhere, so it stays refused as non-global.)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv4-compatible addresses (::a.b.c.d, deprecated) still reach IPv4 on some stacks.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Ranges Python's ``is_global`` calls global although nobody serves a site there: the
# documentation prefix of RFC 9637 and the SRv6 segment identifiers of RFC 9602.
_NOT_WEB = (ipaddress.ip_network("3fff::/20"), ipaddress.ip_network("5f00::/16"))


class UncheckableHostError(NetworkPolicyError):
    """A host name that does not resolve here, so the guard cannot tell where a proxy
    would connect for it."""


class NetworkPolicy:
    def __init__(self, allow_networks: Iterable[str] = ()) -> None:
        self.allowed = tuple(ipaddress.ip_network(cidr, strict=False) for cidr in allow_networks)

    def __repr__(self) -> str:
        return f"NetworkPolicy(allow={[str(n) for n in self.allowed]})"

    def is_allowed_ip(self, address: str | IPAddress) -> bool:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if any(ip in network for network in self.allowed):
            return True
        if isinstance(ip, ipaddress.IPv6Address):
            wrapped = wrapped_ipv4(ip)
            if wrapped is not None:
                # The packet ends up at the IPv4 address: that is the one to judge.
                return any(wrapped in net for net in self.allowed) or _is_public(wrapped)
            if ip.is_reserved or any(ip in network for network in _NOT_WEB):
                return False
        return _is_public(ip)

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

    def check_addresses(self, name: str, addresses: Iterable[str]) -> None:
        """Refuse ``name`` when any of its addresses is forbidden: a connection may go to
        any of them (the proxy, or the next attempt, picks another)."""
        for address in addresses:
            if not self.is_allowed_ip(address):
                raise NetworkPolicyError(
                    f"{name} resolves to {address}, a private, loopback, link-local or"
                    " reserved address (allow it with allow_networks)"
                )

    def check_resolved(self, url: str) -> None:
        """``check_url``, then resolve a host name here (IPv4 and IPv6) and check every
        address: for a request that a proxy will resolve and connect for us."""
        self.check_url(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        if literal_address(host) is not None:
            return
        try:
            found = socket.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise UncheckableHostError(
                f"{host} does not resolve on this machine ({exc}), so the network guard cannot"
                " check where the proxy would connect; if the proxy refuses private addresses"
                " itself, set proxy_enforces_policy: true"
            ) from None
        self.check_addresses(host, (str(entry[4][0]).split("%", 1)[0] for entry in found))


def _is_public(ip: IPAddress) -> bool:
    return ip.is_global and not ip.is_multicast


def wrapped_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to (mapped ``::ffff:a.b.c.d``, compatible
    ``::a.b.c.d``, 6to4 ``2002:…``, NAT64 ``64:ff9b::a.b.c.d``), or None."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


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
