"""Nothing is lost: outages spool, rejections are retried, a bad document does not sink its
batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from traceur.config import Settings
from traceur.document import Document
from traceur.store import UpsertResult
from traceur.store.elasticsearch import ElasticsearchStore

from .conftest import duplicated_ids
from .corpus import corpus, revised
from .server import EsServer, free_port

pytestmark = pytest.mark.integration


def _state(store: ElasticsearchStore) -> dict[str, str]:
    """id → stored fingerprint, for every stored document."""
    store.refresh()
    from elasticsearch import helpers

    return {
        hit["_id"]: hit["_source"]["fingerprint"]
        for hit in helpers.scan(
            store.client, index=store.names.read_alias, source_includes=["fingerprint"]
        )
    }


def test_an_unreachable_cluster_spools_everything_and_the_next_run_sends_it(
    es_settings: Settings,
    make_settings: Callable[..., Settings],
    open_store: Callable[[Settings], ElasticsearchStore],
) -> None:
    documents = corpus(30)
    down = open_store(es_settings.replace(store=f"es+http://127.0.0.1:{free_port()}"))
    result = down.upsert(documents)
    assert result.spooled == [d.id for d in documents]
    assert result.new == result.updated == result.unchanged == [] and result.failed == {}
    assert down.spool.pending() == 30
    down.close()

    # The next run, cluster back: spooled documents go first, then the run's own.
    store = open_store(es_settings)
    store.setup()
    extra = corpus(31)[30]
    assert store.upsert([extra]).new == [extra.id]
    assert store.spool.pending() == 0
    store.refresh()
    assert store.count() == 31
    # Replaying again changes nothing.
    assert store.replay() == UpsertResult()
    assert sorted(store.upsert(documents).unchanged) == sorted(d.id for d in documents)


def test_stopping_elasticsearch_mid_run_spools_the_rest_and_replay_gives_the_clean_run_state(
    own_server: Callable[..., EsServer],
    make_settings: Callable[..., Settings],
    open_store: Callable[[Settings], ElasticsearchStore],
) -> None:
    server = own_server()
    settings = make_settings(store=f"es+{server.url}", es_index_prefix="fault", es_batch_size=50)
    originals = corpus(300)
    # Re-fetched pages after the stop: newer versions of documents stored before it, twice for some.
    stream = (
        originals
        + [revised(d) for d in originals[:40]]
        + [revised(d, "Correctif.") for d in originals[:10]]
    )

    store = open_store(settings)
    store.setup()

    def crawl() -> Iterator[Document]:
        for number, document in enumerate(stream):
            if number == 150:
                server.stop()
            yield document

    result = store.upsert(crawl())
    # The run completes: the first three batches are stored, everything after is spooled.
    assert result.new == [d.id for d in originals[:150]]
    assert set(result.spooled) == {d.id for d in stream[150:]}
    assert result.failed == {}
    assert store.spool.pending() == len({d.id for d in stream[150:]})
    store.close()

    server.start()
    after = open_store(settings.replace(store=f"es+{server.url}"))
    replayed = after.replay()
    assert after.spool.pending() == 0 and replayed.failed == {}
    assert duplicated_ids(after.client, after.names.read_alias) == {}

    clean = open_store(settings.replace(store=f"es+{server.url}", es_index_prefix="clean"))
    clean.setup()
    clean.upsert(stream)
    assert _state(after) == _state(clean)
    assert after.count() == clean.count() == 300
    # Idempotent: a second replay finds nothing to send.
    assert after.replay() == UpsertResult()


def test_write_rejections_are_retried_until_every_document_is_indexed_once(
    own_server: Callable[..., EsServer],
    make_settings: Callable[..., Settings],
    open_store: Callable[[Settings], ElasticsearchStore],
) -> None:
    # One write thread and a queue of one: concurrent bulk requests get real 429 answers.
    server = own_server({"thread_pool.write.size": 1, "thread_pool.write.queue_size": 1})
    settings = make_settings(store=f"es+{server.url}", es_index_prefix="busy", es_batch_size=40)
    store = open_store(settings)
    store.max_retries = 20
    store.setup()
    documents = corpus(800, paragraphs=4)
    slices = [documents[start : start + 100] for start in range(0, len(documents), 100)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(store.upsert, slices))
    total = UpsertResult()
    for result in results:
        total.merge(result)
    assert store.stats["retried_429"] > 0, "no rejection happened: the test did not test retries"
    assert total.spooled == [] and total.failed == {}
    assert sorted(total.new) == sorted(d.id for d in documents)
    store.refresh()
    assert store.count() == 800
    assert duplicated_ids(store.client, store.names.read_alias) == {}
    versions = {
        hit["_version"]
        for hit in store.client.search(index=store.names.read_alias, size=800, version=True)[
            "hits"
        ]["hits"]
    }
    # One version per document: the fetch time, written once.
    assert versions == {int(documents[0].fetched_at.timestamp())}  # type: ignore[union-attr]


def test_a_document_that_violates_the_mapping_is_reported_by_id_and_the_rest_is_indexed(
    es_store: ElasticsearchStore,
) -> None:
    documents = corpus(8)
    bad = dataclasses.replace(documents[3], position="troisième")  # type: ignore[arg-type]
    batch = documents[:3] + [bad] + documents[4:]
    result = es_store.upsert(batch)
    assert list(result.failed) == [bad.id]
    assert (
        "position" in result.failed[bad.id]
        and "document_parsing_exception" in result.failed[bad.id]
    )
    assert result.new == [d.id for d in batch if d is not bad]
    assert result.spooled == []
    es_store.refresh()
    assert es_store.count() == 7
    # Kept as a dead letter with its reason, not retried.
    [letter] = es_store.spool.dead_letters()
    assert letter.id == bad.id and "position" in letter.reason
    assert es_store.spool.pending() == 0


def test_a_write_blocked_index_spools_the_batch_and_replay_stores_it_once_unblocked(
    es_store: ElasticsearchStore,
) -> None:
    documents = corpus(12)
    es_store.upsert(documents[:2])
    write_index = es_store._write_index
    es_store.client.indices.put_settings(index=write_index, settings={"index.blocks.write": True})
    try:
        result = es_store.upsert(documents[2:])
    finally:
        es_store.client.indices.put_settings(
            index=write_index, settings={"index.blocks.write": False}
        )
    assert sorted(result.spooled) == sorted(d.id for d in documents[2:])
    assert result.failed == {}
    replayed = es_store.replay()
    assert sorted(replayed.new) == sorted(d.id for d in documents[2:])
    es_store.refresh()
    assert es_store.count() == 12


def test_spooling_keeps_only_the_latest_version_of_a_document(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    document = corpus(1)[0]
    down = open_store(es_settings.replace(store=f"es+http://127.0.0.1:{free_port()}"))
    down.upsert([document])
    down.upsert([revised(document)])
    assert down.spool.pending() == 1
    down.close()
    store = open_store(es_settings)
    store.setup()
    assert store.replay().new == [document.id]
    assert store.get(document.id) == revised(document)


def test_a_write_alias_removed_under_a_running_store_is_restored_and_nothing_is_lost(
    es_store: ElasticsearchStore,
) -> None:
    documents = corpus(150)
    es_store.upsert(documents[:50])
    es_store.client.indices.delete_alias(
        index=es_store._write_index or "", name=es_store.names.write_alias
    )
    result = es_store.upsert(documents[50:])
    # The first batch after the removal is refused (404) and spooled; the next one restores the
    # alias.
    assert sorted(result.spooled + result.new) == sorted(d.id for d in documents[50:])
    assert result.spooled and result.failed == {}
    es_store.upsert([])
    assert es_store.spool.pending() == 0
    es_store.refresh()
    assert es_store.count() == 150
