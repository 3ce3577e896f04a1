"""Pipeline throughput: extract → document → tag → store, one page at a time, offline.

These are the core functions the Scrapy pipelines call, in their order, with the
pipelines' arguments: ``traceur.parse.articles.extract`` (trafilatura underneath),
``make_document``, ``Tagger.apply`` with a 1,000-alias watchlist loaded by the real
loader, and ``SqliteStore.upsert`` of one document per call (one transaction each, as
``StorePipeline`` does) into a fresh database file. No network, no Scrapy, no reactor:
what is left is the CPU and disk work a crawl pays per page.

Peers, measured in the same loop on the same pages: ``trafilatura.extract`` alone with
its defaults, so the ratio "our extract step / bare trafilatura" shows what our step
costs on top; and, for reference, ``trafilatura.bare_extraction`` with the options our
step passes (metadata, comments, tables), which splits that ratio into "what we ask
trafilatura for" and "what our wrapper adds" (its own lxml parse for dates and language).
Each page goes through the peers just before or just after our steps, in turn, so a
busy machine slows both alike.

Printed: pages/s and MB/s of HTML (from the sum of the four stages' times), time per
stage and its share, the peers and the ratios, and memory: the tracemalloc peak of an
untimed pass over a slice of the corpus, and the process's ru_maxrss.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import corpus
import corpus_people
import measure
import trafilatura

from traceur.enrich.documents import make_document
from traceur.enrich.tagging import Tagger
from traceur.parse.articles import FetchedPage, NotADocument, extract
from traceur.store.sqlite import SqliteStore

# As config/traceur.yaml ships it.
MIN_TEXT_CHARS = 150
WATCHLIST_ALIASES = 1000
QUICK_PAGES = 120
BARE = "trafilatura.extract, defaults"
SAME_OPTIONS = "  for reference: bare_extraction, our options"
# tracemalloc slows Python code several times over: trace a slice, not the timed pass.
TRACED_PAGES = 40


def _fetched(page: corpus.CorpusPage) -> FetchedPage:
    return FetchedPage(
        url=page.url,
        source_id=page.source_id,
        kind=page.kind,
        html=page.html,
        fetched_at=corpus.FETCHED_AT,
    )


Peer = Callable[[corpus.CorpusPage], object]


def run_pipeline(
    pages: Sequence[corpus.CorpusPage],
    tagger: Tagger,
    store: SqliteStore,
    clock: measure.Clock,
    peers: dict[str, Peer] | None = None,
) -> dict[str, int]:
    """Push every page through the four steps; return what happened to them.

    ``peers`` run on each page too, timed under their own names, alternately before and
    after our steps: on a shared machine both then see the same load, and neither
    always gets the other's warm caches.
    """
    outcome = {
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "dropped": 0,
        "tagged": 0,
        "mentions": 0,
        "peer_empty": 0,
    }

    def run_peers(page: corpus.CorpusPage) -> None:
        for name, peer in (peers or {}).items():
            with clock(name):
                result = peer(page)
            if not result:
                outcome["peer_empty"] += 1

    for index, page in enumerate(pages):
        if index % 2:
            run_peers(page)
        fetched = _fetched(page)
        with clock("extract"):
            try:
                extracted = extract(fetched, MIN_TEXT_CHARS)
            except NotADocument:
                extracted = None
        if extracted is not None:
            with clock("document"):
                document = make_document(fetched, extracted)
            with clock("tag"):
                tagger.apply(document)
            with clock("store"):
                result = store.upsert([document])
            for key in ("new", "updated", "unchanged"):
                outcome[key] += len(getattr(result, key))
            if document.candidates:
                outcome["tagged"] += 1
                outcome["mentions"] += sum(document.mentions[c].count for c in document.candidates)
        else:
            outcome["dropped"] += 1
        if not index % 2:
            run_peers(page)
    return outcome


def _bare(page: corpus.CorpusPage) -> object:
    return trafilatura.extract(page.html, url=page.url)


def _same_options(page: corpus.CorpusPage) -> object:
    # What traceur.parse.articles.extract_page asks trafilatura for, without the rest of our step.
    return trafilatura.bare_extraction(
        page.html,
        url=page.url,
        with_metadata=True,
        include_comments=True,
        include_tables=True,
        favor_precision=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = measure.options(
        "Pipeline throughput (extract + document + tag + store) on a generated corpus.",
        argv,
        pages=(
            int,
            None,
            f"pages in the corpus (default {corpus.DEFAULT_PAGES}, {QUICK_PAGES} with --quick)",
        ),
    )
    count = args.pages or (QUICK_PAGES if args.quick else corpus.DEFAULT_PAGES)

    start = time.perf_counter()
    pages = corpus.generate_corpus(count)
    print(f"corpus: {corpus.describe(pages)}; generated in {time.perf_counter() - start:.1f} s")
    html_bytes = sum(len(p.html.encode("utf-8")) for p in pages)
    planted_pages = sum(1 for p in pages if p.mentions)
    planted = sum(sum(p.mentions.values()) for p in pages)

    with tempfile.TemporaryDirectory(prefix="traceur-bench-") as tmp:
        start = time.perf_counter()
        watchlist = corpus_people.load_watchlist(WATCHLIST_ALIASES, tmp)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        tagger = Tagger(watchlist)
        built = time.perf_counter() - start
        print(
            f"watchlist: {len(watchlist.candidates)} candidates, "
            f"{tagger.alias_count} names and aliases, "
            f"{len(watchlist.topics)} topics; loaded in {loaded:.2f} s, "
            f"tagger built in {built * 1000:.0f} ms"
        )

        # Warm up imports and first-call set-up on pages that are not measured.
        warm = corpus.generate_corpus(8, seed=corpus_people.SEED + 1)
        warm_store = SqliteStore(Path(tmp) / "warm.db")
        run_pipeline(warm, tagger, warm_store, measure.Clock())
        warm_store.close()
        for page in warm:
            _bare(page)
            _same_options(page)

        db_path = Path(tmp) / "bench.db"
        store = SqliteStore(db_path)
        rss_before = measure.peak_rss_mb()
        clock = measure.Clock()
        peers: dict[str, Peer] = {BARE: _bare, SAME_OPTIONS: _same_options}
        gc.collect()
        outcome = run_pipeline(pages, tagger, store, clock, peers)
        store.close()
        rss_after = measure.peak_rss_mb()
        db_size = sum(f.stat().st_size for f in Path(tmp).glob("bench.db*"))

        stages = ("extract", "document", "tag", "store")
        elapsed = sum(clock.totals.get(stage, 0.0) for stage in stages)
        print()
        print(
            f"pipeline: {count} pages in {elapsed:.2f} s → {count / elapsed:.1f} pages/s, "
            f"{html_bytes / 1e6 / elapsed:.2f} MB/s of HTML"
        )
        rows: list[list[object]] = [["stage", "total s", "ms/page", "share"]]
        for stage in stages:
            seconds = clock.totals.get(stage, 0.0)
            rows.append(
                [
                    stage,
                    f"{seconds:.2f}",
                    f"{seconds / count * 1000:.2f}",
                    f"{seconds / elapsed * 100:.1f} %",
                ]
            )
        print(measure.table(rows))
        print(
            f"  stored: {outcome['new']} new, {outcome['updated']} updated, "
            f"{outcome['unchanged']} unchanged; "
            f"{outcome['dropped']} dropped as not a document; "
            f"SQLite file {measure.mb(db_size)} (WAL, one transaction per page)"
        )
        print(
            f"  tagged with a candidate: {outcome['tagged']} documents, "
            f"{outcome['mentions']} candidate mentions "
            f"(the generator planted {planted} in the main text of {planted_pages} pages)"
        )

        extract_seconds = clock.totals["extract"]
        print()
        print("peers, run on each page next to our steps (alternately before and after them):")
        rows = [["", "total s", "ms/page", "pages/s", "our extract / it"]]
        rows.append(
            [
                "traceur.parse.articles.extract (our step)",
                f"{extract_seconds:.2f}",
                f"{extract_seconds / count * 1000:.2f}",
                f"{count / extract_seconds:.1f}",
                "1.00×",
            ]
        )
        for name in peers:
            seconds = clock.totals[name]
            rows.append(
                [
                    name,
                    f"{seconds:.2f}",
                    f"{seconds / count * 1000:.2f}",
                    f"{count / seconds:.1f}",
                    f"{extract_seconds / seconds:.2f}×",
                ]
            )
        print(measure.table(rows))
        if outcome["peer_empty"]:
            print(f"  a peer returned no text {outcome['peer_empty']} times")

        traced_pages = pages[: min(TRACED_PAGES, count)]
        traced_store = SqliteStore(Path(tmp) / "traced.db")
        gc.collect()
        with measure.traced() as traced:
            run_pipeline(traced_pages, tagger, traced_store, measure.Clock())
        traced_store.close()

    print()
    print("memory:")
    print(
        f"  tracemalloc peak, pipeline over the first {len(traced_pages)} pages "
        f"(fresh database, untimed pass): {traced['peak_mb']:.1f} MB"
    )
    print(
        f"  ru_maxrss: {rss_before:.0f} MB before the timed pass (corpus, watchlist, imports), "
        f"{rss_after:.0f} MB after it (peers included), "
        f"{measure.peak_rss_mb():.0f} MB at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
