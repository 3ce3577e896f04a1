"""``traceur purge`` with a work queue trims the crawl state the workers share in Redis by
the periods it applies to ``state.db``: revisions of purged documents and earlier ones
past ``versions``, feed entries seen before the longest document period; walking Redis
with ``SCAN`` (never ``KEYS``), counted in the report and in ``--dry-run``.

Redis is Debian's ``redis-server``, started on loopback by the test."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import isolated_settings
from tests.redisserver import RedisServer
from tests.test_retention import DOCS, fill
from traceur.cli.app import main
from traceur.config import Settings
from traceur.orchestra.queue.connection import connect, key
from traceur.orchestra.queue.crawlstate import RedisCrawlState
from traceur.orchestra.state import PageMemo
from traceur.privacy.purge import purge

pytestmark = pytest.mark.timeout(120)

DAY = 86400
FEED = "https://www.gazette-du-bocage.example/flux/politique.xml"
PAGE = "https://www.gazette-du-bocage.example/rubrique/conseil-municipal.html"
# More sources than one SCAN step asks for (500 keys), so the purge walks several.
MANY_SOURCES = 1200


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield isolated_settings(tmp_path, queue=server.url)
    server.stop()


def _old_revision(client: Any, doc_id: str, days: int, title: str) -> None:
    """A revision recorded ``days`` ago, as ``record_revision`` would have written it then
    (the clock cannot be turned back for the real call)."""
    moment = datetime.now(UTC) - timedelta(days=days)
    revision = {
        "recorded_at": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "content_hash": f"ancien-{days}",
        "title": title,
        "text_length": 812,
    }
    client.rpush(key("state", "revisions", doc_id), json.dumps(revision, ensure_ascii=False))


def _fill_shared_state(settings: Settings) -> None:
    client = connect(settings)
    state = RedisCrawlState(connect(settings))
    try:
        purged = DOCS["vieux-message"]  # a forum post past six months: the purge removes it
        state.record_revision(purged.id, "h1", purged.title, len(purged.text))
        edited = DOCS["article-recent"]  # kept; edited 40 days ago, then again today
        _old_revision(client, edited.id, 40, "Municipales : la liste « Bocage d’abord » déposée")
        state.record_revision(edited.id, "h2", edited.title, len(edited.text))
        fresh = DOCS["billet-recent"]  # edited 10 days ago: within ``versions`` (30 days)
        _old_revision(client, fresh.id, 10, "Conseil municipal : le budget voté à l’unanimité")
        state.record_revision(fresh.id, "h3", fresh.title, len(fresh.text))
        state.mark_seen("gazette", FEED + "#aujourd-hui")
        # Entries first seen 25 months ago (past the longest document period, two years
        # for articles: none of what they stood for can still be in the store), one per
        # source; one seen a year ago still guards a feed's articles.
        long_ago = time.time() - 25 * 31 * DAY
        a_year_ago = {FEED + "#il-y-a-un-an": time.time() - 365 * DAY}
        client.zadd(key("state", "seen", "gazette"), a_year_ago)
        with client.pipeline(transaction=False) as pipeline:
            for number in range(MANY_SOURCES):
                name = key("state", "seen", f"source-{number}")
                pipeline.zadd(name, {f"{FEED}#billet-{number}": long_ago})
            pipeline.execute()
        # Memos stay, as in state.db: without one, a page answered 304 would be read again
        # from the cache and its purged documents come back.
        state.record_page_memo("gazette", PAGE, PageMemo("article", False, (FEED,), ()))
    finally:
        state.close()
        client.close()


def test_purge_trims_the_redis_crawl_state_by_the_periods_of_state_db_in_scan_batches(
    settings: Settings,
) -> None:
    _fill_shared_state(settings)
    client = connect(settings)
    client.config_resetstat()
    store = fill(settings)
    try:
        dry = purge(settings, store, dry_run=True)
        assert client.zcard(key("state", "seen", "source-7")) == 1  # nothing deleted yet
        report = purge(settings, store)
        again = purge(settings, store)
    finally:
        store.close()
    for counted in (dry, report):
        # The purged post's revision and the edited article's earlier one.
        assert counted.revisions == 2
        assert counted.seen_entries == MANY_SOURCES
        assert counted.shared_state
    assert (again.revisions, again.seen_entries) == (0, 0)
    state = RedisCrawlState(connect(settings))
    try:
        assert state.revisions(DOCS["vieux-message"].id) == []
        assert [r.content_hash for r in state.revisions(DOCS["article-recent"].id)] == ["h2"]
        assert [r.content_hash for r in state.revisions(DOCS["billet-recent"].id)] == [
            "ancien-10",
            "h3",
        ]
        assert state.unseen(
            "gazette", [FEED + "#aujourd-hui", FEED + "#il-y-a-un-an", FEED + "#demain"]
        ) == [FEED + "#demain"]
        assert state.count("source-7") == 0
        assert state.page_memo("gazette", PAGE) == PageMemo("article", False, (FEED,), ())
        assert state.unseen("source-7", [f"{FEED}#billet-7"]) == [f"{FEED}#billet-7"]
    finally:
        state.close()
    commands = client.info("commandstats")
    client.close()
    assert "cmdstat_keys" not in commands  # KEYS would block every worker on a big Redis
    assert commands["cmdstat_scan"]["calls"] > 3  # several batches per pass over the keys


def test_traceur_purge_dry_run_counts_the_shared_crawl_state_and_deletes_nothing(
    settings: Settings,
) -> None:
    _fill_shared_state(settings)
    fill(settings).close()
    result = CliRunner().invoke(main, ["purge", "--dry-run"], env=settings.to_env())
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("révisions (state.db, Redis)" in line and line.endswith(" 2") for line in lines)
    assert any(
        "entrées de flux déjà vues (state.db, Redis)" in line and line.endswith(f" {MANY_SOURCES}")
        for line in lines
    )
    assert f"{MANY_SOURCES} seen feed entries (in the queue's Redis too)" in result.output
    client = connect(settings)
    try:
        assert client.zcard(key("state", "seen", "source-0")) == 1
        assert client.llen(key("state", "revisions", DOCS["vieux-message"].id)) == 1
    finally:
        client.close()


def test_seen_entries_left_as_a_plain_set_by_an_earlier_version_go_on_working(
    settings: Settings,
) -> None:
    client = connect(settings)
    legacy = key("state", "seen", "gazette")
    client.sadd(legacy, FEED + "#ancien-1", FEED + "#ancien-2")
    store = fill(settings)
    try:
        dry = purge(settings, store, dry_run=True)
        assert client.type(legacy) == "set"  # a dry run changes nothing
        report = purge(settings, store)
    finally:
        store.close()
    # Their dates were never kept: they count from now, so none goes yet.
    assert dry.seen_entries == report.seen_entries == 0
    assert client.type(legacy) == "zset"
    client.sadd(key("state", "seen", "quotidien"), FEED + "#ancien-3")
    state = RedisCrawlState(connect(settings))
    try:
        assert state.unseen("quotidien", [FEED + "#ancien-3", FEED + "#neuf"]) == [FEED + "#neuf"]
        state.mark_seen("quotidien", FEED + "#neuf")
        assert state.count("quotidien") == 2 and state.count("gazette") == 2
    finally:
        state.close()
        client.close()


def test_forgetting_a_page_removes_its_seen_entries_whether_sorted_or_left_as_a_set(
    settings: Settings,
) -> None:
    from traceur.privacy.forget import ForgetTarget, forget

    page = "https://www.gazette-du-bocage.example/2026/11/reunion-publique-du-conseil.html"
    client = connect(settings)
    state = RedisCrawlState(connect(settings))
    try:
        state.mark_seen("gazette", page)
        state.mark_seen("gazette", FEED + "#autre-billet")
        client.sadd(key("state", "seen", "ancienne-source"), page, FEED + "#reste")
        fill(settings).close()
        dry = forget(settings, ForgetTarget("url", page), by="dpo", dry_run=True)
        report = forget(settings, ForgetTarget("url", page), by="dpo", dry_run=False)
        assert dry.removed["crawl_state"] == report.removed["crawl_state"] == 2
        assert state.unseen("gazette", [page, FEED + "#autre-billet"]) == [page]
        assert client.smembers(key("state", "seen", "ancienne-source")) == {FEED + "#reste"}
    finally:
        state.close()
        client.close()
