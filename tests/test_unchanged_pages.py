"""A site page the server answers 304 for is replayed from what it gave last time (its
links, whether it was kept, its reader comments), not read again; nothing is lost when
the store misses one of its documents or when the source's rule changed."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass
from traceur.store import open_store, sqlite_path

from .test_crawl import write_watchlist

pytestmark = pytest.mark.integration

HOST = "www.echo-des-collines.example"


def _source(match: str) -> str:
    return (
        f"  - {{id: echo, kind: site, url: 'http://{HOST}/', match: '{match}', "
        "every: 1h, limits: {max_depth: 1}}\n"
    )


def _stored_ids(settings: Settings) -> dict[str, str]:
    store = open_store(settings)
    try:
        return {doc.id: doc.kind for doc in store.iter_documents()}
    finally:
        store.close()


def _replayed(settings: Settings) -> list[int]:
    """The 'traceur/pages/replayed' figure of each pass, from the stats in the crawl log."""
    log = (settings.data_dir / "crawl.log").read_text(encoding="utf-8")
    return [int(n) for n in re.findall(r"'traceur/pages/replayed': (\d+)", log)]


def test_a_second_pass_of_304_pages_replays_them_and_follows_the_same_links(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(tmp_path, _source("/politique/2027/"))
    first = run_pass(settings, watchlist, quiet=True).sources["echo"]
    first_paths = sorted(r.path for r in sites_web.requested(HOST))
    stored = _stored_ids(settings)
    assert sorted(stored.values()).count("comment") == 7

    sites_web.clear_log()
    second = run_pass(settings, watchlist, quiet=True).sources["echo"]

    again = sites_web.requested(HOST)
    assert sorted(r.path for r in again) == first_paths
    # (The site links a few pages it does not have: 404 both times.)
    assert {r.status for r in again if r.path.startswith("/politique/")} == {304, 404}
    assert (first.new, second.new, second.updated) == (len(stored), 0, 0)
    # Every document of the replayed pages, comments included, is counted as unchanged.
    assert second.unchanged == len(stored)
    # Every page of the second pass came from its memo: none was parsed again.
    pages = len([r for r in again if r.status == 304 and r.path != "/robots.txt"])
    assert pages > 3 and _replayed(settings) == [pages]
    assert _stored_ids(settings) == stored


def test_a_comment_missing_from_the_store_makes_the_next_pass_read_its_page_again(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = write_watchlist(tmp_path, _source("/politique/2027/"))
    run_pass(settings, watchlist, quiet=True)
    stored = _stored_ids(settings)
    lost = next(ident for ident, kind in stored.items() if kind == "comment")
    with sqlite3.connect(sqlite_path(settings.store)) as db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(
            "DELETE FROM document_data WHERE rowid = (SELECT rowid FROM documents WHERE id = ?)",
            (lost,),
        )
        db.execute("DELETE FROM documents WHERE id = ?", (lost,))
    assert lost not in _stored_ids(settings)

    # The replay sees the comment is missing and forgets the page's memo ...
    run_pass(settings, watchlist, quiet=True)
    # ... so the pass after reads the page again (still a 304) and stores the comment.
    run_pass(settings, watchlist, quiet=True)

    assert _stored_ids(settings) == stored


def test_a_page_kept_under_a_new_match_is_stored_though_the_server_answers_304(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    # First only the 12 and 13 March articles are documents; the 14 March one is crawled
    # through (its memo says "not kept").
    narrow = write_watchlist(tmp_path, _source("/politique/2027/03/1[23]/"))
    run_pass(settings, narrow, quiet=True)
    before = _stored_ids(settings)
    assert sorted(before.values()).count("article") == 2

    wide = write_watchlist(tmp_path, _source("/politique/2027/"))
    sites_web.clear_log()
    run_pass(settings, wide, quiet=True)

    after = _stored_ids(settings)
    assert 200 not in {r.status for r in sites_web.requested(HOST)}
    assert sorted(after.values()).count("article") == 3
    assert set(before) < set(after)
