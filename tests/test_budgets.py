"""Work budgets against hostile sites: a sitemap bomb, an endless chain of sitemap
indexes, a sitemap of too many entries, each read within bounded memory, depth and
requests (issue 12, item 2). Hostile files are generated here, never stored in git."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.logformat import MAX_LOG_MESSAGE, CappedMessages
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.parse.sitemaps import SitemapError, parse_sitemap

from .test_crawl import HOST, paths, stored, write_watchlist
from .test_sitemaps import NS, iso, news_sitemap

MIB = 1024 * 1024


def gzip_bomb(entry: bytes, decompressed: int) -> bytes:
    """A valid gzipped urlset of ``decompressed`` bytes, small once compressed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>'.encode()
    block = entry * (MIB // len(entry))
    parts = [packer.compress(head)]
    parts += [packer.compress(block) for _ in range(decompressed // len(block))]
    parts += [packer.compress(b"</urlset>"), packer.flush()]
    return b"".join(parts)


# Long addresses (2 kB each, as tracking parameters make them): the bomb runs into the
# byte budget long before the entry cap.
BOMB_ENTRY = (
    f"<url><loc>http://{HOST}/archives/conseil-municipal-seance.html?origine={'x' * 2000}</loc>"
    "<lastmod>2019-06-30</lastmod></url>"
).encode()


def test_a_sitemap_larger_than_the_budget_once_decompressed_is_refused_unread() -> None:
    bomb = gzip_bomb(BOMB_ENTRY, 64 * MIB)
    assert len(bomb) < MIB // 2

    with pytest.raises(SitemapError, match="larger than 4194304 bytes once decompressed"):
        parse_sitemap(bomb, max_bytes=4 * MIB)


def test_only_the_first_entries_of_a_long_sitemap_are_read_and_the_cap_is_said() -> None:
    now = datetime.now(UTC)
    sitemap = parse_sitemap(
        news_sitemap([(f"/articles/breve-{n}.html", now) for n in range(40)]), max_entries=12
    )

    assert len(sitemap.entries) == 12
    assert sitemap.capped
    assert sitemap.entries[-1].loc == f"http://{HOST}/articles/breve-11.html"


def test_a_sitemap_cut_short_keeps_its_complete_entries() -> None:
    now = datetime.now(UTC)
    whole = news_sitemap([(f"/articles/breve-{n}.html", now) for n in range(5)])

    sitemap = parse_sitemap(whole[: whole.index(b"breve-4")])

    assert [e.loc.rsplit("/", 1)[-1] for e in sitemap.entries] == [
        f"breve-{n}.html" for n in range(4)
    ]


@pytest.mark.integration
def test_a_gzip_sitemap_bomb_is_refused_within_three_budgets_of_memory(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    budget = 4 * MIB
    now = datetime.now(UTC)
    sites_web.set(
        HOST,
        "/sitemaps/calme.xml.gz",
        Response(
            200,
            zlib.compress(news_sitemap([("/articles/conseil-municipal-houleux.html", now)]), 9),
            {"Content-Type": "application/x-gzip"},
        ),
    )
    sites_web.set(
        HOST,
        "/sitemaps/bombe.xml.gz",
        Response(200, gzip_bomb(BOMB_ENTRY, 64 * MIB), {"Content-Type": "application/x-gzip"}),
    )
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: calme, kind: sitemap, url: 'http://{HOST}/sitemaps/calme.xml.gz',"
        " every: 1h}\n"
        f"  - {{id: bombe, kind: sitemap, url: 'http://{HOST}/sitemaps/bombe.xml.gz',"
        " every: 1h}\n",
    )
    settings = make_settings(sites_web, max_page_bytes=budget)

    # Each in its own crawl process: the quiet one is the baseline of the bomb's memory.
    calm = run_pass(settings, watchlist, ["calme"], quiet=True).sources["calme"]
    bomb = run_pass(settings, watchlist, ["bombe"], quiet=True).sources["bombe"]

    assert bomb.errors == {"too_large": 1}
    assert not [p for p in paths(sites_web) if p.startswith("/archives/")]
    assert calm.memory_peak_bytes > 0
    assert bomb.memory_peak_bytes - calm.memory_peak_bytes <= 3 * budget


@pytest.mark.integration
def test_nested_sitemap_indexes_are_followed_three_levels_and_counted_in_the_budget(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    for level in range(60):
        index = (
            f'<?xml version="1.0"?><sitemapindex {NS}><sitemap>'
            f"<loc>http://{HOST}/plans/niveau-{level + 1}.xml</loc><lastmod>{iso(now)}</lastmod>"
            "</sitemap></sitemapindex>"
        ).encode()
        sites_web.set(
            HOST, f"/plans/niveau-{level}.xml", Response(200, index, {"Content-Type": "text/xml"})
        )
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: gigogne, kind: sitemap, url: 'http://{HOST}/plans/niveau-0.xml', every: 1h}}\n"
        f"  - {{id: gigogne-site, kind: site, url: 'http://{HOST}/index.html', every: 1h,"
        f" sitemap: 'http://{HOST}/plans/niveau-0.xml',"
        " limits: {max_pages: 50, max_depth: 1}}\n",
    )
    settings = make_settings(sites_web)

    summary = run_pass(settings, watchlist, ["gigogne"], quiet=True)
    fetched = [p for p in paths(sites_web) if p.startswith("/plans/")]
    sites_web.clear_log()
    site_summary = run_pass(settings, watchlist, ["gigogne-site"], quiet=True)
    fetched_by_site = [p for p in paths(sites_web) if p.startswith("/plans/")]

    assert fetched == [f"/plans/niveau-{n}.xml" for n in range(4)]
    assert summary.errors() == {"sitemap_too_deep": {"gigogne": 1}}
    assert fetched_by_site == [f"/plans/niveau-{n}.xml" for n in range(4)]
    assert site_summary.errors() == {"sitemap_too_deep": {"gigogne-site": 1}}


@pytest.mark.integration
def test_a_sitemap_source_fetches_no_more_than_its_page_budget_and_reports_a_capped_sitemap(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    entries = [(f"/breves/breve-{n}.html", now - timedelta(minutes=n)) for n in range(40)]
    sites_web.set(
        HOST,
        "/plan-breves.xml",
        Response(200, news_sitemap(entries), {"Content-Type": "application/xml"}),
    )
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: breves, kind: sitemap, url: 'http://{HOST}/plan-breves.xml', every: 1h,"
        " limits: {max_pages: 5}}\n",
    )
    settings = make_settings(sites_web, max_sitemap_entries=25)

    summary = run_pass(settings, watchlist, quiet=True)

    assert len([p for p in paths(sites_web) if p.startswith("/breves/")]) == 5
    assert summary.errors()["sitemap_capped"] == {"breves": 1}


VIDEO_HOST = "video.deferlante-val.example"


def video_page(title: str, tracks: int) -> bytes:
    track_tags = "".join(
        f'<track kind="subtitles" src="/sous-titres/{title}-{n}.vtt" srclang="fr"'
        f' label="Français {n}">'
        for n in range(tracks)
    )
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Débat sur le tramway : Claire Martin face au maire</title>
<meta property="og:title" content="Débat sur le tramway : Claire Martin face au maire">
<meta property="og:type" content="video.other"></head><body>
<h1>Débat sur le tramway : Claire Martin face au maire</h1>
<video controls src="/medias/{title}.mp4">{track_tags}</video>
<p>Le débat du conseil municipal consacré au tracé du tramway, en intégralité.</p>
</body></html>""".encode()


def caption_flood(size: int, seed: int) -> bytes:
    """A WebVTT file of about ``size`` bytes, its cues all different."""
    cues = ["WEBVTT", ""]
    length, n = 0, 0
    while length < size:
        cue = (
            f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000 --> "
            f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.900\n"
            f"Piste {seed}, réplique {n} : le tracé du tramway passera-t-il par la gare ?\n"
        )
        cues.append(cue)
        length += len(cue.encode()) + 1
        n += 1
    return "\n".join(cues).encode()


@pytest.mark.integration
def test_a_caption_flood_reads_eight_tracks_within_one_page_of_text_and_memory(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Large enough that the fixed costs of a bigger document do not blur the measure.
    budget = 8 * MIB
    flood = caption_flood(budget - 64 * 1024, 1)
    with LocalWeb() as web:
        web.set(VIDEO_HOST, "/watch/calme/", Response(200, video_page("calme", 1)))
        web.set(VIDEO_HOST, "/sous-titres/calme-0.vtt", Response(200, caption_flood(4000, 0)))
        web.set(VIDEO_HOST, "/watch/deferlante/", Response(200, video_page("deferlante", 12)))
        for n in range(12):
            web.set(VIDEO_HOST, f"/sous-titres/deferlante-{n}.vtt", Response(200, flood))
        for path in ("/watch/calme/", "/watch/deferlante/"):
            page = web.overrides[(VIDEO_HOST, path)]
            assert isinstance(page, Response)
            page.headers["Content-Type"] = "text/html; charset=utf-8"
        watchlist = write_watchlist(
            tmp_path,
            f"  - {{id: calme, kind: video, url: 'http://{VIDEO_HOST}/watch/calme/',"
            " every: 1h, limits: {max_depth: 1}}\n"
            f"  - {{id: deferlante, kind: video, url: 'http://{VIDEO_HOST}/watch/deferlante/',"
            " every: 1h, limits: {max_depth: 1}}\n",
        )
        settings = make_settings(web, max_page_bytes=budget, max_text_chars=50_000)

        calm = run_pass(settings, watchlist, ["calme"], quiet=True).sources["calme"]
        hostile = run_pass(settings, watchlist, ["deferlante"], quiet=True).sources["deferlante"]
        fetched = [r.path for r in web.requested(VIDEO_HOST) if "deferlante-" in r.path]

    assert calm.new == 1 and hostile.new == 1
    # Eight tracks at most; past the first, each is refused for the bytes left to the video.
    assert len(fetched) == 8
    assert hostile.errors == {"captions_capped": 1, "too_large": 7}
    video = stored(settings)[f"http://{VIDEO_HOST}/watch/deferlante/"]
    assert video.truncated
    assert len(video.text) <= 50_000
    assert video.video is not None and len(video.video["captions"]) <= 50_000
    assert "Piste 1, réplique 0 : le tracé du tramway" in video.text
    assert hostile.memory_peak_bytes - calm.memory_peak_bytes <= 3 * budget
    log = (settings.data_dir / "crawl.log").read_text(encoding="utf-8")
    assert max(len(line) for line in log.splitlines()) <= MAX_LOG_MESSAGE + 200


def test_no_log_message_carries_a_page() -> None:
    page = "<p>Le conseil municipal a voté le budget du tramway.</p>" * 20_000
    record = logging.LogRecord(
        "spiders", logging.WARNING, __file__, 1, "page refusée : %s", (page,), None
    )

    assert CappedMessages().filter(record)

    message = record.getMessage()
    assert len(message) < MAX_LOG_MESSAGE + 50
    assert message.startswith("page refusée : <p>Le conseil municipal")
    assert message.endswith(f"[{len(page) + 15 - MAX_LOG_MESSAGE} characters cut]")
