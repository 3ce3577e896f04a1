"""Canonical URLs and stable ids; the network guard in the core policy, the resolver and
the downloader middleware. Nothing here opens a connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import dnscache
from scrapy.utils.test import get_crawler
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.middlewares import NetworkGuardMiddleware
from crawler.resolver import GuardedResolver
from traceur.document import document_id
from traceur.errors import NetworkPolicyError
from traceur.netguard import NetworkPolicy, literal_address
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


def bare_resolver(allow: tuple[str, ...] = ()) -> GuardedResolver:
    """A resolver without a reactor: only its check is exercised."""
    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.policy = NetworkPolicy(allow)
    return resolver


@pytest.mark.parametrize(
    "address", ["10.0.0.1", "169.254.169.254", "127.0.0.1", "::1", "192.168.0.12"]
)
def test_resolver_refuses_a_name_that_resolves_to_a_forbidden_address(address: str) -> None:
    with pytest.raises(DNSLookupError, match="refused by the network guard"):
        bare_resolver()._check(address, "intranet.campagne.example")


def test_resolver_returns_an_allowed_address() -> None:
    assert bare_resolver()._check("93.184.215.14", "www.courrier.example") == "93.184.215.14"
    assert bare_resolver(("127.0.0.1/32",))._check("127.0.0.1", "localhost") == "127.0.0.1"


def test_resolver_default_policy_allows_no_private_network() -> None:
    resolver = GuardedResolver.__new__(GuardedResolver)

    with pytest.raises(DNSLookupError):
        resolver._check("10.0.0.1", "intranet.campagne.example")


@pytest.fixture
def cached_names() -> Iterator[dict[str, str]]:
    """Names put in Scrapy's DNS cache, so getHostByName answers without a lookup."""
    names: dict[str, str] = {}
    yield names
    for name in names:
        dnscache.pop(name, None)


def resolve(resolver: GuardedResolver, name: str) -> Any:
    outcome: list[Any] = []
    resolver.getHostByName(name).addBoth(outcome.append)
    assert outcome, "a cached name resolves at once"
    return outcome[0]


def test_resolver_checks_cached_answers_too(cached_names: dict[str, str]) -> None:
    crawler = get_crawler(settings_dict={"TRACEUR_ALLOW_NETWORKS": "127.0.0.1/32"})
    resolver = GuardedResolver.from_crawler(crawler, reactor=object())
    cached_names.update(
        {
            "metadata.campagne.example": "169.254.169.254",
            "www.courrier.example": "93.184.215.14",
            "demo.local.example": "127.0.0.1",
        }
    )
    for name, address in cached_names.items():
        dnscache[name] = address

    refused = resolve(resolver, "metadata.campagne.example")
    assert isinstance(refused, Failure) and refused.check(DNSLookupError)
    assert resolve(resolver, "www.courrier.example") == "93.184.215.14"
    assert resolve(resolver, "demo.local.example") == "127.0.0.1"


def test_resolver_check_runs_after_the_parent_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = GuardedResolver.__mro__[1]
    monkeypatch.setattr(
        parent, "getHostByName", lambda self, name, timeout=(): defer.succeed("10.1.2.3")
    )

    outcome = resolve(bare_resolver(), "intranet.campagne.example")

    assert isinstance(outcome, Failure) and outcome.check(DNSLookupError)


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
