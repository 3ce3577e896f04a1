"""The network guard holds through an HTTP proxy (issue 12, item 1).

A proxy resolves and connects in the crawler's place, so the resolver's check never sees
the target. These passes go through a real forwarding proxy (tests/forwarding_proxy.py)
that reaches whatever a name resolves to, ``localhost`` included. A public site (served
locally, reached through the proxy under a public address) links and redirects to an
intranet: ``localhost`` and ``intranet.campagne.example``, which only the proxy knows.
The intranet's server logs every request: it must stay empty, and nothing of it stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.forwarding_proxy import ForwardingProxy
from tests.test_crawl import stored, write_watchlist
from traceur.cli import main
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass

pytestmark = pytest.mark.integration

# A public address (checked as a literal, no DNS needed); the proxy routes it to a local
# server standing in for the real site.
PUBLIC = "93.184.215.14"
INTRANET = "intranet.campagne.example"
HTML = {"Content-Type": "text/html; charset=utf-8"}

ARTICLE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body><header><nav><a href="/">Accueil</a> · <a href="/politique/">Politique</a></nav></header>
<main><article><h1>{title}</h1>
<p class="chapo">Publié le 12 novembre 2026 à 18 h 05 — Rédaction de l'Écho du Val</p>
<p>{body}</p>
<p>Les élus de l'opposition ont demandé un vote séparé sur le calendrier des travaux, et la
séance s'est prolongée tard dans la soirée, devant une salle comble où l'on comptait de
nombreux riverains de l'avenue Jean-Jaurès, inquiets des nuisances annoncées.</p>
</article></main>
<footer>© L'Écho du Val — mentions légales — gestion des cookies</footer></body></html>
"""

PUBLIC_ARTICLE = ARTICLE.format(
    title="Tramway : Claire Martin défend le tracé nord devant le conseil",
    body="Claire Martin a présenté mardi soir le tracé définitif du tramway, qui desservira"
    " le quartier des Grésillons dès 2029 ; la candidate promet une concertation élargie.",
)
INTERNAL_PAGE = ARTICLE.format(
    title="Note interne — grille des salaires de l'équipe de Claire Martin",
    body="Document réservé à l'équipe de campagne de Claire Martin : rémunérations, numéros"
    " personnels et planning des permanences. Ne pas diffuser hors de l'intranet.",
)


@dataclass
class Scene:
    public: LocalWeb
    intranet: LocalWeb
    proxy: ForwardingProxy

    @property
    def local(self) -> str:
        """The intranet through ``localhost``, which resolves to 127.0.0.1."""
        return f"http://localhost:{self.intranet.port}"


def rss(items: list[str]) -> bytes:
    entries = "".join(
        f"<item><title>Article {n}</title><link>{url}</link>"
        f"<guid>{url}</guid><pubDate>Thu, 12 Nov 2026 18:0{n}:00 +0000</pubDate></item>"
        for n, url in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>L'Écho du Val — Politique</title><link>http://{PUBLIC}/</link>"
        f"<description>Toute l'actualité politique du Val</description>{entries}"
        "</channel></rss>"
    ).encode()


@pytest.fixture
def scene() -> Iterator[Scene]:
    with (
        LocalWeb() as public,
        LocalWeb(default_host="localhost") as intranet,
        ForwardingProxy() as proxy,
    ):
        proxy.routes = {PUBLIC: ("127.0.0.1", public.port), INTRANET: ("127.0.0.1", intranet.port)}
        scene = Scene(public, intranet, proxy)
        for host in ("localhost", INTRANET):
            for path in (
                "/paie/",
                "/paie/grille.html",
                "/forum/",
                "/blog/",
                "/videos/conseil.html",
            ):
                intranet.set(host, path, Response(200, INTERNAL_PAGE.encode(), HTML))
        site = {
            "/articles/tramway.html": Response(200, PUBLIC_ARTICLE.encode(), HTML),
            "/articles/redirige-local.html": Response(
                302, b"", {"Location": f"{scene.local}/paie/grille.html"}
            ),
            "/articles/redirige-intranet.html": Response(
                302, b"", {"Location": f"http://{INTRANET}/paie/grille.html"}
            ),
            "/flux/politique.xml": Response(
                200,
                rss(
                    [
                        f"http://{PUBLIC}/articles/tramway.html",
                        f"{scene.local}/paie/",
                        f"http://{INTRANET}/paie/",
                        f"http://{PUBLIC}/articles/redirige-local.html",
                        f"http://{PUBLIC}/articles/redirige-intranet.html",
                    ]
                ),
                {"Content-Type": "application/rss+xml"},
            ),
            "/accueil.html": Response(
                200,
                (
                    '<html lang="fr"><head><meta charset="utf-8"><title>L\'Écho du Val</title>'
                    "</head><body><h1>À la une</h1><ul>"
                    '<li><a href="/articles/tramway.html">Le tracé du tramway</a></li>'
                    '<li><a href="/articles/redirige-local.html">Les salaires</a></li>'
                    '<li><a href="/articles/redirige-intranet.html">Le planning</a></li>'
                    "</ul></body></html>"
                ).encode(),
                HTML,
            ),
            "/sitemap.xml": Response(
                200,
                (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>http://{PUBLIC}/articles/tramway.html</loc></url>"
                    f"<url><loc>http://{PUBLIC}/articles/redirige-local.html</loc></url>"
                    f"<url><loc>http://{PUBLIC}/articles/redirige-intranet.html</loc></url>"
                    "</urlset>"
                ).encode(),
                {"Content-Type": "application/xml"},
            ),
            "/forum/": Response(302, b"", {"Location": f"{scene.local}/forum/"}),
            "/blog/": Response(302, b"", {"Location": f"http://{INTRANET}/blog/"}),
            "/videos/conseil.html": Response(
                302, b"", {"Location": f"{scene.local}/videos/conseil.html"}
            ),
        }
        for path, response in site.items():
            public.set(PUBLIC, path, response)
        yield scene


EVERY_COLLECTOR = f"""\
  - {{id: flux, kind: feed, url: 'http://{PUBLIC}/flux/politique.xml', every: 10m}}
  - {{id: site, kind: site, url: 'http://{PUBLIC}/accueil.html', every: 1h}}
  - {{id: plan, kind: sitemap, url: 'http://{PUBLIC}/sitemap.xml', every: 1h}}
  - {{id: forum, kind: forum, url: 'http://{PUBLIC}/forum/', every: 1h}}
  - {{id: blog, kind: blog, url: 'http://{PUBLIC}/blog/', every: 1h}}
  - {{id: video, kind: video, url: 'http://{PUBLIC}/videos/conseil.html', every: 1h}}
"""


def internal_urls(scene: Scene) -> list[str]:
    return [url for url in scene.proxy.received() if PUBLIC not in url]


def test_no_collector_reaches_the_intranet_through_the_configured_proxy(
    scene: Scene, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Nothing allowed: loopback is forbidden; the proxy is the operator's, reached anyway.
    settings = make_settings(allow_networks=(), http_proxy=scene.proxy.url)
    summary = run_pass(settings, write_watchlist(tmp_path, EVERY_COLLECTOR), quiet=True)

    assert scene.intranet.requested() == []
    # Refused before the request left: the proxy never even saw the intranet's names.
    assert internal_urls(scene) == []
    docs = stored(settings)
    assert f"http://{PUBLIC}/articles/tramway.html" in docs
    assert not [url for url in docs if PUBLIC not in url]
    assert not [doc for doc in docs.values() if "salaires" in doc.title]
    for source in ("flux", "site", "plan", "forum", "blog", "video"):
        assert summary.sources[source].errors.get("forbidden_network", 0) >= 1, summary.sources
    # localhost and the intranet's name, each linked directly and behind a redirect.
    assert summary.sources["flux"].errors["forbidden_network"] >= 4, summary.sources


def test_a_proxy_in_the_environment_is_never_used(
    scene: Scene,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, scene.proxy.url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    # The public site straight on 127.0.0.1 (allowed); its links to the intranet's name
    # only lead somewhere through the proxy.
    with LocalWeb(default_host=PUBLIC) as direct:
        for path in ("/articles/tramway.html", "/articles/redirige-intranet.html"):
            direct.set(PUBLIC, path, scene.public.overrides[(PUBLIC, path)])
        feed = rss(
            [
                f"{direct.base_url}/articles/tramway.html",
                f"http://{INTRANET}/paie/",
                f"{direct.base_url}/articles/redirige-intranet.html",
            ]
        )
        direct.set(
            PUBLIC, "/flux.xml", Response(200, feed, {"Content-Type": "application/rss+xml"})
        )
        settings = make_settings()
        watchlist = write_watchlist(
            tmp_path,
            f"  - {{id: flux, kind: feed, url: '{direct.base_url}/flux.xml', every: 10m}}\n",
        )
        summary = run_pass(settings, watchlist, quiet=True)

    assert scene.proxy.received() == []
    assert scene.intranet.requested() == []
    docs = stored(settings)
    assert list(docs) == [f"{direct.base_url}/articles/tramway.html"]
    # Resolved here, where the intranet's name does not exist.
    assert summary.sources["flux"].errors.get("dns", 0) == 2


def test_with_proxy_enforces_policy_names_go_to_the_proxy_which_refuses_the_intranet(
    scene: Scene, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    scene.proxy.enforce = True
    settings = make_settings(
        allow_networks=(), http_proxy=scene.proxy.url, proxy_enforces_policy=True
    )
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: flux, kind: feed, url: 'http://{PUBLIC}/flux/politique.xml', every: 10m}}\n",
    )
    summary = run_pass(settings, watchlist, quiet=True)

    # The names were handed to the proxy, as declared, and the proxy refused them.
    assert f"http://{INTRANET}/paie/" in internal_urls(scene)
    assert f"{scene.local}/paie/" in internal_urls(scene)
    assert scene.intranet.requested() == []
    assert not [url for url in stored(settings) if PUBLIC not in url]
    assert summary.sources["flux"].errors.get("http_403", 0) >= 2


def test_traceur_try_through_the_proxy_refuses_the_intranet_and_still_reads_the_site(
    scene: Scene, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(allow_networks=(), http_proxy=scene.proxy.url)
    env = {**settings.to_env(), "TRACEUR_WATCHLIST": str(write_watchlist(tmp_path, ""))}

    result = CliRunner().invoke(
        main,
        [
            "try",
            f"{scene.local}/paie/",
            f"http://{INTRANET}/paie/",
            f"http://{PUBLIC}/articles/tramway.html",
            # `try` shows a redirect without following it: the intranet stays out of reach.
            f"http://{PUBLIC}/articles/redirige-local.html",
        ],
        env=env,
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.count("type: not fetched (forbidden_network:") == 2
    assert "mentions: Claire Martin (" in result.stdout
    assert "type: error page (the server answered 302)" in result.stdout
    assert scene.intranet.requested() == []
    assert internal_urls(scene) == []


def test_traceur_try_ignores_a_proxy_in_the_environment(
    scene: Scene,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, scene.proxy.url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    env = {**make_settings().to_env(), "TRACEUR_WATCHLIST": str(write_watchlist(tmp_path, ""))}

    result = CliRunner().invoke(main, ["try", f"http://{INTRANET}/paie/"], env=env)

    assert result.exit_code == 0, result.output
    # Resolved here, where the name does not exist; the proxy never asked.
    assert "type: not fetched (dns:" in result.stdout
    assert scene.proxy.received() == []
    assert scene.intranet.requested() == []
