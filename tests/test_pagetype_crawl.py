"""Site and blog crawls without ``match``: listing and "about" pages are crawled through
(their links followed) but not kept; with ``match``, the pattern decides as before.
Fixture: tests/sites/blog.dotclear-brenne.example, a Dotclear blog (a style the page
classifier has no rule for)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import PageItem
from spiders.blog import BlogSpider
from spiders.site import SiteSpider
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass
from traceur.watchlist.model import Source

from .test_crawl import stored, write_watchlist

HOST = "blog.dotclear-brenne.example"
SITE = Path(__file__).resolve().parent / "sites" / HOST
POSTS = [
    "/post/2026/11/20/Conseil-municipal-le-budget-adopte-a-une-voix-pres",
    "/post/2026/11/18/Tramway-la-reunion-publique-de-Claire-Martin",
    "/post/2026/11/15/Permanence-de-samedi-annulee",
    "/post/2026/11/12/Le-marche-du-samedi-change-de-place",
    # Linked only from page 2, the category, its tag and the month's archive.
    "/post/2026/11/05/Jean-Baptiste-Lefort-et-les-associations",
]
THROUGH = [
    "/",
    "/page/2",
    "/category/Politique",
    "/category/Vie-locale",
    "/tag/tramway",
    "/archive/2026/11",
    "/pages/A-propos",
    "/pages/Mentions-legales",
]


@pytest.mark.integration
@pytest.mark.parametrize(("kind", "document_kind"), [("blog", "blog_post"), ("site", "article")])
def test_crawl_without_match_keeps_every_post_and_no_listing_or_about_page(
    sites_web: LocalWeb,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    kind: str,
    document_kind: str,
) -> None:
    settings = make_settings(sites_web)
    source = (
        f"  - {{id: carnet, kind: {kind}, url: 'http://{HOST}/', every: 1h, "
        "limits: {max_pages: 60, max_depth: 2}}\n"
    )
    summary = run_pass(settings, write_watchlist(tmp_path, source), quiet=True)

    docs = stored(settings)
    requested = {r.path.rstrip("/") or "/" for r in sites_web.requested(HOST)}
    assert set(THROUGH) <= requested  # crawled through…
    assert set(docs) == {f"http://{HOST}{path}" for path in POSTS}  # …only posts kept
    assert all(doc.kind == document_kind for doc in docs.values())
    assert summary.sources["carnet"].new == len(POSTS)
    assert summary.sources["carnet"].errors == {}
    assert summary.sources["carnet"].listings >= len(THROUGH)


# -- the spiders' callback, fed pages of the fixture blog ------------------------------------


def spider(spider_class: type[SiteSpider], tmp_path: Path, match: str | None = None) -> SiteSpider:
    crawler = get_crawler(spider_class, settings_dict={"TRACEUR_DATA_DIR": str(tmp_path)})
    source = Source(
        id="carnet", kind=spider_class.name, url=f"http://{HOST}/", every=3600, match=match
    )
    built = spider_class.from_crawler(crawler, source=source)
    assert isinstance(built, SiteSpider)
    return built


def response(path: str) -> HtmlResponse:
    body = (SITE / path.lstrip("/") / "index.html").read_bytes()
    return HtmlResponse(url=f"http://{HOST}{path}", body=body, encoding="utf-8")


def split(results: Iterator[Any]) -> tuple[list[PageItem], list[scrapy.Request]]:
    out = list(results)
    return (
        [r for r in out if isinstance(r, PageItem)],
        [r for r in out if isinstance(r, scrapy.Request)],
    )


@pytest.mark.parametrize("spider_class", [SiteSpider, BlogSpider])
def test_listing_page_is_followed_not_kept_and_counted(
    spider_class: type[SiteSpider], tmp_path: Path
) -> None:
    crawl = spider(spider_class, tmp_path)

    items, requests = split(crawl.parse_page(response("/category/Politique"), depth=0))

    assert items == []
    assert f"http://{HOST}{POSTS[4]}" in {r.url for r in requests}
    assert crawl.crawler.stats.get_value("traceur/pages/listing") == 1


@pytest.mark.parametrize("spider_class", [SiteSpider, BlogSpider])
def test_post_page_is_kept_and_not_counted_as_a_listing(
    spider_class: type[SiteSpider], tmp_path: Path
) -> None:
    crawl = spider(spider_class, tmp_path)

    items, _ = split(crawl.parse_page(response(POSTS[2]), depth=0))

    assert [item.url for item in items] == [f"http://{HOST}{POSTS[2]}"]
    assert crawl.crawler.stats.get_value("traceur/pages/listing") is None


def test_the_sources_match_decides_over_the_page_type(tmp_path: Path) -> None:
    crawl = spider(SiteSpider, tmp_path, match="/category/")

    kept, _ = split(crawl.parse_page(response("/category/Politique"), depth=0))
    dropped, _ = split(crawl.parse_page(response(POSTS[0]), depth=0))

    assert [item.url for item in kept] == [f"http://{HOST}/category/Politique"]
    assert dropped == []
    assert crawl.crawler.stats.get_value("traceur/pages/listing") is None
