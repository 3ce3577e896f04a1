"""Hostile feeds and sites that would stall a pass (issue 12, item 3): a feed screened
before feedparser reads it, a robots.txt Crawl-delay past max_crawl_delay, and a source
that runs past its deadline. Each is refused or stopped, reported, and the rest of the
pass goes on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.parse.feedscreen import feed_problem

from .test_crawl import HOST, write_watchlist

HOSTILE = "www.flux-piege.example"

RSS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
    "<title>La Gazette du Val — politique</title><link>http://{host}/</link>"
    "<description>Toute l'actualité politique du Val</description>"
)


def rss(items: str, host: str = HOSTILE) -> bytes:
    return (RSS_HEAD.format(host=host) + items + "</channel></rss>").encode()


def attribute_bomb(attributes: int) -> bytes:
    noise = " ".join(f'data-suivi-{n}="é"' for n in range(attributes))
    return rss(
        f"<item {noise}><title>Municipales : Claire Martin en tête</title>"
        f"<link>http://{HOSTILE}/politique/sondage.html</link></item>"
    )


def test_a_sane_feed_passes_the_screen() -> None:
    items = "".join(
        f"<item><title>Conseil municipal n°{n}</title>"
        f'<link>http://{HOST}/articles/conseil-{n}.html</link><guid isPermaLink="false">{n}</guid>'
        f'<enclosure url="http://{HOST}/medias/{n}.jpg" type="image/jpeg" length="1024"/>'
        "</item>"
        for n in range(500)
    )

    assert feed_problem(rss(items, HOST)) is None


def test_an_item_with_three_hundred_thousand_attributes_is_refused_within_seconds() -> None:
    started = time.monotonic()

    problem = feed_problem(attribute_bomb(300_000))

    assert problem == "an element with more than 100 attributes"
    assert time.monotonic() - started < 10


def test_a_feed_nested_deeper_than_any_publisher_writes_is_refused() -> None:
    deep = "<div>" * 200 + "Bonjour" + "</div>" * 200
    problem = feed_problem(rss(f"<item><title>Profond</title><extra>{deep}</extra></item>"))

    assert problem == "XML nested more than 64 levels deep"


def test_a_flood_of_elements_is_refused() -> None:
    flood = "<category>politique</category>" * 120_000
    problem = feed_problem(rss(f"<item><title>Inondé</title>{flood}</item>"))

    assert problem == "more than 100000 XML elements"


@pytest.mark.integration
def test_an_attribute_bomb_feed_is_refused_and_the_other_feed_of_the_pass_is_read(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    sites_web.set(
        HOSTILE,
        "/politique/rss.xml",
        Response(200, attribute_bomb(300_000), {"Content-Type": "application/rss+xml"}),
    )
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: piege, kind: feed, url: 'http://{HOSTILE}/politique/rss.xml', every: 10m}}\n"
        f"  - {{id: actu, kind: feed, url: 'http://{HOST}/feeds/politique.xml', every: 10m}}\n",
    )
    started = time.monotonic()

    summary = run_pass(make_settings(sites_web), watchlist, quiet=True)

    assert time.monotonic() - started < 90
    assert summary.sources["piege"].errors == {"hostile_feed": 1}
    assert summary.sources["actu"].new == 3
    assert not [r for r in sites_web.requested(HOSTILE) if r.path.startswith("/politique/s")]


@pytest.mark.integration
def test_a_crawl_delay_past_the_cap_skips_the_site_for_the_pass_and_says_so(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    slow = "www.lenteur-val.example"
    sites_web.set(
        slow,
        "/robots.txt",
        Response(200, b"User-agent: *\nCrawl-delay: 3600\n", {"Content-Type": "text/plain"}),
    )
    sites_web.set(
        slow,
        "/rss.xml",
        Response(
            200,
            rss(f"<item><title>Une</title><link>http://{slow}/une.html</link></item>", slow),
            {"Content-Type": "application/rss+xml"},
        ),
    )
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: lent, kind: feed, url: 'http://{slow}/rss.xml', every: 10m}}\n"
        f"  - {{id: actu, kind: feed, url: 'http://{HOST}/feeds/politique.xml', every: 10m}}\n",
    )
    started = time.monotonic()

    summary = run_pass(make_settings(sites_web, obey_robots=True), watchlist, quiet=True)

    assert time.monotonic() - started < 60
    assert summary.sources["lent"].errors == {"crawl_delay_too_long": 1}
    assert [r.path for r in sites_web.requested(slow)] == ["/robots.txt"]
    assert summary.sources["actu"].new == 3


@pytest.mark.integration
def test_a_source_past_its_deadline_stops_and_the_summary_reports_it(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    tarpit = "www.goutte-a-goutte.example"
    links = "".join(f'<li><a href="/page-{n}.html">Page {n}</a></li>' for n in range(30))
    home = f"<html lang='fr'><body><h1>Accueil</h1><ul>{links}</ul></body></html>".encode()

    def drip(method: str, path: str, headers: dict[str, str]) -> Response:
        time.sleep(3)  # a server answering one slow page after another
        return Response(200, home, {"Content-Type": "text/html; charset=utf-8"})

    sites_web.set(tarpit, "/", drip)
    for n in range(30):
        sites_web.set(tarpit, f"/page-{n}.html", drip)
    watchlist = write_watchlist(
        tmp_path, f"  - {{id: goutte, kind: site, url: 'http://{tarpit}/', every: 1h}}\n"
    )
    started = time.monotonic()

    summary = run_pass(
        make_settings(sites_web, source_deadline=5, obey_robots=False), watchlist, quiet=True
    )

    assert time.monotonic() - started < 30
    assert summary.sources["goutte"].errors.get("deadline") == 1
    assert summary.sources["goutte"].finish_reason == "closespider_timeout"
