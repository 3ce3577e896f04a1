"""IPv6 (issue 12, item 8): literal IPv6 sites are reached when the network is allowed, and
the guard refuses the IPv6 forms of every forbidden destination. The site is a real server
bound to the IPv6 loopback ``::1`` on a random port; each pass runs in its own crawler
process, as in production."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.test_crawl import stored, write_watchlist
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass

pytestmark = pytest.mark.integration

SITE = "www.gazette-du-val.example"
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Budget participatif : Claire Martin veut doubler l'enveloppe des quartiers</title></head>
<body><nav><a href="/">Accueil</a> · <a href="/municipales/">Municipales 2026</a></nav>
<article><h1>Budget participatif : Claire Martin veut doubler l'enveloppe des quartiers</h1>
<p>Publié le 14 novembre 2026 — La Gazette du Val</p>
<p>Devant une centaine d'habitants réunis à la salle des fêtes de Saint-Éloi, Claire Martin a
détaillé jeudi sa proposition : porter le budget participatif à deux millions d'euros par an,
avec un vote ouvert dès seize ans. « Les projets des quartiers nord ont trop longtemps attendu »,
a-t-elle lancé, sous les applaudissements d'une salle acquise à sa cause.</p>
<p>L'opposition municipale juge le chiffrage « irréaliste » et réclame un audit des finances.</p>
</article><footer>© La Gazette du Val — mentions légales</footer></body></html>
"""

# Forbidden destinations spelled in IPv6. fd00::2 is this machine's own address on its
# network interface: a real target for a server-side request forgery.
FORBIDDEN_V6 = [
    "http://[fe80::1]/admin/",
    "http://[fd00::2]/interne/",
    "http://[::ffff:10.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://[2002:a9fe:a9fe::1]/latest/meta-data/",
    "http://[::127.0.0.1]/",
]


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def v6_web() -> Iterator[LocalWeb]:
    if not has_ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback (::1)")
    with LocalWeb(default_host=SITE, address="::1") as web:
        links = [f"{web.base_url}/municipales/budget-participatif.html", *FORBIDDEN_V6]
        entries = "".join(
            f"<item><title>Article {n}</title><link>{url}</link><guid>{url}</guid>"
            f"<pubDate>Sat, 14 Nov 2026 09:{n:02d}:00 +0000</pubDate></item>"
            for n, url in enumerate(links)
        )
        feed = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>La Gazette du Val — Municipales</title>"
            f"<link>{web.base_url}/</link><description>Les municipales au Val</description>"
            f"{entries}</channel></rss>"
        ).encode()
        web.set(SITE, "/flux.xml", Response(200, feed, {"Content-Type": "application/rss+xml"}))
        web.set(
            SITE, "/municipales/budget-participatif.html", Response(200, ARTICLE.encode(), HTML)
        )
        yield web


def feed_watchlist(tmp_path: Path, web: LocalWeb) -> Path:
    return write_watchlist(
        tmp_path, f"  - {{id: gazette, kind: feed, url: '{web.base_url}/flux.xml', every: 10m}}\n"
    )


def test_a_site_on_a_literal_ipv6_address_is_crawled_when_its_network_is_allowed(
    v6_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(allow_networks=("::1/128",))

    summary = run_pass(settings, feed_watchlist(tmp_path, v6_web), quiet=True)

    docs = stored(settings)
    article = f"http://[::1]:{v6_web.port}/municipales/budget-participatif.html"
    assert list(docs) == [article]
    assert list(docs[article].candidates) == ["claire-martin"]
    assert "/flux.xml" in [r.path for r in v6_web.requested()]
    # Allowing ::1 opens nothing else: every IPv6 form of a forbidden address is refused.
    assert summary.sources["gazette"].errors.get("forbidden_network", 0) == len(FORBIDDEN_V6)


def test_ipv6_loopback_is_refused_unless_allowed_even_when_ipv4_loopback_is(
    v6_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(allow_networks=("127.0.0.1/32",))

    summary = run_pass(settings, feed_watchlist(tmp_path, v6_web), quiet=True)

    assert v6_web.requested() == []
    assert stored(settings) == {}
    assert summary.sources["gazette"].errors.get("forbidden_network", 0) >= 1
