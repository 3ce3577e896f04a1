"""Collection passes against local fixture sites (a real HTTP server that logs every
request), each pass in its own crawler process as in production."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.launch import PassSummary
from traceur.orchestra.passes import run_pass
from traceur.store import open_store

pytestmark = pytest.mark.integration

WATCHLIST_HEAD = """\
candidates:
  - id: claire-martin
    name: Claire Martin
    aliases: ["C. Martin", "Mme Martin"]
    exclude: ["Saint-Martin", "Martin Luther King"]
  - id: jean-baptiste-lefort
    name: Jean-Baptiste Lefort
    aliases: ["J.-B. Lefort", "JB Lefort"]
  - id: elodie-arnaud
    name: Élodie Arnaud
    aliases: ["Mme Arnaud"]
topics:
  - id: transports
    keywords: ["tramway", "transports en commun", "bus"]
sources:
"""
HOST = "www.actu-val.example"


def write_watchlist(tmp_path: Path, sources: str) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST_HEAD + sources, encoding="utf-8")
    return path


def stored(settings: Settings) -> dict[str, Any]:
    store = open_store(settings)
    try:
        return {doc.canonical_url: doc for doc in store.iter_documents()}
    finally:
        store.close()


def paths(web: LocalWeb, host: str = HOST) -> list[str]:
    return [r.path for r in web.requested(host)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_second_feed_pass_fetches_no_old_entry_and_third_fetches_only_the_new_one(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: actu, kind: feed, url: 'http://{HOST}/feeds/politique.xml', every: 10m}}\n",
    )

    first = run_pass(settings, watchlist, quiet=True)
    assert first.total("new") == 3
    docs = stored(settings)
    assert set(docs) == {
        f"http://{HOST}/articles/conseil-municipal-houleux.html",
        f"http://{HOST}/articles/jean-baptiste-lefort-candidat.html",
        f"http://{HOST}/articles/marche-de-noel.html",
    }
    council = docs[f"http://{HOST}/articles/conseil-municipal-houleux.html"]
    assert council.candidates == ["claire-martin"]
    assert council.topics == ["transports"]
    assert council.author == "Nadia Belkacem"
    assert (
        council.published_at is not None
        and council.published_at.isoformat() == "2026-11-05T18:40:00+00:00"
    )
    assert docs[f"http://{HOST}/articles/jean-baptiste-lefort-candidat.html"].candidates == [
        "jean-baptiste-lefort"
    ]
    # "Saint-Martin-sur-Loire" is an excluded phrase: the Christmas market names nobody.
    assert docs[f"http://{HOST}/articles/marche-de-noel.html"].candidates == []

    sites_web.clear_log()
    second = run_pass(settings, watchlist, quiet=True)
    assert second.total("new") == 0 and second.total("updated") == 0
    assert [p for p in paths(sites_web) if p.startswith("/articles/")] == []
    assert "/feeds/politique.xml" in paths(sites_web)

    feed = (Path(__file__).parent / "sites" / HOST / "feeds" / "politique.xml").read_text(
        encoding="utf-8"
    )
    new_item = """<item>
  <title>Réunion publique d'Élodie Arnaud à la salle des fêtes</title>
  <link>http://www.actu-val.example/articles/page-supprimee-bientot.html</link>
  <guid isPermaLink="false">actu-val-2026-1109-ea</guid>
  <pubDate>Mon, 09 Nov 2026 18:30:00 +0100</pubDate>
</item>
</channel>"""
    sites_web.set(
        HOST,
        "/feeds/politique.xml",
        Response(
            200,
            feed.replace("</channel>", new_item).encode(),
            {"Content-Type": "application/rss+xml"},
        ),
    )
    sites_web.clear_log()
    third = run_pass(settings, watchlist, quiet=True)
    assert third.total("new") == 1
    assert [p for p in paths(sites_web) if p.startswith("/articles/")] == [
        "/articles/page-supprimee-bientot.html"
    ]
    assert stored(settings)[f"http://{HOST}/articles/page-supprimee-bientot.html"].candidates == [
        "elodie-arnaud"
    ]


def test_pass_with_dead_feed_malformed_feed_and_missing_page_stores_the_rest_and_reports_errors(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    with LocalWeb(Path(__file__).parent / "sites", default_host=HOST) as web:
        base = web.base_url
        feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Direct</title><link>{base}/</link><description>d</description>
<item><title>Conseil</title><link>{base}/articles/conseil-municipal-houleux.html</link><guid>a</guid></item>
<item><title>Disparu</title><link>{base}/articles/article-retire.html</link><guid>b</guid></item>
</channel></rss>"""
        web.set(
            HOST,
            "/feeds/direct.xml",
            Response(200, feed.encode(), {"Content-Type": "application/rss+xml"}),
        )
        dead = f"http://127.0.0.1:{free_port()}/rss.xml"
        watchlist = write_watchlist(
            tmp_path,
            f"  - {{id: bon, kind: feed, url: '{base}/feeds/direct.xml', every: 10m}}\n"
            f"  - {{id: casse, kind: feed, url: '{base}/feeds/casse.xml', every: 10m}}\n"
            f"  - {{id: mort, kind: feed, url: '{dead}', every: 10m}}\n",
        )
        settings = make_settings()
        summary: PassSummary = run_pass(settings, watchlist, quiet=True)

        assert summary.sources["bon"].new == 1
        assert summary.sources["bon"].errors == {"http_404": 1}
        assert summary.sources["casse"].errors == {"malformed_feed": 1}
        assert summary.sources["mort"].errors == {"connection_refused": 1}
        assert list(stored(settings)) == [f"{base}/articles/conseil-municipal-houleux.html"]

        # The entry whose page was missing was not marked as seen: once the page
        # exists, the next pass collects it (and only it).
        page = (
            Path(__file__).parent / "sites" / HOST / "articles" / "page-supprimee-bientot.html"
        ).read_bytes()
        web.set(
            HOST,
            "/articles/article-retire.html",
            Response(200, page, {"Content-Type": "text/html; charset=utf-8"}),
        )
        web.clear_log()
        again = run_pass(settings, watchlist, quiet=True)
        assert again.sources["bon"].new == 1
        assert [r.path for r in web.requested() if r.path.startswith("/articles/")] == [
            "/articles/article-retire.html"
        ]


def test_network_guard_never_requests_private_addresses_from_feeds_links_or_redirects(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Through the local server as proxy: even a guard failure would only reach it, and
    # its log would show the request.
    sites_web.set(
        HOST,
        "/articles/redirection-interne.html",
        Response(302, b"", {"Location": "http://10.0.0.1/admin/"}),
    )
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: liens, kind: feed, url: 'http://{HOST}/feeds/liens.xml', every: 10m}}\n"
        f"  - {{id: site, kind: site, url: 'http://{HOST}/articles/liens-des-lecteurs.html', "
        f"every: 1h, limits: {{max_depth: 2}}}}\n",
    )
    summary = run_pass(settings, watchlist, quiet=True)

    hosts = {request.host for request in sites_web.requested()}
    assert hosts == {HOST}
    assert "/articles/marche-de-noel.html" in paths(sites_web)
    assert "/articles/redirection-interne.html" in paths(sites_web)
    # 169.254.169.254, 10.0.0.1, 2130706433, ::ffff:10.0.0.1 and the redirect to 10.0.0.1.
    assert summary.sources["liens"].errors.get("forbidden_network", 0) >= 5
    assert f"http://{HOST}/articles/marche-de-noel.html" in stored(settings)


def test_host_names_resolving_to_forbidden_networks_are_refused_before_connecting(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    with LocalWeb(Path(__file__).parent / "sites", default_host=HOST) as web:
        watchlist = write_watchlist(
            tmp_path,
            "  - {id: nom, kind: feed, "
            f"url: 'http://localhost:{web.port}/feeds/politique.xml', every: 10m}}\n"
            "  - {id: ip, kind: feed, "
            f"url: 'http://127.0.0.1:{web.port}/feeds/politique.xml', every: 10m}}\n",
        )
        # No allowed network this time: loopback is forbidden like any private range.
        summary = run_pass(make_settings(allow_networks=()), watchlist, quiet=True)
        assert web.requested() == []
    assert summary.sources["nom"].errors.get("forbidden_network", 0) >= 1
    assert summary.sources["ip"].errors.get("forbidden_network", 0) >= 1
    assert summary.total("pages") == 0


def test_site_crawl_keeps_matching_pages_and_never_requests_robots_disallowed_paths(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - id: actu-site\n    kind: site\n    url: 'http://{HOST}/articles/'\n    every: 1h\n"
        "    match: '/articles/[^/]+[.]html$'\n    limits: {max_pages: 20, max_depth: 2}\n",
    )
    summary = run_pass(settings, watchlist, quiet=True)

    requested = paths(sites_web)
    assert not [p for p in requested if p.startswith("/prive/")]
    assert "/robots.txt" in requested
    docs = stored(settings)
    assert f"http://{HOST}/articles/" not in docs  # the index page is not a document
    assert f"http://{HOST}/articles/conseil-municipal-houleux.html" in docs
    assert f"http://{HOST}/articles/jean-baptiste-lefort-candidat.html" in docs
    assert summary.total("new") == len(docs)
    assert all(doc.kind == "article" and doc.source_id == "actu-site" for doc in docs.values())


def test_site_crawl_stops_at_its_page_limit(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: actu-site, kind: site, url: 'http://{HOST}/articles/', "
        f"every: 1h, limits: {{max_pages: 2, max_depth: 3}}}}\n",
    )
    run_pass(settings, watchlist, quiet=True)
    pages = [p for p in paths(sites_web) if p != "/robots.txt"]
    assert len(pages) == 2


def test_scrapy_crawl_from_the_repository_root_uses_traceur_settings(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: actu, kind: feed, url: 'http://{HOST}/feeds/politique.xml', every: 10m}}\n",
    )
    env = {**os.environ, **settings.replace(watchlist=watchlist).to_env()}
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "feed", "-a", "source=actu"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert len(stored(settings)) == 3
