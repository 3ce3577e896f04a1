"""Canonical URLs and stable ids; the network guard in the core policy, the resolver and
the downloader middleware. Nothing here opens a connection."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import dnscache
from scrapy.utils.test import get_crawler
from twisted.internet.address import IPv4Address, IPv6Address

from crawler.middlewares import (
    EnvironmentFreeProxyMiddleware,
    NetworkGuardMiddleware,
    ProxiedHostGuardMiddleware,
)
from crawler.resolver import GuardedResolver, refused_hosts
from traceur.document import document_id
from traceur.errors import NetworkPolicyError
from traceur.netguard import NetworkPolicy, UncheckableHostError, literal_address
from traceur.urls import canonical_url, domain_of, same_site

# -- canonical_url --------------------------------------------------------------------


def test_tracking_parameters_are_dropped() -> None:
    url = (
        "https://www.courrier.example/politique/tramway.html?utm_source=newsletter&utm_medium=email"
        "&fbclid=IwAR0abc&xtor=RSS-12&gclid=xyz&at_medium=social&id=4821"
    )

    assert canonical_url(url) == "https://www.courrier.example/politique/tramway.html?id=4821"


def test_only_tracking_parameters_leaves_no_query_mark() -> None:
    assert (
        canonical_url("https://www.courrier.example/a.html?utm_campaign=municipales")
        == "https://www.courrier.example/a.html"
    )


def test_fragment_is_dropped() -> None:
    assert (
        canonical_url("https://forum.example/t/1842?page=2#post-77")
        == "https://forum.example/t/1842?page=2"
    )


def test_scheme_and_host_are_lower_cased_but_not_the_path() -> None:
    assert (
        canonical_url("HTTPS://WWW.Courrier.EXAMPLE/Politique/Tramway.html")
        == "https://www.courrier.example/Politique/Tramway.html"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.courrier.example:80/a", "http://www.courrier.example/a"),
        ("https://www.courrier.example:443/a", "https://www.courrier.example/a"),
        ("https://www.courrier.example:8443/a", "https://www.courrier.example:8443/a"),
        ("http://www.courrier.example:443/a", "http://www.courrier.example:443/a"),
    ],
)
def test_default_port_is_dropped_and_others_kept(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_query_is_sorted_and_blank_values_kept() -> None:
    assert (
        canonical_url("https://forum.example/recherche?q=tramway&page=3&tri=")
        == "https://forum.example/recherche?page=3&q=tramway&tri="
    )


def test_query_order_does_not_make_two_pages() -> None:
    assert canonical_url("https://x.example/p?b=2&a=1") == canonical_url(
        "https://x.example/p?a=1&b=2"
    )


def test_encoded_slash_in_a_path_segment_stays_encoded() -> None:
    assert (
        canonical_url("https://wiki.example/page/Val%2FVionne/historique")
        == "https://wiki.example/page/Val%2FVionne/historique"
    )


def test_percent_encoding_is_normalised() -> None:
    assert canonical_url("https://x.example/%7Eclaire/caf%c3%a9") == canonical_url(
        "https://x.example/~claire/café"
    )
    assert canonical_url("https://x.example/~claire/café") == "https://x.example/~claire/caf%C3%A9"


def test_bare_host_gets_a_slash_path() -> None:
    assert canonical_url("https://www.courrier.example") == "https://www.courrier.example/"


def test_idn_host_is_written_in_ascii() -> None:
    assert (
        canonical_url("https://mairie-de-sévérac.example/conseil")
        == "https://xn--mairie-de-svrac-lnbb.example/conseil"
    )
    assert canonical_url("https://MAIRIE-DE-SÉVÉRAC.example/conseil") == canonical_url(
        "https://xn--mairie-de-svrac-lnbb.example/conseil"
    )


def test_trailing_dot_of_the_host_is_dropped() -> None:
    assert canonical_url("https://www.courrier.example./a") == "https://www.courrier.example/a"


def test_ipv6_host_keeps_its_brackets() -> None:
    assert canonical_url("http://[2001:db8::7]:8080/rss.xml") == "http://[2001:db8::7]:8080/rss.xml"
    assert canonical_url("https://[2001:DB8::7]/a") == "https://[2001:db8::7]/a"


def test_canonical_url_is_idempotent() -> None:
    url = "HTTPS://Www.Courrier.example:443/a%2Fb/c%C3%A9?z=1&utm_source=x&a=%C3%A9#haut"

    once = canonical_url(url)

    assert canonical_url(once) == once


def test_domain_of_drops_www_only() -> None:
    assert domain_of("https://www.courrier.example/a") == "courrier.example"
    assert domain_of("https://forum.citoyens.example/t/1") == "forum.citoyens.example"
    assert same_site("https://www.courrier.example/a", "http://courrier.example/b")
    assert not same_site("https://courrier.example/a", "https://gazette.example/a")


# -- document ids ---------------------------------------------------------------------


def test_document_id_is_stable_and_short() -> None:
    url = "https://www.courrier.example/politique/tramway.html"

    first = document_id(url)

    assert first == document_id(url)
    assert len(first) == 32 and all(ch in "0123456789abcdef" for ch in first)


def test_tracking_noise_gives_the_same_document_id() -> None:
    plain = document_id(canonical_url("https://www.courrier.example/a.html"))
    noisy = document_id(
        canonical_url("https://WWW.courrier.example:443/a.html?utm_source=x#commentaires")
    )

    assert plain == noisy


def test_posts_of_one_thread_get_distinct_ids() -> None:
    thread = "https://forum.example/t/1842"

    ids = {
        document_id(thread),
        document_id(thread, "101"),
        document_id(thread, "102"),
        document_id(thread, "1"),
    }

    assert len(ids) == 4
    assert document_id(thread, "101") == document_id(thread, "101")


def test_post_id_cannot_collide_with_a_page_url() -> None:
    assert document_id("https://forum.example/t/1", "2") != document_id(
        "https://forum.example/t/12"
    )
    assert document_id("https://forum.example/t/1", "23") != document_id(
        "https://forum.example/t/12", "3"
    )


# -- NetworkPolicy --------------------------------------------------------------------

FORBIDDEN_URLS = [
    "http://127.0.0.1/",
    "http://10.0.0.1/admin",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:127.0.0.1]:8080/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0x7f000001/",
]


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_forbidden_address_in_a_url_is_refused(url: str) -> None:
    with pytest.raises(NetworkPolicyError):
        NetworkPolicy().check_url(url)


def test_private_ipv4_behind_the_nat64_prefix_is_refused() -> None:
    # The netguard docstring promises that 64:ff9b::/96 embeddings are unwrapped:
    # 64:ff9b::a00:1 reaches 10.0.0.1 through a NAT64 gateway.
    with pytest.raises(NetworkPolicyError):
        NetworkPolicy().check_url("http://[64:ff9b::a00:1]/")


@pytest.mark.parametrize(
    "address",
    [
        "::1",
        "::",
        "fe80::1",
        "fe80::1%2",
        "fd00::2",
        "fc00:ab::1",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible, deprecated but still routed by some stacks
        "::a00:1",
        "64:ff9b::7f00:1",  # NAT64 to 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 to the cloud metadata address
        "64:ff9b:1::a00:1",  # local-use NAT64: the IPv4 address may sit anywhere
        "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
        "2002:c0a8:10c::",  # 6to4 wrapping 192.168.1.12
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "2001:db8::7",  # documentation
        "3fff::1",  # documentation (RFC 9637), which Python calls global
        "5f00::1",  # SRv6 segment identifiers
        "100::1",  # discard-only
    ],
)
def test_forbidden_ipv6_forms_are_refused(address: str) -> None:
    assert not NetworkPolicy().is_allowed_ip(address.split("%")[0])
    with pytest.raises(NetworkPolicyError):
        NetworkPolicy().check_addresses("piege.example", [address.split("%")[0]])


@pytest.mark.parametrize(
    "address",
    ["2606:4700:4700::1111", "2a01:e0a:1d5:e0f0::1", "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"],
)
def test_public_ipv6_and_ipv6_forms_of_a_public_ipv4_are_allowed(address: str) -> None:
    assert NetworkPolicy().is_allowed_ip(address)


def test_ipv6_allow_list_covers_loopback_and_the_mapped_form_of_an_allowed_ipv4() -> None:
    policy = NetworkPolicy(["::1/128", "127.0.0.1/32"])

    assert policy.is_allowed_ip("::1")
    assert policy.is_allowed_ip("::ffff:127.0.0.1")
    assert policy.is_allowed_ip("64:ff9b::7f00:1")
    assert not policy.is_allowed_ip("::ffff:127.0.0.2")
    assert not policy.is_allowed_ip("fe80::1")


def test_host_sent_through_a_proxy_is_resolved_and_refused_when_it_is_loopback() -> None:
    # localhost is in /etc/hosts on every machine: a real lookup, no DNS server needed.
    with pytest.raises(NetworkPolicyError, match="localhost resolves to 127.0.0.1"):
        NetworkPolicy().check_resolved("http://localhost:8080/admin/")

    NetworkPolicy(["127.0.0.1/32", "::1/128"]).check_resolved("http://localhost:8080/admin/")


def test_host_that_does_not_resolve_here_is_refused_and_the_fix_is_named() -> None:
    with pytest.raises(UncheckableHostError, match="proxy_enforces_policy: true"):
        NetworkPolicy().check_resolved("http://intranet.campagne.invalid/paie/")


def test_literal_addresses_sent_through_a_proxy_need_no_lookup() -> None:
    NetworkPolicy().check_resolved("http://93.184.215.14/flux.xml")
    with pytest.raises(NetworkPolicyError):
        NetworkPolicy().check_resolved("http://[::1]:8080/")
    with pytest.raises(NetworkPolicyError, match="only http and https"):
        NetworkPolicy().check_resolved("gopher://localhost:70/")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "ftp://ftp.courrier.example/archives/",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
    ],
)
def test_non_web_scheme_is_refused(url: str) -> None:
    with pytest.raises(NetworkPolicyError, match="only http and https URLs are fetched"):
        NetworkPolicy().check_url(url)


def test_url_without_a_host_is_refused() -> None:
    with pytest.raises(NetworkPolicyError, match="no host name"):
        NetworkPolicy().check_url("http:///etc/passwd")


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/",
        "https://[2606:4700:4700::1111]/",
        "https://www.courrier.example/politique/",
        "HTTPS://WWW.COURRIER.EXAMPLE/",
    ],
)
def test_public_address_or_host_name_is_allowed(url: str) -> None:
    NetworkPolicy().check_url(url)


def test_allowed_network_lets_loopback_through() -> None:
    policy = NetworkPolicy(["127.0.0.1/32"])

    policy.check_url("http://127.0.0.1:8765/feed.xml")
    assert policy.is_allowed_ip("127.0.0.1")


def test_allowed_network_is_exact() -> None:
    policy = NetworkPolicy(["127.0.0.1/32"])

    with pytest.raises(NetworkPolicyError):
        policy.check_url("http://127.0.0.2/")
    with pytest.raises(NetworkPolicyError):
        policy.check_url("http://10.0.0.1/")
    assert not policy.is_allowed_ip("169.254.169.254")


def test_allowed_intranet_range_covers_its_hosts_only() -> None:
    policy = NetworkPolicy(["10.20.0.0/16"])

    assert policy.is_allowed_ip("10.20.3.4")
    assert policy.is_allowed_ip("::ffff:10.20.3.4")
    assert not policy.is_allowed_ip("10.21.0.1")


def test_refusal_names_the_address_and_the_setting() -> None:
    with pytest.raises(NetworkPolicyError) as caught:
        NetworkPolicy().check_ip("192.168.1.1")

    assert "192.168.1.1" in str(caught.value)
    assert "allow_networks" in str(caught.value)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::ffff:10.0.0.1]", "::ffff:a00:1"),
        ("www.courrier.example", None),
        ("localhost", None),
    ],
)
def test_literal_address_reads_every_spelling_the_c_library_accepts(
    host: str, address: str | None
) -> None:
    assert literal_address(host) == address


# -- GuardedResolver ------------------------------------------------------------------


class Receiver:
    """Records what a resolution hands over to Twisted."""

    def __init__(self) -> None:
        self.began = False
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: object) -> None:  # noqa: N802 - Twisted's name
        self.began = True

    def addressResolved(self, address: Any) -> None:  # noqa: N802 - Twisted's name
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:  # noqa: N802 - Twisted's name
        self.complete = True


@pytest.fixture
def cached_names() -> Iterator[dict[str, list[str]]]:
    """Names put in Scrapy's DNS cache, so the resolver answers without a lookup."""
    names: dict[str, list[str]] = {}
    yield names
    for name in names:
        dnscache.pop(name, None)


def guarded_resolver(
    cached_names: dict[str, list[str]], allow: str = "", proxy: str = ""
) -> GuardedResolver:
    crawler = get_crawler(
        settings_dict={"TRACEUR_ALLOW_NETWORKS": allow, "TRACEUR_HTTP_PROXY": proxy}
    )
    # Cached names never reach the reactor's own resolver.
    resolver = GuardedResolver.from_crawler(crawler, reactor=SimpleNamespace(nameResolver=None))
    for name, addresses in cached_names.items():
        dnscache[name] = [
            (IPv6Address if ":" in a else IPv4Address)("TCP", a, 0)  # type: ignore[operator]
            for a in addresses
        ]
    return resolver


def resolve(resolver: GuardedResolver, name: str) -> Receiver:
    receiver = Receiver()
    resolver.resolveHostName(receiver, name, 443)
    assert receiver.began and receiver.complete, "a cached name resolves at once"
    return receiver


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.0.0.1"],
        ["169.254.169.254"],
        ["127.0.0.1"],
        ["::1"],
        ["fe80::1"],
        ["fd12:3456::8"],
        ["::ffff:192.168.0.12"],
        ["64:ff9b::a9fe:a9fe"],
        ["2002:a00:1::1"],
        # One forbidden address among public ones: Twisted would try it in turn.
        ["93.184.215.14", "2606:4700:4700::1111", "10.20.3.4"],
        ["93.184.215.14", "::1"],
    ],
)
def test_resolver_refuses_a_name_when_any_of_its_addresses_is_forbidden(
    cached_names: dict[str, list[str]], addresses: list[str]
) -> None:
    cached_names["intranet.campagne.example"] = addresses
    resolver = guarded_resolver(cached_names)

    answer = resolve(resolver, "intranet.campagne.example")

    assert answer.addresses == []
    assert "intranet.campagne.example" in refused_hosts


def test_resolver_hands_over_every_public_ipv4_and_ipv6_address(
    cached_names: dict[str, list[str]],
) -> None:
    cached_names["www.courrier.example"] = ["93.184.215.14", "2606:4700:4700::1111"]
    resolver = guarded_resolver(cached_names)

    answer = resolve(resolver, "www.courrier.example")

    assert answer.addresses == ["93.184.215.14", "2606:4700:4700::1111"]


def test_resolver_honours_allowed_ipv4_and_ipv6_networks(
    cached_names: dict[str, list[str]],
) -> None:
    cached_names.update({"demo.local.example": ["127.0.0.1", "::1"], "autre.example": ["::1"]})
    resolver = guarded_resolver(cached_names, allow="127.0.0.1/32,::1/128")
    only_v4 = guarded_resolver(cached_names, allow="127.0.0.1/32")

    assert resolve(resolver, "demo.local.example").addresses == ["127.0.0.1", "::1"]
    assert resolve(only_v4, "demo.local.example").addresses == []
    assert resolve(only_v4, "autre.example").addresses == []


def test_resolver_lets_the_configured_proxy_host_through(
    cached_names: dict[str, list[str]],
) -> None:
    # An intranet proxy is the operator's choice; allowing its network would open it to
    # crawled links too.
    cached_names.update({"proxy.campagne.example": ["10.20.0.3"], "autre.example": ["10.20.0.3"]})
    resolver = guarded_resolver(cached_names, proxy="http://proxy.campagne.example:3128")

    assert resolve(resolver, "proxy.campagne.example").addresses == ["10.20.0.3"]
    assert resolve(resolver, "autre.example").addresses == []


# -- NetworkGuardMiddleware -----------------------------------------------------------


@pytest.fixture
def middleware() -> NetworkGuardMiddleware:
    crawler = get_crawler(settings_dict={"TRACEUR_ALLOW_NETWORKS": ""})
    return NetworkGuardMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
        "http://2130706433/robots.txt",
        "http://192.168.1.1/admin",
    ],
)
def test_middleware_ignores_requests_to_forbidden_addresses(
    middleware: NetworkGuardMiddleware, url: str
) -> None:
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request(url))


def test_middleware_passes_a_public_request(middleware: NetworkGuardMiddleware) -> None:
    middleware.process_request(
        Request("http://www.example.org/")
    )  # no exception: the request goes on


def test_middleware_honours_allowed_networks() -> None:
    crawler = get_crawler(settings_dict={"TRACEUR_ALLOW_NETWORKS": ["127.0.0.1/32"]})
    guard = NetworkGuardMiddleware.from_crawler(crawler)

    guard.process_request(Request("http://127.0.0.1:8765/rss.xml"))  # allowed: no exception
    with pytest.raises(IgnoreRequest):
        guard.process_request(Request("http://127.0.0.2:8765/rss.xml"))


def test_middleware_built_directly_from_a_policy() -> None:
    guard = NetworkGuardMiddleware(NetworkPolicy())

    with pytest.raises(IgnoreRequest):
        guard.process_request(Request("http://10.0.0.1/"))


# -- proxies --------------------------------------------------------------------------


def test_proxy_from_the_environment_is_never_set_on_a_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("http_proxy", "http://proxy.piege.example:3128")
    monkeypatch.setenv("https_proxy", "http://proxy.piege.example:3128")
    middleware = EnvironmentFreeProxyMiddleware.from_crawler(get_crawler())
    request = Request("http://www.courrier.example/politique/")

    middleware.process_request(request)

    assert not request.meta.get("proxy")
    assert b"Proxy-Authorization" not in request.headers


def test_credentials_of_the_configured_proxy_still_become_a_proxy_authorization() -> None:
    middleware = EnvironmentFreeProxyMiddleware.from_crawler(get_crawler())
    request = Request(
        "http://www.courrier.example/", meta={"proxy": "http://veille:s3cr3t@proxy.campagne:3128"}
    )

    middleware.process_request(request)

    assert request.meta["proxy"] == "http://proxy.campagne:3128"
    assert request.headers[b"Proxy-Authorization"] == b"Basic dmVpbGxlOnMzY3IzdA=="


def test_proxied_host_check_is_off_only_when_the_proxy_enforces_the_policy() -> None:
    enforcing = get_crawler(settings_dict={"TRACEUR_PROXY_ENFORCES_POLICY": True})
    with pytest.raises(NotConfigured):
        ProxiedHostGuardMiddleware.from_crawler(enforcing)

    guard = ProxiedHostGuardMiddleware.from_crawler(get_crawler())
    assert guard.policy.allowed == ()
