"""Story clustering throughput, in documents/s, and the memory and disk it takes.

The documents are the main texts of the generated corpus (``corpus.py``), plus copies of
a third of them as other sites republish a story: a sentence dropped, a few words changed,
sometimes a forum poster's comment around the whole text (seeded, so every run clusters
the same documents). Three measurements, each on the same documents:

- **sketch**: ``traceur.enrich.clusters.signature`` alone (folding, shingles, hashing, MinHash);
- **index, new documents**: ``ClusterIndex.assign`` of every document into a fresh SQLite
  file in the data directory's layout, one transaction per document, as the crawl's
  pipeline does: sketch, candidate lookup, comparison, insertion;
- **index, seen again**: the same documents assigned a second time, as a re-crawl does
  (their ids are known: sketch, one lookup, nothing written).

Also printed: how many clusters the copies formed, against how many stories were copied
(a check that the benchmark measures real work, not a quality figure: the generated pages
share sentence templates, so some unrelated ones look like copies), the index's size on disk per
document, and memory: the tracemalloc peak of indexing the first 100 documents again into
a new file (Python allocations only, not SQLite's) and the process's ``ru_maxrss``.
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import corpus
import measure

from traceur.document import Document
from traceur.enrich.clusters import ClusterIndex, signature

QUICK_PAGES = 120
COPY_SHARE = 0.33
SEED = 20261203


def _republish(text: str, rng: random.Random) -> str:
    """A copy as another site or a forum would publish it."""
    sentences = text.split(". ")
    if len(sentences) > 4:
        del sentences[rng.randrange(1, len(sentences) - 1)]
    words = ". ".join(sentences).split(" ")
    for _ in range(max(1, len(words) // 60)):
        words[rng.randrange(len(words))] = rng.choice(
            ("aussi", "encore", "hier", "désormais", "lundi")
        )
    copy = " ".join(words)
    if rng.random() < 0.3:
        copy = (
            "Je vous colle l'article, à lire en entier :\n\n"
            + copy
            + "\n\nQu'en pensez-vous ? Moi je reste sceptique."
        )
    return copy


def documents(pages: Sequence[corpus.CorpusPage]) -> tuple[list[Document], int]:
    """The pages' documents, then the copies; and how many stories were copied."""
    rng = random.Random(SEED)
    result: list[Document] = []
    for index, page in enumerate(pages):
        result.append(
            Document(
                id=f"p{index}",
                url=page.url,
                canonical_url=page.url,
                domain=page.url.split("/")[2],
                kind=page.kind,
                source_id=page.source_id,
                title=page.title,
                text=page.text,
            )
        )
    copied = rng.sample(range(len(pages)), int(len(pages) * COPY_SHARE))
    for number, index in enumerate(copied):
        for copy in range(rng.choice((1, 1, 2, 3))):
            url = f"https://copie{copy}.example/{number}"
            result.append(
                Document(
                    id=f"c{number}-{copy}",
                    url=url,
                    canonical_url=url,
                    domain=f"copie{copy}.example",
                    kind="article",
                    source_id="copies",
                    title=pages[index].title,
                    text=_republish(pages[index].text, rng),
                )
            )
    return result, len(copied)


def main(argv: Sequence[str] | None = None) -> int:
    args = measure.options(
        "Story clustering throughput (documents/s) and memory.",
        argv,
        pages=(
            int,
            None,
            f"pages in the corpus (default {corpus.DEFAULT_PAGES}, {QUICK_PAGES} with --quick)",
        ),
    )
    count = args.pages or (QUICK_PAGES if args.quick else corpus.DEFAULT_PAGES)
    pages = corpus.generate_corpus(count)
    docs, copied = documents(pages)
    text_mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    print(f"corpus: {corpus.describe(pages)}")
    print(
        f"documents: {len(docs)} ({len(pages)} pages and "
        f"{len(docs) - len(pages)} copies of {copied} of them), "
        f"{text_mb:.2f} MB of text, {text_mb * 1e6 / len(docs) / 1e3:.1f} KB each on average"
    )

    rows: list[list[object]] = [["step", "documents", "seconds", "documents/s", "MB/s of text"]]
    gc.collect()
    start = time.perf_counter()
    for document in docs:
        signature(document.text)
    seconds = time.perf_counter() - start
    rows.append(
        [
            "sketch only",
            len(docs),
            f"{seconds:.2f}",
            f"{len(docs) / seconds:.0f}",
            f"{text_mb / seconds:.2f}",
        ]
    )

    with tempfile.TemporaryDirectory(prefix="traceur-bench-") as tmp:
        index = ClusterIndex.in_data_dir(tmp)
        gc.collect()
        start = time.perf_counter()
        assigned = {document.id: index.assign(document) for document in docs}
        seconds = time.perf_counter() - start
        rows.append(
            [
                "index, new documents",
                len(docs),
                f"{seconds:.2f}",
                f"{len(docs) / seconds:.0f}",
                f"{text_mb / seconds:.2f}",
            ]
        )
        start = time.perf_counter()
        for document in docs:
            index.assign(document)
        seconds = time.perf_counter() - start
        rows.append(
            [
                "index, seen again",
                len(docs),
                f"{seconds:.2f}",
                f"{len(docs) / seconds:.0f}",
                f"{text_mb / seconds:.2f}",
            ]
        )
        index.close()
        disk = sum(path.stat().st_size for path in Path(tmp).iterdir())

        with measure.traced() as memory:
            small = ClusterIndex(Path(tmp) / "traced.db")
            for document in docs[:100]:
                small.assign(document)
            small.close()

    sizes: dict[str, int] = {}
    for cluster in assigned.values():
        sizes[cluster] = sizes.get(cluster, 0) + 1
    multi = sum(1 for size in sizes.values() if size > 1)
    copies_joined = sum(
        1
        for ident, cluster in assigned.items()
        if ident.startswith("c") and cluster.startswith("p")
    )
    pages_grouped = sum(
        1 for ident, cluster in assigned.items() if ident.startswith("p") and cluster != ident
    )

    print()
    print("throughput (one SQLite transaction per document, WAL, as in a crawl):")
    print(measure.table(rows))
    print()
    print(
        f"clusters: {len(sizes)} for {len(docs)} documents; {multi} with more than one document "
        f"(stories copied: {copied}); {copies_joined} of {len(docs) - len(pages)} copies "
        "joined their original's cluster"
    )
    print(
        f"pages put in another page's cluster: {pages_grouped} of {len(pages)}. "
        "The generator builds every page from the"
    )
    print(
        "same few hundred sentence templates, "
        "so some of its pages share a quarter of their five-word runs, as no two"
    )
    print(
        "real articles do; "
        "the quality of clustering is measured by `make eval` on hand-written texts, not here."
    )
    print(f"index on disk: {disk / 1e6:.2f} MB, {disk / len(docs) / 1e3:.2f} KB per document")
    print(
        f"memory: tracemalloc peak {memory['peak_mb']:.1f} MB indexing 100 documents; "
        f"ru_maxrss {measure.peak_rss_mb():.0f} MB at the end (corpus and documents included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
