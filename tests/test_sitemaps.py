"""News sitemaps: only recent, unseen URLs are fetched; indexes and gzip are followed."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.parse.sitemaps import SitemapError, parse_sitemap

from .test_crawl import HOST, paths, stored, write_watchlist

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone(timedelta(hours=1))).isoformat(timespec="seconds")


def news_sitemap(entries: list[tuple[str, datetime | None]]) -> bytes:
    urls = []
    for path, when in entries:
        news = (
            "<news:news><news:publication><news:name>Actu du Val</news:name>"
            "<news:language>fr</news:language></news:publication>"
            f"<news:publication_date>{iso(when)}</news:publication_date>"
            f"<news:title>Article {path}</news:title></news:news>"
            if when
            else ""
        )
        loc = path if path.startswith("http") else f"http://{HOST}{path}"
        urls.append(f"<url><loc>{loc}</loc>{news}</url>")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>{"".join(urls)}</urlset>'.encode()


def test_news_tags_give_each_entry_its_publication_date_and_title() -> None:
    now = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    sitemap = parse_sitemap(news_sitemap([("/a.html", now), ("/b.html", None)]))

    assert sitemap.kind == "urlset"
    assert [e.loc for e in sitemap.entries] == [f"http://{HOST}/a.html", f"http://{HOST}/b.html"]
    assert sitemap.entries[0].published_at == now
    assert sitemap.entries[0].title == "Article /a.html"
    assert sitemap.entries[0].language == "fr"
    assert sitemap.entries[1].published_at is None


def test_gzipped_sitemap_index_is_read() -> None:
    index = f"<sitemapindex {NS}><sitemap><loc>http://{HOST}/s1.xml</loc><lastmod>2026-11-19</lastmod></sitemap></sitemapindex>"
    sitemap = parse_sitemap(gzip.compress(index.encode()))
    assert sitemap.kind == "sitemapindex"
    assert sitemap.entries[0].loc == f"http://{HOST}/s1.xml"


def test_an_html_page_is_not_a_sitemap() -> None:
    with pytest.raises(SitemapError):
        parse_sitemap(b"<html><body><h1>Erreur 404</h1></body></html>")


@pytest.mark.integration
def test_sitemap_source_fetches_only_recent_unseen_pages_through_an_index(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    recent = news_sitemap(
        [
            ("/articles/conseil-municipal-houleux.html", now - timedelta(hours=3)),
            ("/articles/jean-baptiste-lefort-candidat.html", now - timedelta(hours=20)),
            ("/articles/marche-de-noel.html", now - timedelta(days=9)),  # too old
            ("http://ailleurs.example/intrus.html", now),  # another site: ignored
        ]
    )
    index = (
        f'<?xml version="1.0"?><sitemapindex {NS}>'
        f"<sitemap><loc>http://{HOST}/sitemaps/news.xml.gz</loc><lastmod>{iso(now)}</lastmod></sitemap>"
        f"<sitemap><loc>http://{HOST}/sitemaps/2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>"
        "</sitemapindex>"
    ).encode()
    sites_web.set(
        HOST, "/sitemap_index.xml", Response(200, index, {"Content-Type": "application/xml"})
    )
    sites_web.set(
        HOST,
        "/sitemaps/news.xml.gz",
        Response(200, gzip.compress(recent), {"Content-Type": "application/x-gzip"}),
    )
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        "  - {id: plan, kind: sitemap, "
        f"url: 'http://{HOST}/sitemap_index.xml', every: 30m, max_age: 2d}}\n",
    )

    first = run_pass(settings, watchlist, quiet=True)

    requested = paths(sites_web)
    assert "/sitemaps/2019.xml" not in requested
    assert "/articles/marche-de-noel.html" not in requested
    assert not sites_web.requested("ailleurs.example")
    assert set(stored(settings)) == {
        f"http://{HOST}/articles/conseil-municipal-houleux.html",
        f"http://{HOST}/articles/jean-baptiste-lefort-candidat.html",
    }
    assert first.total("new") == 2

    sites_web.clear_log()
    second = run_pass(settings, watchlist, quiet=True)
    assert not [p for p in paths(sites_web) if p.startswith("/articles/")]
    assert second.total("new") == 0
