"""A polite, bounded crawler: conditional requests, Retry-After, size limits, binary
pages, redirect loops, robots.txt crawl-delay, one delay per host whatever the crawls, and
lying charsets, each against the local fixture web (which records every request)."""

from __future__ import annotations

import gzip
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, LoggedRequest, Response
from traceur.orchestra.launch import launch_crawl
from traceur.orchestra.passes import run_pass
from traceur.orchestra.politeness import (
    MAX_ADAPTIVE_INTERVAL,
    SlotRule,
    SqliteHostSlots,
    adapted_interval,
    booking_interval,
)
from traceur.orchestra.state import CrawlState
from traceur.store import open_store

from .test_crawl import HOST, stored, write_watchlist
from .test_ports import copy_site_on_port
from .test_sitemaps import news_sitemap

pytestmark = pytest.mark.integration

SITE = Path(__file__).parent / "sites" / HOST
SITE_SOURCE = (
    f"  - id: actu-site\n    kind: site\n    url: 'http://{HOST}/articles/'\n    every: 1h\n"
    "    match: '/articles/[^/]+[.]html$'\n    limits: {max_pages: 20, max_depth: 2}\n"
)
FEED_SOURCE = (
    f"  - {{id: actu, kind: feed, url: 'http://{HOST}/feeds/politique.xml', every: 10m}}\n"
)
SITEMAP_SOURCE = f"  - {{id: plan, kind: sitemap, url: 'http://{HOST}/sitemap.xml', every: 30m}}\n"
# Small, to keep the tests short; the gaps are checked against half of it, as the issue
# asks: a behaviour check with a safety factor for a busy machine, not a speed test.
DELAY = 0.3


def html(path: str) -> Response:
    return Response(200, (SITE / path).read_bytes(), {"Content-Type": "text/html; charset=utf-8"})


def test_second_pass_over_unchanged_sites_sends_only_conditional_requests_and_stores_nothing(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(tmp_path, FEED_SOURCE + SITE_SOURCE)
    first = run_pass(settings, watchlist, quiet=True)
    assert first.total("new") >= 4

    sites_web.clear_log()
    second = run_pass(settings, watchlist, quiet=True)

    requests = sites_web.requested(HOST)
    assert requests, "the second pass must still ask the site"
    assert all(r.headers.get("If-None-Match") for r in requests), [
        r.path for r in requests if not r.headers.get("If-None-Match")
    ]
    assert {r.status for r in requests} == {304}
    assert second.total("new") == 0 and second.total("updated") == 0


def test_after_an_edit_the_next_pass_fetches_only_the_edited_article_and_updates_it(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(tmp_path, SITE_SOURCE)
    run_pass(settings, watchlist, quiet=True)
    url = f"http://{HOST}/articles/marche-de-noel.html"
    before = stored(settings)[url]
    assert before.candidates == []

    page = (SITE / "articles" / "marche-de-noel.html").read_text(encoding="utf-8")
    edited = page.replace(
        "Les horaires sont étendus",
        "Mise à jour : Claire Martin inaugurera le "
        "marché le 28 novembre. Les horaires sont étendus",
    )
    sites_web.set(
        HOST,
        "/articles/marche-de-noel.html",
        Response(200, edited.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}),
    )
    sites_web.clear_log()
    third = run_pass(settings, watchlist, quiet=True)

    full_answers = [r.path for r in sites_web.requested(HOST) if r.status == 200]
    assert full_answers == ["/articles/marche-de-noel.html"]
    assert third.total("updated") == 1 and third.total("new") == 0
    after = stored(settings)[url]
    assert after.id == before.id
    assert after.candidates == ["claire-martin"]
    store = open_store(settings)
    try:
        assert store.count() == len(stored(settings))
    finally:
        store.close()
    # The edit is recorded: two versions, the second one longer.
    seen = CrawlState.in_data_dir(settings.data_dir)
    try:
        versions = seen.revisions(after.id)
    finally:
        seen.close()
    assert [v.content_hash for v in versions] == [before.content_hash, after.content_hash]
    assert versions[1].text_length > versions[0].text_length


def test_a_page_answering_429_with_retry_after_is_retried_after_the_delay_and_stored(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    answers = iter(
        [Response(429, b"trop de requetes", {"Retry-After": "2", "Content-Type": "text/plain"})]
    )

    def busy_then_ok(method: str, path: str, headers: dict[str, str]) -> Response:
        return next(answers, html("articles/jean-baptiste-lefort-candidat.html"))

    sites_web.set(HOST, "/articles/jean-baptiste-lefort-candidat.html", busy_then_ok)
    settings = make_settings(sites_web, retry_times=2)
    watchlist = write_watchlist(tmp_path, FEED_SOURCE)
    summary = run_pass(settings, watchlist, quiet=True)

    attempts = [
        r
        for r in sites_web.requested(HOST)
        if r.path == "/articles/jean-baptiste-lefort-candidat.html"
    ]
    assert [r.status for r in attempts] == [429, 200]
    # The crawler waited at least what the server asked before asking again.
    assert attempts[1].at - attempts[0].at >= 1.9
    assert summary.total("new") == 3 and not summary.errors()
    assert stored(settings)[
        f"http://{HOST}/articles/jean-baptiste-lefort-candidat.html"
    ].candidates == ["jean-baptiste-lefort"]


def test_huge_pages_compressed_bombs_and_binary_files_served_as_html_are_refused(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    huge = b"<html><body><p>" + b"Claire Martin " * (60 * 1024 * 1024 // 14) + b"</p></body></html>"
    bomb = gzip.compress(b"<html><body>" + b" " * (60 * 1024 * 1024) + b"</body></html>")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
    sites_web.set(
        HOST,
        "/articles/enorme.html",
        Response(200, huge, {"Content-Type": "text/html; charset=utf-8"}),
    )
    sites_web.set(
        HOST,
        "/articles/bombe.html",
        Response(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"}),
    )
    sites_web.set(HOST, "/articles/image.html", Response(200, png, {"Content-Type": "text/html"}))
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://{HOST}/</link><description>d</description>
<item><title>Enorme</title><link>http://{HOST}/articles/enorme.html</link><guid>g1</guid></item>
<item><title>Bombe</title><link>http://{HOST}/articles/bombe.html</link><guid>g2</guid></item>
<item><title>Image</title><link>http://{HOST}/articles/image.html</link><guid>g3</guid></item>
<item><title>Vraie</title><link>http://{HOST}/articles/marche-de-noel.html</link><guid>g4</guid></item>
</channel></rss>"""
    sites_web.set(
        HOST,
        "/feeds/pieges.xml",
        Response(200, feed.encode(), {"Content-Type": "application/rss+xml"}),
    )
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: pieges, kind: feed, url: 'http://{HOST}/feeds/pieges.xml', every: 10m}}\n",
    )
    summary = run_pass(settings, watchlist, quiet=True)

    source = summary.sources["pieges"]
    assert source.errors.get("too_large") == 2
    assert source.errors.get("not_text") == 1
    assert list(stored(settings)) == [f"http://{HOST}/articles/marche-de-noel.html"]
    # Refused while streaming: the crawler never held the 60 MB page in memory.
    assert 0 < source.memory_peak_bytes < 400 * 1024 * 1024


def test_redirect_loop_ends_with_a_logged_error(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    sites_web.set(
        HOST, "/boucle/a.html", Response(302, b"", {"Location": f"http://{HOST}/boucle/b.html"})
    )
    sites_web.set(
        HOST, "/boucle/b.html", Response(302, b"", {"Location": f"http://{HOST}/boucle/a.html"})
    )
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path, f"  - {{id: boucle, kind: site, url: 'http://{HOST}/boucle/a.html', every: 1h}}\n"
    )
    summary = run_pass(settings, watchlist, quiet=True)

    assert summary.sources["boucle"].errors == {"redirect_loop": 1}
    # Stopped at the first page seen twice: each page of the loop asked once.
    assert [r.path for r in sites_web.requested(HOST) if r.path.startswith("/boucle/")] == [
        "/boucle/a.html",
        "/boucle/b.html",
    ]
    log = (settings.data_dir / "crawl.log").read_text(encoding="utf-8")
    assert "redirect" in log and "boucle/a.html" in log


def test_robots_crawl_delay_spaces_requests_to_that_site(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    sites_web.set(
        HOST,
        "/robots.txt",
        Response(
            200,
            b"User-agent: *\nCrawl-delay: 1\nDisallow: /prive/\n",
            {"Content-Type": "text/plain"},
        ),
    )
    settings = make_settings(sites_web)
    watchlist = write_watchlist(tmp_path, SITE_SOURCE)
    run_pass(settings, watchlist, quiet=True)

    pages = [r for r in sites_web.requested(HOST) if r.path != "/robots.txt"]
    assert len(pages) >= 4
    gaps = [later.at - earlier.at for earlier, later in pairwise(pages)]
    assert min(gaps) >= 0.9, gaps


def test_page_whose_declared_charset_lies_is_decoded_right(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    page = (SITE / "articles" / "page-supprimee-bientot.html").read_text(encoding="utf-8")
    # windows-1252 bytes announced as UTF-8, a classic of old regional CMSs.
    sites_web.set(
        HOST,
        "/articles/page-supprimee-bientot.html",
        Response(
            200,
            page.replace('charset="utf-8"', "").encode("cp1252"),
            {"Content-Type": "text/html; charset=utf-8"},
        ),
    )
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://{HOST}/</link><description>d</description>
<item><title>Réunion</title><link>http://{HOST}/articles/page-supprimee-bientot.html</link><guid>c1</guid></item></channel></rss>"""
    sites_web.set(
        HOST,
        "/feeds/charset.xml",
        Response(200, feed.encode(), {"Content-Type": "application/rss+xml"}),
    )
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path, f"  - {{id: c, kind: feed, url: 'http://{HOST}/feeds/charset.xml', every: 10m}}\n"
    )
    run_pass(settings, watchlist, quiet=True)

    doc = stored(settings)[f"http://{HOST}/articles/page-supprimee-bientot.html"]
    assert doc.title == "Réunion publique d'Élodie Arnaud à la salle des fêtes"
    assert "\ufffd" not in doc.text and "réunion publique d’Élodie Arnaud" in doc.text
    assert doc.candidates == ["elodie-arnaud"]


def serve_sitemap(web: LocalWeb) -> None:
    now = datetime.now(UTC)
    sitemap = news_sitemap(
        [
            ("/articles/crue-de-la-loire.html", now - timedelta(hours=2)),
            ("/articles/marche-de-noel.html", now - timedelta(hours=4)),
            ("/articles/conseil-municipal-houleux.html", now - timedelta(hours=6)),
        ]
    )
    web.set(HOST, "/sitemap.xml", Response(200, sitemap, {"Content-Type": "application/xml"}))


def gaps(requests: list[LoggedRequest]) -> list[float]:
    times = sorted(r.at for r in requests)
    return [round(later - earlier, 3) for earlier, later in pairwise(times)]


def assert_spaced(requests: list[LoggedRequest]) -> None:
    """The server saw the requests about ``DELAY`` apart. It logs each one when its thread
    gets to it: on a loaded machine a request logged late by some lag grows the gap before
    it and shrinks the one after by as much (at load 9, a gap of 0.009 s was logged). So a
    gap under a third of the delay must follow one that makes up for it (the two together
    nearly twice the delay), and the median is held to nearly all of it. Without the slots
    the gaps were 0.0 and 0.004 s, each after a gap of about one delay."""
    found = gaps(requests)
    for before, gap in zip([0.0, *found], found, strict=False):
        assert gap >= DELAY / 3 or before + gap >= 1.8 * DELAY, found
    assert sorted(found)[len(found) // 2] >= DELAY * 0.9, found


def test_three_sources_on_one_host_in_one_pass_keep_one_delay_between_all_their_requests(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    serve_sitemap(sites_web)
    settings = make_settings(sites_web, download_delay=DELAY, concurrent_per_domain=2)
    watchlist = write_watchlist(tmp_path, FEED_SOURCE + SITEMAP_SOURCE + SITE_SOURCE)
    summary = run_pass(settings, watchlist, quiet=True)

    assert all(summary.sources[name].pages >= 3 for name in ("actu", "plan", "actu-site"))
    # robots.txt included: it is booked like any request (one more polite request).
    requests = sites_web.requested(HOST)
    assert len(requests) >= 12
    assert_spaced(requests)


def test_two_passes_at_once_on_one_host_keep_one_delay_between_all_their_requests(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    serve_sitemap(sites_web)
    settings = make_settings(sites_web, download_delay=DELAY)
    watchlist = write_watchlist(tmp_path, FEED_SOURCE + SITEMAP_SOURCE + SITE_SOURCE)
    # Two crawl processes on the same data directory, as the scheduler runs them.
    with (
        launch_crawl(settings, watchlist, ["actu", "plan"], quiet=True) as first,
        launch_crawl(settings, watchlist, ["actu-site"], quiet=True) as second,
    ):
        assert first.wait(timeout=120) == 0, first.stderr_tail(2000)
        assert second.wait(timeout=120) == 0, second.stderr_tail(2000)
        summaries = [first.summary(), second.summary()]

    assert all(summary is not None and summary.total("pages") >= 3 for summary in summaries)
    requests = sites_web.requested(HOST)
    assert len(requests) >= 12
    assert_spaced(requests)


def test_host_slot_spaces_bookings_of_two_processes_and_caps_requests_in_flight(
    tmp_path: Path,
) -> None:
    # Two connections to one file: what two crawl processes of one machine share.
    one = SqliteHostSlots.in_data_dir(tmp_path)
    other = SqliteHostSlots.in_data_dir(tmp_path)
    rule = SlotRule(interval=5.0, concurrency=2, lease=60.0)
    try:
        first = one.book("www.actu-val.example", rule)
        second = other.book("www.actu-val.example", rule)
        busy = one.book("www.actu-val.example", rule)
        elsewhere = other.book("forum.phpbb-val.example", rule)
        assert first.token and second.token and elsewhere.token
        assert second.start_at - first.start_at >= 5.0
        assert busy.token is None, "a third request while two are in flight"
        assert elsewhere.start_at < second.start_at, "another host has its own slot"

        one.release(first.token)
        third = other.book("www.actu-val.example", rule)
        assert third.token and third.start_at - second.start_at >= 5.0
    finally:
        one.close()
        other.close()


def test_bookings_given_back_with_the_next_booking_free_their_lanes_for_every_process(
    tmp_path: Path,
) -> None:
    one = SqliteHostSlots.in_data_dir(tmp_path)
    other = SqliteHostSlots.in_data_dir(tmp_path)
    rule = SlotRule(interval=0.0, concurrency=2, lease=60.0)
    try:
        first = one.book("www.actu-val.example", rule)
        second = one.book("www.actu-val.example", rule)
        assert first.token and second.token
        assert other.book("www.actu-val.example", rule).token is None, "both lanes held"

        # One transaction: the answered request's lane is given back, then booked again.
        third = one.book("www.actu-val.example", rule, [first.token])
        assert third.token, "the lane given back with the booking is free for it"
        assert other.book("www.actu-val.example", rule).token is None

        one.release(second.token, third.token)
        assert other.book("www.actu-val.example", rule).token
        assert other.book("www.actu-val.example", rule).token
    finally:
        one.close()
        other.close()


def test_a_finished_pass_leaves_no_booking_holding_the_host(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Bookings of answered requests are given back with the next booking or soon after:
    # none may stay behind at the end, or the next crawl would wait for their leases.
    settings = make_settings(sites_web, download_delay=0.0, concurrent_per_domain=2)
    watchlist = write_watchlist(tmp_path, SITE_SOURCE)
    summary = run_pass(settings, watchlist, quiet=True)

    assert summary.sources["actu-site"].pages >= 3
    with closing(sqlite3.connect(Path(settings.data_dir) / "politeness.db")) as db:
        assert db.execute("SELECT COUNT(*) FROM host_lease").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM host_slot").fetchone()[0] >= 1


def test_a_booking_never_given_back_lapses_after_its_lease(tmp_path: Path) -> None:
    slots = SqliteHostSlots.in_data_dir(tmp_path)
    try:
        crashed = SlotRule(interval=0.0, concurrency=1, lease=0.0)
        assert slots.book("www.actu-val.example", crashed).token
        later = slots.book("www.actu-val.example", SlotRule(0.0, 1, 60.0))
        assert later.token, "the lapsed booking no longer holds the host"
    finally:
        slots.close()


def test_one_host_name_on_two_ports_is_one_host_to_be_polite_to(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    sources = ""
    webs = [LocalWeb(tmp_path / f"web{n}", default_host=HOST).start() for n in (1, 2)]
    try:
        for n, web in enumerate(webs, 1):
            base = f"http://localhost:{web.port}"
            copy_site_on_port(HOST, tmp_path / f"web{n}" / HOST, base)
            sources += (
                f"  - id: site{n}\n    kind: site\n    url: '{base}/articles/'\n    every: 1h\n"
                "    match: '/articles/[^/]+[.]html$'\n    limits: {max_pages: 8, max_depth: 1}\n"
            )
        settings = make_settings(download_delay=DELAY)
        summary = run_pass(settings, write_watchlist(tmp_path, sources), quiet=True)
        requests = webs[0].requested() + webs[1].requested()
    finally:
        for web in webs:
            web.stop()

    assert summary.sources["site1"].new >= 3 and summary.sources["site2"].new >= 3
    assert_spaced(requests)


def test_booking_interval_is_the_longest_asked_and_only_ever_jittered_upwards() -> None:
    for _ in range(200):
        assert 0.5 <= booking_interval(0.5, None, None) <= 0.75
        assert 2.0 <= booking_interval(0.5, 2.0, 0.8) <= 3.0
        assert 1.2 <= booking_interval(0.5, None, 1.2) <= 1.8


def test_adaptive_interval_grows_with_a_slow_host_within_its_bounds() -> None:
    slow = adapted_interval(None, latency=4.0, floor=0.5, ok=True)
    assert slow == 4.0
    assert adapted_interval(slow, latency=0.01, floor=0.5, ok=True) == (4.0 + 0.01) / 2
    assert adapted_interval(slow, latency=0.01, floor=0.5, ok=False) == slow
    assert adapted_interval(None, latency=0.01, floor=0.5, ok=True) == 0.5
    assert adapted_interval(None, latency=300.0, floor=0.5, ok=True) == MAX_ADAPTIVE_INTERVAL
