"""A search past Elasticsearch's clause limit (maxClauseCount) is a one-line store error
with the column of the prefix that expanded too far, and the fix, on a real server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from traceur.document import Document, content_hash, document_id
from traceur.errors import StoreError
from traceur.store import SearchQuery
from traceur.store.elasticsearch import ElasticsearchStore

pytestmark = pytest.mark.integration

URL = "https://www.courrier-de-la-vallee.example/bureaux-de-vote.html"


def _registry_page() -> Document:
    # A page listing thousands of polling-station codes ("bureau0001"...): one indexed word
    # each, all starting with "bureau".
    codes = " ".join(f"bureau{number:05d}" for number in range(30_000))
    text = f"Liste des bureaux de vote du tramway et des quartiers : {codes}."
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    return Document(
        id=document_id(URL),
        url=URL,
        canonical_url=URL,
        domain="www.courrier-de-la-vallee.example",
        kind="article",
        source_id="courrier",
        title="Les bureaux de vote de Val-sur-Loire",
        text=text,
        published_at=now,
        fetched_at=now,
        content_hash=content_hash("", text),
    )


def test_a_prefix_past_the_clause_limit_is_refused_with_its_column_and_the_fix(
    es_store: ElasticsearchStore,
) -> None:
    es_store.upsert([_registry_page()])
    es_store.client.indices.refresh(index=es_store.names.read_alias)

    with pytest.raises(StoreError) as caught:
        es_store.search(SearchQuery("tramway NEAR/5 bur*"))

    assert str(caught.value) == (
        "cannot run the search 'tramway NEAR/5 bur*': column 16: the prefix bur* matches"
        " more words than Elasticsearch takes in one query (its maxClauseCount);"
        " lengthen the prefix, or write whole words"
    )
    # Whole words and a plain prefix (not inside NEAR) are not expanded into clauses.
    assert [hit.document.url for hit in es_store.search(SearchQuery("bureau00042"))] == [URL]
    assert [hit.document.url for hit in es_store.search(SearchQuery("bur* tramway"))] == [URL]
