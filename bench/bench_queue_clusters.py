"""Story-cluster assignments per second through the work queue's shared index in Redis,
against the SQLite index of one data directory, on the labelled evaluation corpus
(``traceur/enrich/evaluate``'s pages, in first-seen order, as the equality test runs them).

A real Redis (Debian's ``redis-server``, ``make redis``) on a free loopback port. Each
index gets the same documents: new documents (sketch, candidates, comparison, writing),
then the same documents again (a re-crawl: the id is known, nothing written). The sketch
is computed in both, so the difference is the index's own cost: the lock and the round
trips to Redis against SQLite's transactions. Each figure is the best of ``ROUNDS`` runs
on a fresh index (the machine is shared: the best run is the least disturbed one).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The tests' Redis launcher and the corpus the equality test uses.
from tests.redisserver import RedisServer  # noqa: E402
from tests.test_queue_clusters import evaluation_documents  # noqa: E402
from traceur.config import default_settings  # noqa: E402
from traceur.document import Document  # noqa: E402
from traceur.enrich.clusters import ClusterIndex, ClusterStore, first_seen_order  # noqa: E402
from traceur.orchestra.queue.clusters import RedisClusterIndex, open_cluster_index  # noqa: E402

ROUNDS = 5
# The corpus is small (about 120 pages): each page is also seen as reprinted on this many
# other sites, so the index holds enough documents and stories to be measured.
COPIES = 9


def corpus_with_reprints() -> list[Document]:
    pages = first_seen_order(evaluation_documents())
    documents = list(pages)
    for copy in range(1, COPIES + 1):
        for page in pages:
            domain = f"reprise{copy}.{page.domain}"
            url = f"https://{domain}/{page.id}"
            documents.append(
                Document.from_dict(
                    {
                        **page.to_dict(),
                        "id": f"{page.id}-{copy}",
                        "url": url,
                        "canonical_url": url,
                        "domain": domain,
                    }
                )
            )
    return documents


class _Trips:
    """Requests sent to Redis (a pipeline or a script is one): the round trips, a figure
    the machine's load does not blur."""

    count = 0

    @classmethod
    def install(cls) -> None:
        import redis.connection

        send = redis.connection.AbstractConnection.send_packed_command

        def counted(self: object, command: object, check_health: bool = True) -> None:
            cls.count += 1
            send(self, command, check_health)  # type: ignore[arg-type]

        redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]


def _rate(
    documents: list[Document], make: Callable[[int], ClusterStore]
) -> tuple[float, float, float, float]:
    """The best assignments/s over ``ROUNDS`` fresh indexes, new documents then seen
    again, and the round trips per assignment of each."""
    best_new = best_again = 0.0
    trips_new = trips_again = 0.0
    for number in range(ROUNDS):
        index = make(number)
        try:
            first = _Trips.count
            started = time.perf_counter()
            for document in documents:
                index.assign(document)
            middle = time.perf_counter()
            second = _Trips.count
            for document in documents:
                index.assign(document)
            ended = time.perf_counter()
            trips_new = (second - first) / len(documents)
            trips_again = (_Trips.count - second) / len(documents)
        finally:
            index.close()
        best_new = max(best_new, len(documents) / (middle - started))
        best_again = max(best_again, len(documents) / (ended - middle))
    return best_new, best_again, trips_new, trips_again


def main() -> int:
    if shutil.which("redis-server") is None:
        print("redis-server is missing: `make redis` installs it")
        return 0
    documents = corpus_with_reprints()
    with tempfile.TemporaryDirectory(prefix="traceur-bench-clusters-") as folder:
        root = Path(folder)
        server = RedisServer(root / "redis")
        server.start()
        try:
            settings = default_settings().replace(queue=server.url, data_dir=root)

            def shared(number: int) -> ClusterStore:
                index = open_cluster_index(settings)
                assert isinstance(index, RedisClusterIndex)
                index.clear()
                return index

            def local(number: int) -> ClusterStore:
                return ClusterIndex(root / f"clusters-{number}.db")

            sqlite_new, sqlite_again, _, _ = _rate(documents, local)
            _Trips.install()
            redis_new, redis_again, trips_new, trips_again = _rate(documents, shared)
        finally:
            server.stop()
    print(
        f"{len(documents)} documents (the evaluation corpus and {COPIES} reprints of each page),"
        f" best of {ROUNDS} runs"
    )
    print(f"  SQLite index: {sqlite_new:7.0f} new/s {sqlite_again:7.0f} seen again/s")
    print(f"  Redis index:  {redis_new:7.0f} new/s {redis_again:7.0f} seen again/s")
    print(f"  Redis / SQLite, new documents: {redis_new / sqlite_new:.2f}")
    print(f"  Redis round trips per assignment: {trips_new:.2f} new, {trips_again:.2f} seen again")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
