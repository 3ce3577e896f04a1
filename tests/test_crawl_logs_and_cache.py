"""What a pass leaves in the operator's log, and how the HTTP cache behaves across passes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_crawl import HOST, paths, write_watchlist
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.launch import launch_crawl

pytestmark = pytest.mark.integration

SITE_SOURCE = (
    f"  - id: actu-site\n    kind: site\n    url: 'http://{HOST}/articles/'\n    every: 1h\n"
    "    match: '/articles/[^/]+[.]html$'\n    limits: {max_pages: 20, max_depth: 2}\n"
)
# Words of the fixture pages' bodies: none may reach a log.
PAGE_WORDS = ("<html", "<p>", "Nadia Belkacem", "conseil municipal s'est tenu")


def _pass(settings: Settings, watchlist: Path) -> str:
    with launch_crawl(settings, watchlist, quiet=True) as crawl:
        assert crawl.wait(timeout=120) == 0
        return crawl.stderr_tail(1_000_000)


def test_a_second_pass_over_unchanged_pages_logs_addresses_never_page_content(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web, log_level="info")
    watchlist = write_watchlist(tmp_path, SITE_SOURCE)
    _pass(settings, watchlist)
    terminal = _pass(settings, watchlist)

    log_file = (settings.data_dir / "crawl.log").read_text(encoding="utf-8")
    assert "unchanged" in terminal  # the progress line counts them
    for text in (terminal, log_file):
        assert not [word for word in PAGE_WORDS if word in text]
        assert "PageItem(" not in text


def test_a_damaged_cache_entry_is_fetched_again_without_validators(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(tmp_path, SITE_SOURCE)
    _pass(settings, watchlist)
    entries = sorted((settings.data_dir / "httpcache").rglob("*.z"))
    assert entries, "the first pass kept the pages it fetched"
    for entry in entries:
        entry.write_bytes(b"not zlib at all")

    sites_web.clear_log()
    _pass(settings, watchlist)
    articles = [r for r in sites_web.requested(HOST) if r.path.startswith("/articles/")]
    assert articles and all("If-None-Match" not in r.headers for r in articles)
    assert all(r.status == 200 for r in articles)

    sites_web.clear_log()
    _pass(settings, watchlist)
    again = [r for r in sites_web.requested(HOST) if r.path.startswith("/articles/")]
    assert {r.status for r in again} == {304}
    assert paths(sites_web)


def test_an_all_304_pass_rewrites_no_cache_entry(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(tmp_path, SITE_SOURCE)
    _pass(settings, watchlist)
    entries = {
        path: path.stat().st_mtime_ns for path in (settings.data_dir / "httpcache").rglob("*.z")
    }

    sites_web.clear_log()
    _pass(settings, watchlist)
    assert {r.status for r in sites_web.requested(HOST) if r.path.startswith("/articles/")} == {304}
    assert {path: path.stat().st_mtime_ns for path in entries} == entries
