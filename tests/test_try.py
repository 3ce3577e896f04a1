"""`traceur try URL`: what one page would give, fetched through the guard, nothing stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.test_crawl import HOST, write_watchlist
from traceur.cli import main
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb

pytestmark = pytest.mark.integration

FORUM = "forum.phpbb-val.example"


def _try(settings: Settings, watchlist: Path, *args: str) -> Result:
    env = {**settings.to_env(), "TRACEUR_WATCHLIST": str(watchlist)}
    return CliRunner().invoke(main, ["try", *args], env=env)


@pytest.fixture
def watchlist(tmp_path: Path) -> Path:
    return write_watchlist(tmp_path, "")


def test_try_an_article_prints_its_type_author_paris_date_and_mentions_by_name(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    settings = make_settings(sites_web)
    result = _try(settings, watchlist, f"http://{HOST}/articles/conseil-municipal-houleux.html")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("type: article")
    assert "documents: 1" in lines
    assert "by Nadia Belkacem" in result.stdout
    # Published 18:40 UTC on 5 November: 19:40 in Paris, winter time.
    assert "2026-11-05 19:40 CET (18:40 UTC)" in result.stdout
    assert "mentions: Claire Martin (" in result.stdout
    assert "note: the article's date comes from the page's metadata" in lines
    assert not (settings.data_dir / "httpcache").exists()
    assert not Path(settings.store.removeprefix("sqlite:///")).exists()


def test_try_a_forum_thread_gives_each_post_with_its_engine_author_and_position(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    result = _try(
        make_settings(sites_web), watchlist, "--json", f"http://{FORUM}/viewtopic-1905.html"
    )

    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert (page["type"], page["engine"]) == ("forum thread", "phpbb")
    posts = page["documents"]
    assert [post["position"] for post in posts] == [1, 2, 3, 4, 5]
    assert posts[0]["author"] == "Gégé45"
    assert posts[0]["published_at"].startswith("2026-11-17T21:14")
    assert all(post["kind"] == "forum_post" for post in posts)


def test_try_a_forum_board_says_it_lists_threads_and_gives_no_document(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    result = _try(make_settings(sites_web), watchlist, f"http://{FORUM}/viewforum-12.html")

    assert result.exit_code == 0, result.output
    assert "type: forum board — engine: phpbb (lists 3 threads" in result.stdout
    assert "documents: 0" in result.stdout


def test_try_reports_robots_forbidden_network_and_error_pages_without_failing(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    result = _try(
        make_settings(sites_web),
        watchlist,
        f"http://{HOST}/prive/notes.html",
        "http://10.20.30.40/intranet/",
        f"http://{HOST}/articles/page-qui-n-existe-pas.html",
    )

    assert result.exit_code == 0, result.output
    assert "type: not fetched (robots:" in result.stdout
    assert "type: not fetched (forbidden_network:" in result.stdout
    assert "type: error page (the server answered 404)" in result.stdout
    assert not [r for r in sites_web.requested(HOST) if r.path.startswith("/prive/")]


def test_try_a_blog_home_says_it_is_a_listing_a_crawl_goes_through_without_keeping(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    result = _try(make_settings(sites_web), watchlist, "http://blog.dotclear-brenne.example/")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("type: listing (")
    assert "teasers linking to leaf pages" in result.stdout
    assert "documents: 0" in result.stdout


def test_try_an_api_forum_names_its_engine_and_the_json_a_crawl_reads(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    result = _try(make_settings(sites_web), watchlist, "http://agora.nodebb-touraine.example/")

    assert result.exit_code == 0, result.output
    assert "type: forum — engine: nodebb" in result.stdout
    assert "http://agora.nodebb-touraine.example/api/categories" in result.stdout


def test_try_a_thread_of_an_engine_without_rules_finds_its_dated_posts(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    thread = "la-passerelle-de-l-ile-sera-t-elle-reconstruite-avant-l-ete"
    result = _try(
        make_settings(sites_web),
        watchlist,
        "--json",
        f"http://forum.riverains-vienne.example/discussion/342/{thread}/",
    )

    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert (page["type"], page["engine"]) == ("forum thread", "generic")
    assert len(page["documents"]) == 5
    assert all(post["author"] and post["published_at"] for post in page["documents"])
