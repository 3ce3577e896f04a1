"""The story-cluster index shared through the work queue's Redis: it gives the same
clusters as the SQLite index of one data directory, and two workers on two machines
(two clients, two data directories) cluster a reprinted wire story once.

Redis is Debian's ``redis-server``, started on loopback by the test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.redisserver import RedisServer
from tests.test_clusters import REPUBLISHED, SAME_SUBJECT, STORY, doc
from traceur.config import Settings, default_settings
from traceur.document import Document
from traceur.enrich.clusters import ClusterIndex, ClusterSize, first_seen_order
from traceur.enrich.evaluate import DEFAULT_DIR, read_corpus
from traceur.orchestra.queue.clusters import RedisClusterIndex, open_cluster_index
from traceur.orchestra.queue.connection import connect

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server.url
    server.stop()


def shared_index(url: str, data_dir: Path) -> RedisClusterIndex:
    index = open_cluster_index(default_settings().replace(queue=url, data_dir=data_dir))
    assert isinstance(index, RedisClusterIndex)
    return index


def evaluation_documents() -> list[Document]:
    """The labelled evaluation corpus: copies, rewrites, quotes in forum posts, same-subject
    stories that are not copies, and short texts never clustered."""
    documents = []
    for page in read_corpus(DEFAULT_DIR):
        url = f"https://{page.site}/{page.id}"
        documents.append(
            Document(
                id=page.id,
                url=url,
                canonical_url=url,
                domain=page.site,
                kind=page.kind,
                source_id=page.site,
                title=page.title,
                text=page.text,
            )
        )
    return documents


def test_redis_index_gives_the_sqlite_index_assignments_on_the_evaluation_corpus(
    tmp_path: Path, redis_url: str
) -> None:
    documents = first_seen_order(evaluation_documents())
    sqlite = ClusterIndex(tmp_path / "clusters.db")
    redis_index = shared_index(redis_url, tmp_path)
    try:
        local = {d.id: sqlite.assign(d) for d in documents}
        shared = {d.id: redis_index.assign(d) for d in documents}
        # Seen again (a second pass): every document keeps its cluster in both.
        again = {d.id: redis_index.assign(d) for d in documents}
        clusters = sorted(set(local.values()))
        local_sizes, shared_sizes = sqlite.sizes(clusters), redis_index.sizes(clusters)
    finally:
        sqlite.close()
        redis_index.close()

    assert len(documents) >= 40
    assert len(set(local.values())) < len(documents)  # some stories were grouped
    assert shared == local
    assert again == local
    assert shared_sizes == local_sizes


def test_a_wire_story_reprinted_on_two_machines_gets_one_cluster(
    tmp_path: Path, redis_url: str
) -> None:
    # Two workers, each with its own data directory and Redis client.
    first = shared_index(redis_url, tmp_path / "machine-1")
    second = shared_index(redis_url, tmp_path / "machine-2")
    try:
        head = first.assign(doc("bus-express", STORY, domain="www.gazette-brenne.example"))
        reprint = second.assign(doc("ligne-bus", REPUBLISHED, domain="www.echo-vignes.example"))
        other = second.assign(doc("manif-gare", SAME_SUBJECT, domain="www.echo-vignes.example"))
        sizes = first.sizes([head])
    finally:
        first.close()
        second.close()

    assert head == "bus-express"
    assert reprint == head
    assert other == "manif-gare"
    assert sizes == {head: ClusterSize(documents=2, sites=2)}
    assert not (tmp_path / "machine-1" / ClusterIndex.FILE_NAME).exists()


def test_copies_assigned_at_once_by_two_workers_head_one_cluster(
    tmp_path: Path, redis_url: str
) -> None:
    indexes = [shared_index(redis_url, tmp_path / f"machine-{n}") for n in range(2)]
    copies = [
        doc(f"copie-{n}", STORY.replace("jeudi soir", f"jeudi ({n})"), f"site{n}.example")
        for n in range(8)
    ]
    found: dict[str, str] = {}

    def work(index: RedisClusterIndex, share: list[Document]) -> None:
        for document in share:
            found[document.id] = index.assign(document)

    threads = [threading.Thread(target=work, args=(indexes[n], copies[n::2])) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for index in indexes:
        index.close()

    assert len(found) == 8
    assert len(set(found.values())) == 1


def test_forgetting_documents_and_old_sketches_matches_the_sqlite_index(
    tmp_path: Path, redis_url: str
) -> None:
    sqlite = ClusterIndex(":memory:")
    redis_index = shared_index(redis_url, tmp_path)
    both = (sqlite, redis_index)
    try:
        for index in both:
            index.assign(doc("bus-express", STORY, domain="www.gazette-brenne.example"))
            index.assign(doc("ligne-bus", REPUBLISHED, domain="www.echo-vignes.example"))
        dry = [index.forget_documents(["ligne-bus", "inconnu"], dry_run=True) for index in both]
        gone = [index.forget_documents(["ligne-bus", "inconnu"]) for index in both]
        sizes = [index.sizes(["bus-express"]) for index in both]
        # Sketches of documents first seen "more than no time ago": all of them.
        dropped = [index.forget_signatures(timedelta(0)) for index in both]
        # Without a sketch the head is no longer a candidate: a new copy heads its own.
        late = [
            index.assign(doc("reprise", REPUBLISHED, domain="www.autre.example")) for index in both
        ]
        kept = [index.cluster_of("bus-express") for index in both]
        redis_index.clear()
        cleared = redis_index.cluster_of("bus-express")
    finally:
        sqlite.close()
        redis_index.close()

    assert dry == [1, 1] and gone == [1, 1]
    assert sizes[0] == sizes[1] == {"bus-express": ClusterSize(1, 1)}
    assert dropped == [1, 1]
    assert late == ["reprise", "reprise"]
    assert kept == ["bus-express", "bus-express"]
    assert cleared is None


def test_without_a_queue_the_index_is_the_data_directory_file(tmp_path: Path) -> None:
    index = open_cluster_index(default_settings().replace(queue=None, data_dir=tmp_path))
    try:
        index.assign(doc("bus-express", STORY))
    finally:
        index.close()

    assert isinstance(index, ClusterIndex)
    assert (tmp_path / ClusterIndex.FILE_NAME).is_file()


def test_a_redis_that_is_down_is_a_store_error_saying_what_to_check(
    tmp_path: Path, redis_url: str
) -> None:
    from traceur.errors import StoreError

    index = shared_index(redis_url, tmp_path)
    client = connect(default_settings().replace(queue=redis_url))
    client.shutdown(nosave=True)
    try:
        with pytest.raises(StoreError, match="check that Redis is up"):
            index.assign(doc("bus-express", STORY))
    finally:
        index.close()


def test_purge_with_a_queue_forgets_expired_documents_in_the_shared_index(
    make_settings: Callable[..., Settings], redis_url: str
) -> None:
    from tests.test_retention import DOCS, TEXTS, fill
    from traceur.privacy.purge import purge

    settings = make_settings(queue=redis_url)
    store = fill(settings)
    old, recent = DOCS["vieux-message"], DOCS["billet-recent"]
    long_text = " ".join([TEXTS["vieux-message"]] * 6)
    index = shared_index(redis_url, Path(settings.data_dir))
    for document in (old, recent):
        index.assign(Document.from_dict({**document.to_dict(), "text": long_text}))
    try:
        report = purge(settings, store)
        kept = index.cluster_of(recent.id)
        gone = index.cluster_of(old.id)
    finally:
        store.close()
        index.close()

    assert report.clusters == 1
    assert gone is None and kept is not None
    assert not (Path(settings.data_dir) / ClusterIndex.FILE_NAME).exists()
