"""Elasticsearch fixtures: one real server for the whole session, an isolated index prefix per test.

The session server (``es_url``, ``es_client``) is in ``tests/conftest.py``, shared with the
web app's tests: the one ``tests/es/server.py`` fetches, unpacks and starts (about 15
seconds the first time in a session). ``TRACEUR_TEST_ES_URL=http://host:9200`` points the
tests at a running cluster instead; the tests that stop or reconfigure a server then start
their own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from traceur.config import Settings
from traceur.store.elasticsearch import ElasticsearchStore

from .cluster import EsCluster, start_cluster
from .server import EsServer, start_server


def _cleanup(client: Elasticsearch, prefix: str) -> None:
    client.options(ignore_status=404).indices.delete(
        index=f"{prefix}-docs-*", expand_wildcards="all"
    )
    client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-docs")
    for suffix in ("settings", "mappings", "custom"):
        client.options(ignore_status=404).cluster.delete_component_template(
            name=f"{prefix}-docs@{suffix}"
        )


@pytest.fixture
def index_prefix(request: pytest.FixtureRequest, es_client: Elasticsearch) -> Iterator[str]:
    """A prefix of its own for each test, named after it, removed afterwards."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]
    prefix = f"{name}-{uuid.uuid4().hex[:6]}"
    yield prefix
    _cleanup(es_client, prefix)


@pytest.fixture
def es_settings(es_url: str, index_prefix: str, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(store=f"es+{es_url}", es_index_prefix=index_prefix, es_batch_size=50)


def quick(store: ElasticsearchStore) -> ElasticsearchStore:
    """Short waits between retries, so fault tests stay fast."""
    store.initial_backoff = 0.05
    store.max_backoff = 1.0
    return store


@pytest.fixture
def open_store() -> Iterator[Callable[[Settings], ElasticsearchStore]]:
    """Opens stores from settings and closes them after the test."""
    opened: list[ElasticsearchStore] = []

    def build(settings: Settings) -> ElasticsearchStore:
        store = quick(ElasticsearchStore.from_settings(settings))
        opened.append(store)
        return store

    yield build
    for store in opened:
        store.close()


@pytest.fixture
def es_store(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> ElasticsearchStore:
    """A set-up store on the session server."""
    store = open_store(es_settings)
    store.setup()
    return store


@pytest.fixture
def own_server() -> Iterator[Callable[..., EsServer]]:
    """Servers of a test's own (to stop, restart or configure them); destroyed afterwards."""
    servers: list[EsServer] = []

    def build(extra_settings: dict[str, Any] | None = None) -> EsServer:
        server = start_server(extra_settings)
        servers.append(server)
        return server

    yield build
    for server in servers:
        server.destroy()


def duplicated_ids(client: Elasticsearch, index: str) -> dict[str, int]:
    """Ids stored more than once under ``index`` (an alias over several indices)."""
    client.indices.refresh(index=index)
    found = client.search(
        index=index,
        size=0,
        aggs={"ids": {"terms": {"field": "id", "min_doc_count": 2, "size": 100}}},
    )
    return {
        bucket["key"]: bucket["doc_count"] for bucket in found["aggregations"]["ids"]["buckets"]
    }


@pytest.fixture(scope="module")
def es_cluster() -> Iterator[EsCluster]:
    """A three-node cluster of the module's own (see tests/es/cluster.py), always started
    here, even with TRACEUR_TEST_ES_URL: its tests kill and restart nodes."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.destroy()
