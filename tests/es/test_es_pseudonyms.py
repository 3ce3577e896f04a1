"""Pseudonymised authors on the real Elasticsearch: a forum crawled into it holds no
member's name, and the name typed in a search finds the same posts there as in SQLite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_crawl import write_watchlist
from traceur.cli.app import main
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass
from traceur.privacy.pseudonyms import display_author, is_pseudonym, stored_author_forms
from traceur.store import SearchQuery
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.sqlite import SqliteStore

pytestmark = pytest.mark.integration

FORUM = "http://forum.phpbb-val.example/viewforum-12.html"
MEMBERS = ("Gégé45", "Nath_Rives")


def test_a_crawled_forum_is_found_by_member_name_alike_on_elasticsearch_and_sqlite(
    sites_web: LocalWeb,
    es_settings: Settings,
    open_store: Callable[[Settings], ElasticsearchStore],
    tmp_path: Path,
) -> None:
    settings = es_settings.replace(http_proxy=sites_web.proxy_url, proxy_enforces_policy=True)
    open_store(settings).setup()
    source = (
        f"  - {{id: phpbb, kind: forum, url: '{FORUM}', every: 1h,"
        " limits: {max_pages: 30, max_depth: 2}}\n"
    )
    summary = run_pass(settings, write_watchlist(tmp_path, source), quiet=True)
    assert summary.total("new") >= 10

    es = open_store(settings)
    es.refresh()
    documents = list(es.iter_documents())
    assert documents and all(is_pseudonym(doc.author) for doc in documents if doc.author)
    assert not {doc.author for doc in documents} & set(MEMBERS)

    sqlite = SqliteStore(tmp_path / "copie.db")
    try:
        sqlite.upsert(documents)
        for member in MEMBERS:
            forms = tuple(stored_author_forms(member.upper(), settings))
            query = SearchQuery(limit=200, authors=forms)
            found_es = {hit.document.id for hit in es.search(query)}
            found_sqlite = {hit.document.id for hit in sqlite.search(query)}
            assert found_es, member
            assert found_es == found_sqlite, member
            assert es.count(query) == len(found_es)
            # Combined with words and a kind, as the web app's filters do.
            worded = SearchQuery(text="tramway", kind="forum_post", limit=200, authors=forms)
            assert {h.document.id for h in es.search(worded)} == {
                h.document.id for h in sqlite.search(worded)
            }
    finally:
        sqlite.close()

    result = CliRunner().invoke(
        main, ["search", "--author", MEMBERS[0], "--json", "--limit", "200"], env=settings.to_env()
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    shown = display_author(stored_author_forms(MEMBERS[0], settings)[1])
    assert lines and {line["author"] for line in lines} == {shown}
    assert MEMBERS[0] not in result.output
