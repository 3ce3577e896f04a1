"""What a run stored before it died is counted the same way in Elasticsearch as in SQLite:
documents written (new or changed) since a moment, to the millisecond."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from traceur.store import SearchQuery
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.sqlite import SqliteStore

from .corpus import corpus, revised

pytestmark = pytest.mark.integration


def test_stored_since_counts_new_and_changed_documents_like_sqlite(
    es_store: ElasticsearchStore,
) -> None:
    sqlite = SqliteStore(":memory:")
    documents = corpus(30)
    earlier, later = documents[:20], documents[20:]
    for store in (es_store, sqlite):
        store.upsert(earlier)
    time.sleep(0.01)  # the next writes' stamps are after the moment, to the millisecond
    moment = datetime.now(UTC)
    time.sleep(0.01)
    # Ten new documents, one changed, one unchanged.
    for store in (es_store, sqlite):
        store.upsert([*later, revised(earlier[0]), earlier[1]])
    es_store.refresh()

    since = SearchQuery(stored_since=moment)
    assert es_store.count(since) == sqlite.count(since) == 11
    source = earlier[0].source_id
    expected = sum(1 for d in [*later, earlier[0]] if d.source_id == source)
    by_source = SearchQuery(source_id=source, stored_since=moment)
    assert es_store.count(by_source) == sqlite.count(by_source) == expected
    sqlite.close()
