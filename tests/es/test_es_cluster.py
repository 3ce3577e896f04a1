"""The store against a real three-node cluster (tests/es/cluster.py): set-up sized from the
cluster, a node killed in the middle of a bulk run, the whole cluster down.

The cluster is started once for the module (about two minutes here: three JVMs on two
shared cores); the tests run in order and each leaves every node running.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from elasticsearch import Elasticsearch, helpers

from traceur.cli.context import CliContext
from traceur.cli.es import es
from traceur.config import Settings
from traceur.document import Document
from traceur.store.base import SearchQuery
from traceur.store.elasticsearch import ElasticsearchStore

from .cluster import ClusterNode, EsCluster
from .conftest import duplicated_ids
from .corpus import corpus

# The module fixture starts three JVMs (about two minutes here) within the first test.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

# Long enough that a killed node's replicas are not rebuilt elsewhere while the test looks
# (the cluster stays yellow until the node is back, as it would for a reboot in production).
NODE_LEFT_DELAY = "10m"


@pytest.fixture
def cluster_client(es_cluster: EsCluster) -> Iterator[Elasticsearch]:
    client = Elasticsearch(es_cluster.urls, request_timeout=60, max_retries=3)
    yield client
    client.close()


def _settings(
    es_cluster: EsCluster, make_settings: Callable[..., Settings], prefix: str
) -> Settings:
    return make_settings(store=es_cluster.store_url, es_index_prefix=prefix, es_batch_size=25)


def _keep_replicas_waiting(client: Elasticsearch, prefix: str) -> None:
    # The operator's own component template, which the index template composes last.
    client.cluster.put_component_template(
        name=f"{prefix}-docs@custom",
        template={"settings": {"index.unassigned.node_left.delayed_timeout": NODE_LEFT_DELAY}},
    )


def _stored_ids(client: Elasticsearch, alias: str) -> list[str]:
    """Every stored copy's id (a document stored twice appears twice)."""
    client.indices.refresh(index=alias)
    return [hit["_id"] for hit in helpers.scan(client, index=alias, source=False)]


def _primary_holder(client: Elasticsearch, index: str, cluster: EsCluster) -> ClusterNode:
    """A node that holds a primary shard of ``index`` and is not the elected master."""
    master = client.cat.master(format="json").body[0]["node"]
    shards = client.cat.shards(index=index, format="json", h="prirep,node").body
    holders = {row["node"] for row in shards if row["prirep"] == "p"}
    for node in cluster.nodes:
        if node.name in holders and node.name != master:
            return node
    raise AssertionError(f"no primary outside the master {master}: {shards}")


def _master(client: Elasticsearch, cluster: EsCluster) -> ClusterNode:
    master = client.cat.master(format="json").body[0]["node"]
    return next(node for node in cluster.nodes if node.name == master)


def _kill_during_the_next_bulk(
    store: ElasticsearchStore,
    victim: ClusterNode,
    armed: threading.Event,
    killed: threading.Event,
) -> None:
    """Once ``armed``, SIGKILL ``victim`` as the store's next bulk request leaves, whichever
    node it goes to: the node dies with a primary shard the bulk writes to (and the bulk
    itself when it coordinates it).

    The client's connections are wrapped, not replaced: requests still go to the real nodes."""

    def watch(send: Callable[..., Any]) -> Callable[..., Any]:
        def perform_request(method: str, target: str, *args: Any, **kwargs: Any) -> Any:
            if armed.is_set() and not killed.is_set() and target.endswith("/_bulk"):
                killed.set()
                threading.Thread(target=victim.kill).start()
            return send(method, target, *args, **kwargs)

        return perform_request

    for node in store.client.transport.node_pool.all():
        node.perform_request = watch(node.perform_request)  # type: ignore[method-assign]


def test_setup_on_three_nodes_spreads_three_primaries_with_a_replica_each_over_the_nodes(
    es_cluster: EsCluster,
    cluster_client: Elasticsearch,
    make_settings: Callable[..., Settings],
) -> None:
    settings = _settings(es_cluster, make_settings, "grappe-mise-en-place")
    done = CliRunner().invoke(es, ["setup"], obj=CliContext(_settings=settings))
    assert done.exit_code == 0, done.output
    assert (
        "3 data node(s): 3 primary shard(s) per new monthly index, 1 replica(s) on every index"
        in done.output
    )
    index = next(iter(cluster_client.indices.get(index="grappe-mise-en-place-docs-*").body))
    found = cluster_client.indices.get_settings(index=index).body[index]["settings"]["index"]
    assert (found["number_of_shards"], found["number_of_replicas"]) == ("3", "1")
    health = cluster_client.cluster.health(
        index="grappe-mise-en-place-*", wait_for_status="green", timeout="60s"
    )
    assert health["status"] == "green" and health["active_shards"] == 3 * 2 + 2 * 2
    # Spread: every node holds copies of the month's shards.
    shards = cluster_client.cat.shards(index=index, format="json", h="prirep,node").body
    assert {row["node"] for row in shards} == {node.name for node in es_cluster.nodes}


@pytest.mark.parametrize("role", ["primary", "master"])
def test_a_node_killed_mid_bulk_loses_nothing_and_duplicates_nothing_once_it_is_back(
    role: str,
    es_cluster: EsCluster,
    cluster_client: Elasticsearch,
    make_settings: Callable[..., Settings],
    open_store: Callable[[Settings], ElasticsearchStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    prefix = f"grappe-panne-{role}"
    _keep_replicas_waiting(cluster_client, prefix)
    settings = _settings(es_cluster, make_settings, prefix)
    store = open_store(settings)
    report = store.setup()
    # A data node holding a primary the run writes to; or the elected master, whose loss
    # also stops shard moves and index changes until the other two elect a new one.
    victim = (
        _primary_holder(cluster_client, report["write_index"], es_cluster)
        if role == "primary"
        else _master(cluster_client, es_cluster)
    )
    documents = corpus(600, seed=15)
    armed, killed = threading.Event(), threading.Event()
    _kill_during_the_next_bulk(store, victim, armed, killed)

    def crawl() -> Iterator[Document]:
        for number, document in enumerate(documents):
            if number == 200:
                armed.set()
            yield document

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="elastic_transport"):
        result = store.upsert(crawl())
    elapsed = time.monotonic() - started
    assert killed.is_set()
    for _ in range(100):
        if victim.process is None:
            break
        time.sleep(0.1)
    assert victim.process is None
    # The run completes: every document is stored or kept for a replay, none refused.
    assert result.failed == {}
    assert set(result.new) | set(result.spooled) == {d.id for d in documents}
    # The client found the node gone and went on with the others.
    failures = [r.getMessage() for r in caplog.records if "has failed" in r.getMessage()]
    assert any(f":{victim.http_port}" in message for message in failures), failures
    resent = sum("Retrying request after failure" in r.getMessage() for r in caplog.records)
    print(
        f"\n{role} node {victim.name} killed during a bulk request: 600 documents in"
        f" {elapsed:.1f}s, {len(result.new)} stored, {len(result.spooled)} spooled,"
        f" {resent} request(s) sent again to another node, writer stats {dict(store.stats)}"
    )

    # Node down: yellow (its shards' copies wait for it), and searches go on over the copies
    # left, finding everything stored so far.
    health = es_cluster.health(2, "yellow", 60)
    assert (health["number_of_nodes"], health["status"]) == (2, "yellow")
    store.refresh()
    assert store.count() == len(set(result.new))
    assert len(store.search(SearchQuery(limit=10))) == 10

    es_cluster.start_node(victim)
    assert es_cluster.health(3, "green", 120)["status"] == "green"

    # The next run sends what was spooled first.
    after = open_store(settings)
    replayed = after.replay()
    assert replayed.failed == {} and after.spool.pending() == 0
    stored = _stored_ids(cluster_client, after.names.read_alias)
    assert len(stored) == 600
    assert set(stored) == {d.id for d in documents}
    assert duplicated_ids(cluster_client, after.names.read_alias) == {}
    # Written again, nothing changes: the documents stored are the ones sent.
    again = after.upsert(documents)
    assert sorted(again.unchanged) == sorted(d.id for d in documents)


def test_a_run_while_the_whole_cluster_is_down_spools_everything_and_replays_after(
    es_cluster: EsCluster,
    cluster_client: Elasticsearch,
    make_settings: Callable[..., Settings],
    open_store: Callable[[Settings], ElasticsearchStore],
) -> None:
    settings = _settings(es_cluster, make_settings, "grappe-arret")
    open_store(settings).setup()
    documents = corpus(120, seed=23)

    for node in es_cluster.nodes:
        node.kill()
    down = open_store(settings)
    started = time.monotonic()
    result = down.upsert(documents)
    assert result.spooled == [d.id for d in documents]
    assert result.new == [] and result.failed == {}
    assert down.spool.pending() == 120
    # Not a connection timeout per batch: after the first failure, batches go straight to
    # the spool.
    assert time.monotonic() - started < 30
    down.close()

    es_cluster.start()
    assert es_cluster.health(3, "green", 120)["status"] == "green"
    back = open_store(settings)
    # The next run's own document goes after the spooled ones.
    late = corpus(121, seed=23)[120]
    assert back.upsert([late]).new == [late.id]
    assert back.spool.pending() == 0
    stored = _stored_ids(cluster_client, back.names.read_alias)
    assert sorted(stored) == sorted(d.id for d in [*documents, late])
    assert duplicated_ids(cluster_client, back.names.read_alias) == {}
