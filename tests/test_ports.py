"""Sites on a non-default port: every collector follows the site's own links whatever the
port. Each fixture site is served straight on 127.0.0.1 at a random port (no proxy), its
pages rewritten so that their links mix absolute URLs with the port, root-relative and
relative addresses."""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from traceur.demo.localweb import LocalWeb
from traceur.document import Document
from traceur.orchestra.launch import PassSummary
from traceur.orchestra.passes import run_pass
from traceur.store import open_store
from traceur.urls import same_site

from .conftest import isolated_settings
from .test_crawl import write_watchlist

SITES = Path(__file__).parent / "sites"
TEXT_SUFFIXES = {".html", ".xml", ".json", ".txt", ".vtt", ".srt", ".ttml", ""}
_A_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")', re.IGNORECASE)


def _url_dir(relative_file: str) -> str:
    """The directory of the URL a file is served at (``a/index.html`` is ``/a/``)."""
    return "/" + posixpath.dirname(relative_file)


def _mix_links(html: str, base: str, page_dir: str) -> str:
    """Gives the page's on-site links, in turn, the three forms a real site uses: absolute
    with the port, root-relative and relative to the page."""
    turn = 0

    def rewrite(match: re.Match[str]) -> str:
        nonlocal turn
        href = match.group(2)
        if href.startswith(base + "/"):
            path = href[len(base) :]
        elif href.startswith("/") and not href.startswith("//"):
            path = href
        else:
            return match.group(0)
        form = turn % 3
        turn += 1
        if form == 0:
            href = base + path
        elif form == 1:
            href = path
        else:
            target, sep, rest = path.partition("?") if "?" in path else path.partition("#")
            relative = posixpath.relpath(target, page_dir)
            if target.endswith("/") and relative != ".":
                relative += "/"
            href = (relative if relative != "." else "./") + sep + rest
        return match.group(1) + href + match.group(3)

    return _A_HREF.sub(rewrite, html)


def copy_site_on_port(host: str, target: Path, base: str) -> None:
    """``tests/sites/<host>`` copied to ``target``, its own addresses moved to ``base``."""
    shutil.copytree(SITES / host, target)
    for path in target.rglob("*"):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        moved = re.sub(rf"https?://{re.escape(host)}(?=[/\"'<\s]|$)", base, text)
        if path.suffix == ".html":
            moved = _mix_links(moved, base, _url_dir(path.relative_to(target).as_posix()))
        if moved != text:
            path.write_text(moved, encoding="utf-8", errors="surrogateescape")


@dataclass
class PortedSite:
    web: LocalWeb
    base: str

    def paths(self) -> set[str]:
        return {r.path for r in self.web.requested()}


@dataclass
class PortedPass:
    summary: PassSummary
    documents: list[Document]
    sites: dict[str, PortedSite]

    def documents_of(self, source_id: str) -> list[Document]:
        return [d for d in self.documents if d.source_id == source_id]


# source id → (fixture host, name the site is reached by, start path, rest of the source)
SOURCES = {
    "feed": ("www.actu-val.example", "localhost", "/feeds/politique.xml", "kind: feed"),
    "sitemap": ("www.actu-val.example", "127.0.0.1", "/sitemap.xml", "kind: sitemap"),
    "site": (
        "www.actu-val.example",
        "localhost",
        "/articles/",
        "kind: site, match: '/articles/[^/]+[.]html$', follow: '/articles/', "
        "limits: {max_depth: 2}",
    ),
    "forum": (
        "forum.phpbb-val.example",
        "127.0.0.1",
        "/viewforum-12.html",
        "kind: forum, limits: {max_pages: 60, max_depth: 2}",
    ),
    "blog": (
        "blog.wordpress-val.example",
        "localhost",
        "/",
        "kind: blog, follow: '/2026/', limits: {max_depth: 2}",
    ),
    "video": (
        "video.videos-val.example",
        "localhost",
        "/watch/debat-tramway/",
        "kind: video, limits: {max_depth: 1}",
    ),
}


def _sitemap(base: str) -> str:
    now = datetime.now(UTC)
    entries = "".join(
        f"<url><loc>{base}{path}</loc><lastmod>{(now - timedelta(hours=hours)).isoformat()}"
        "</lastmod></url>"
        for path, hours in (
            ("/articles/conseil-municipal-houleux.html", 2),
            ("/articles/marche-de-noel.html", 5),
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


@pytest.fixture(scope="module")
def ported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortedPass]:
    """One pass over the six collectors, each on its own server and random port."""
    root = tmp_path_factory.mktemp("ports")
    sites: dict[str, PortedSite] = {}
    lines = []
    try:
        for source_id, (host, name, start, rest) in SOURCES.items():
            web = LocalWeb(root / source_id, default_host=host).start()
            base = f"http://{name}:{web.port}"
            sites[source_id] = PortedSite(web, base)
            copy_site_on_port(host, root / source_id / host, base)
            if source_id == "sitemap":
                (root / source_id / host / "sitemap.xml").write_text(_sitemap(base))
            lines.append(f"  - {{id: {source_id}, url: '{base}{start}', every: 1h, {rest}}}\n")
        settings = isolated_settings(root)
        summary = run_pass(settings, write_watchlist(root, "".join(lines)), quiet=True)
        store = open_store(settings)
        try:
            documents = list(store.iter_documents())
        finally:
            store.close()
        yield PortedPass(summary, documents, sites)
    finally:
        for site in sites.values():
            site.web.stop()


pytestmark = pytest.mark.integration


def test_pages_of_a_ported_site_link_in_all_three_forms() -> None:
    html = (
        '<a href="http://localhost:8081/a/b.html">1</a><a href="/a/c.html">2</a>'
        '<a href="/d/">3</a><a href="https://ailleurs.example/">4</a>'
    )
    mixed = _mix_links(html, "http://localhost:8081", "/a/")
    assert re.findall(r'href="([^"]*)"', mixed) == [
        "http://localhost:8081/a/b.html",
        "/a/c.html",
        "../d/",
        "https://ailleurs.example/",
    ]


def test_same_site_ignores_the_port_and_www_but_not_the_host_name() -> None:
    assert same_site("http://localhost:8081/a", "http://localhost/b")
    assert same_site("http://www.actu-val.example:8081/a", "https://actu-val.example/")
    assert not same_site("http://blog.actu-val.example:8081/", "http://actu-val.example:8081/")
    assert not same_site("http://127.0.0.1:8081/", "http://localhost:8081/")


def test_feed_on_a_port_fetches_every_entry(ported: PortedPass) -> None:
    assert ported.summary.sources["feed"].new == 3
    assert {d.url.split("?")[0] for d in ported.documents_of("feed")} == {
        ported.sites["feed"].base + path
        for path in (
            "/articles/conseil-municipal-houleux.html",
            "/articles/jean-baptiste-lefort-candidat.html",
            "/articles/marche-de-noel.html",
        )
    }


def test_sitemap_on_a_port_fetches_its_recent_pages(ported: PortedPass) -> None:
    base = ported.sites["sitemap"].base
    assert {d.url for d in ported.documents_of("sitemap")} == {
        f"{base}/articles/conseil-municipal-houleux.html",
        f"{base}/articles/marche-de-noel.html",
    }


def test_site_crawl_on_a_port_follows_links_two_clicks_deep(ported: PortedPass) -> None:
    site = ported.sites["site"]
    urls = {d.url for d in ported.documents_of("site")}
    # Linked from the start page, then only from the articles (two clicks away).
    assert f"{site.base}/articles/marche-de-noel.html" in urls
    assert f"{site.base}/articles/crue-de-la-loire.html" in urls
    assert len(urls) >= 5
    assert all(url.startswith(site.base + "/articles/") for url in urls)


def test_forum_on_a_port_reads_its_threads_and_their_pages(ported: PortedPass) -> None:
    posts = ported.documents_of("forum")
    assert ported.summary.sources["forum"].new == 20
    assert "/viewtopic-1905-start-10.html" in ported.sites["forum"].paths()
    assert len({d.thread_url for d in posts}) >= 3


def test_blog_on_a_port_reaches_its_post_and_comments(ported: PortedPass) -> None:
    docs = ported.documents_of("blog")
    post = f"{ported.sites['blog'].base}/2026/11/tramway-trois-candidats-trois-visions/"
    assert [d.url for d in docs if d.kind == "blog_post"] == [post]
    assert len([d for d in docs if d.kind == "comment"]) >= 4


def test_video_on_a_port_reaches_the_videos_it_links_to(ported: PortedPass) -> None:
    base = ported.sites["video"].base
    urls = {d.url for d in ported.documents_of("video") if d.kind == "video"}
    assert {
        f"{base}/watch/debat-tramway/",
        f"{base}/video/x8k2m4p/",
        f"{base}/replay/val-tv/journal-du-20-novembre/",
    } <= urls
