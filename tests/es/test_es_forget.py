"""``traceur forget --author`` on Elasticsearch: after a real crawl of the fixture forum and
blog into a real server, nothing of her is left in any index (nor in Lucene's segments:
the erasure expunges deleted documents), in any file of the data directory, or after a
second crawl."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from tests.forget_kit import (
    AUTHOR,
    SOURCES,
    TRACES,
    add_team_data,
    forget_cli,
    traces_in_files,
)
from tests.test_crawl import write_watchlist
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass
from traceur.privacy.pseudonyms import stored_author_forms
from traceur.store.elasticsearch import ElasticsearchStore

pytestmark = pytest.mark.integration


@pytest.fixture
def side_indices(es_client: Elasticsearch, index_prefix: str) -> Iterator[None]:
    # The shared fixture removes the document indices; triage and versions go here.
    yield
    es_client.options(ignore_status=404).indices.delete(
        index=f"{index_prefix}-triage,{index_prefix}-versions"
    )


def _traces_in_indices(client: Elasticsearch, prefix: str) -> list[str]:
    """Words of her texts in any document of any index of the prefix (sources read whole,
    not searched: a field that is not indexed would hide them from a query)."""
    indices = f"{prefix}-*"
    client.indices.refresh(index=indices)
    hits = client.search(index=indices, query={"match_all": {}}, size=1000)["hits"]["hits"]
    text = json.dumps([hit["_source"] for hit in hits], ensure_ascii=False).lower()
    return [word for word in TRACES if word in text]


def _deleted_in_segments(client: Elasticsearch, prefix: str) -> int:
    stats = client.indices.stats(index=f"{prefix}-*", metric="docs")
    return int(stats["_all"]["primaries"]["docs"]["deleted"])


def _pass(settings: Settings, watchlist: Path) -> dict[str, int]:
    summary = run_pass(settings, watchlist, quiet=True)
    assert not summary.errors()
    return {source: s.privacy_skipped for source, s in summary.sources.items()}


def test_forgetting_an_author_leaves_nothing_in_the_indices_the_segments_or_the_files(
    sites_web: LocalWeb,
    make_settings: Callable[..., Settings],
    es_url: str,
    es_client: Elasticsearch,
    index_prefix: str,
    side_indices: None,
    tmp_path: Path,
) -> None:
    settings = make_settings(sites_web, store=f"es+{es_url}", es_index_prefix=index_prefix)
    store = ElasticsearchStore.from_settings(settings)
    try:
        store.setup()
        watchlist = write_watchlist(tmp_path, SOURCES)
        assert _pass(settings, watchlist) == {"quais": 0, "carnets": 0}
        store.refresh()
        hers_as = stored_author_forms(AUTHOR, settings)
        hers = [d.id for d in store.iter_documents() if d.author in hers_as]
        assert len(hers) == 3
        add_team_data(store, settings)
    finally:
        store.close()
    assert _traces_in_indices(es_client, index_prefix)

    result = forget_cli(tmp_path, settings, "--author", AUTHOR, "--by", "dpo-campagne")

    assert result.exit_code == 0, result.output
    assert "documents (messages, commentaires, pages)           3" in result.output
    assert "versions antérieures                                1" in result.output
    assert "suivis de l'équipe                                  1" in result.output
    assert _traces_in_indices(es_client, index_prefix) == []
    # Deleted documents keep their _source in Lucene's segments until a merge expunges them.
    assert _deleted_in_segments(es_client, index_prefix) == 0
    assert traces_in_files(tmp_path) == []

    assert _pass(settings, watchlist) == {"quais": 2, "carnets": 1}
    assert _traces_in_indices(es_client, index_prefix) == []
    assert traces_in_files(tmp_path) == []
    store = ElasticsearchStore.from_settings(settings)
    try:
        store.refresh()
        left = list(store.iter_documents())
    finally:
        store.close()
    assert len(left) == 7 and not {d.id for d in left} & set(hers)
