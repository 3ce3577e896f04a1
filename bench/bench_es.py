"""Elasticsearch store throughput: ``ElasticsearchStore.upsert`` against ``SqliteStore.upsert``.

Starts a local single-node Elasticsearch with the test harness (``tests/es/server.py``:
fetched once with Maven into ``.cache/elasticsearch/``, 512 MB heap, 127.0.0.1 only), then
stores the same generated corpus (5,000 French documents of about 4 KB of text each; 1,500
with ``--quick``) in both stores, in the stores' own batches (``es_batch_size`` 500, one
SQLite transaction per call):

- first pass: every document is new (bulk indexing; for Elasticsearch this includes the
  id lookup before each batch and the accent-folded copies the stripped test server needs);
- second pass: the same documents again, all unchanged (the lookup alone, nothing sent).

Printed: documents/s and MB/s of text per pass and store, the ratio Elasticsearch /
SQLite, the tracemalloc peak of an untimed pass (Python allocations only), this process's
ru_maxrss and the Elasticsearch server's own peak RSS. Figures only: nothing is asserted.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import measure

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.es.corpus import corpus  # noqa: E402  (the harness lives with the tests)
from tests.es.server import EsServer, start_server  # noqa: E402
from traceur.config import load_settings  # noqa: E402
from traceur.document import Document  # noqa: E402
from traceur.store.elasticsearch import ElasticsearchStore  # noqa: E402
from traceur.store.sqlite import SqliteStore  # noqa: E402


def _es_store(server: EsServer, workdir: Path, prefix: str) -> ElasticsearchStore:
    settings = load_settings(environ={}).replace(
        store=f"es+{server.url}",
        es_index_prefix=prefix,
        es_batch_size=500,
        data_dir=workdir / prefix,
    )
    store = ElasticsearchStore.from_settings(settings)
    store.setup()
    return store


def _timed(store: ElasticsearchStore | SqliteStore, documents: list[Document]) -> tuple[float, str]:
    start = time.perf_counter()
    result = store.upsert(documents)
    seconds = time.perf_counter() - start
    outcome = (
        f"{len(result.new)} new, {len(result.unchanged)} unchanged, "
        f"{len(result.spooled)} spooled, {len(result.failed)} failed"
    )
    return seconds, outcome


def _server_peak_rss_mb(server: EsServer) -> float | None:
    if not server.server_pid:
        return None
    try:
        for line in Path(f"/proc/{server.server_pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


def main() -> None:
    args = measure.options(
        __doc__ or "",
        count=(int, None, "documents in the corpus (default 5000, 1500 with --quick)"),
    )
    count = args.count or (1500 if args.quick else 5000)
    documents = corpus(count, seed=11, paragraphs=8)
    text_mb = sum(len(d.title.encode()) + len(d.text.encode()) for d in documents) / 1e6
    print(
        f"corpus: {count} documents, {text_mb:.1f} MB of title and text "
        f"({text_mb * 1e6 / count / 1000:.1f} KB each)"
    )

    workdir = Path(tempfile.mkdtemp(prefix="traceur-bench-es-"))
    started = time.perf_counter()
    server = start_server(heap="512m")
    print(f"Elasticsearch started in {time.perf_counter() - started:.1f}s at {server.url}")
    try:
        # Warm the server (and its JIT) on other documents, so the first timed batch is not the
        # slowest.
        warm = _es_store(server, workdir, "warm")
        warm.upsert(corpus(1000, seed=3, paragraphs=8))
        warm.close()

        es = _es_store(server, workdir, "bench")
        es_new, es_new_outcome = _timed(es, documents)
        es_same, es_same_outcome = _timed(es, documents)
        es.refresh()
        stored = es.count()
        analysis = es.status()["write_alias"]["analysis"]
        es.close()

        sqlite = SqliteStore(workdir / "bench.db")
        sq_new, sq_new_outcome = _timed(sqlite, documents)
        sq_same, sq_same_outcome = _timed(sqlite, documents)
        sqlite.close()

        # Memory, untimed (tracemalloc slows Python several times over).
        traced_slice = documents[: min(count, 1500)]
        es_mem = _es_store(server, workdir, "memory")
        with measure.traced() as es_peak:
            es_mem.upsert(traced_slice)
        es_mem.close()
        sqlite_mem = SqliteStore(workdir / "memory.db")
        with measure.traced() as sq_peak:
            sqlite_mem.upsert(traced_slice)
        sqlite_mem.close()
        server_rss = _server_peak_rss_mb(server)
    finally:
        server.destroy()
        shutil.rmtree(workdir, ignore_errors=True)

    def rate(seconds: float) -> str:
        return f"{count / seconds:,.0f}"

    def mbps(seconds: float) -> str:
        return f"{text_mb / seconds:.2f}"

    print(
        f"\nupsert of {count} documents "
        f"(Elasticsearch: {analysis} analysis, batches of 500; {stored} stored)"
    )
    print(
        measure.table(
            [
                ("pass", "store", "seconds", "docs/s", "MB/s", "outcome"),
                (
                    "1 all new",
                    "Elasticsearch",
                    f"{es_new:.2f}",
                    rate(es_new),
                    mbps(es_new),
                    es_new_outcome,
                ),
                (
                    "1 all new",
                    "SQLite",
                    f"{sq_new:.2f}",
                    rate(sq_new),
                    mbps(sq_new),
                    sq_new_outcome,
                ),
                (
                    "2 unchanged",
                    "Elasticsearch",
                    f"{es_same:.2f}",
                    rate(es_same),
                    mbps(es_same),
                    es_same_outcome,
                ),
                (
                    "2 unchanged",
                    "SQLite",
                    f"{sq_same:.2f}",
                    rate(sq_same),
                    mbps(sq_same),
                    sq_same_outcome,
                ),
            ]
        )
    )
    print("\nratio Elasticsearch / SQLite (documents/s)")
    print(
        measure.table(
            [
                ("all new", f"{sq_new / es_new:.2f}"),
                ("unchanged", f"{sq_same / es_same:.2f}"),
            ]
        )
    )
    print(f"\nmemory (tracemalloc peak of an untimed pass over {len(traced_slice)} documents)")
    print(
        measure.table(
            [
                ("ElasticsearchStore.upsert", f"{es_peak['peak_mb']:.1f} MB"),
                ("SqliteStore.upsert", f"{sq_peak['peak_mb']:.1f} MB"),
                ("this process, ru_maxrss", f"{measure.peak_rss_mb():.1f} MB"),
                (
                    "Elasticsearch server, peak RSS",
                    f"{server_rss:.0f} MB" if server_rss else "unknown",
                ),
            ]
        )
    )


if __name__ == "__main__":
    main()
