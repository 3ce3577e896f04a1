"""Story clusters: the same story republished on several sites, or pasted whole into a
forum post, gets one ``cluster_id`` — the id of the first document seen (the head).

Near-duplicates are found with MinHash sketches over word shingles, indexed so that a
new document is compared with the few indexed ones that may be its copies, never with
all of them:

- A document's text is folded (case, accents) and cut into overlapping runs of
  ``SHINGLE_WORDS`` words; two versions of a story share most runs, two stories on the
  same subject share almost none (a common phrase or two).
- Each run is hashed once (64 bits); the ``SKETCH`` smallest hashes are the document's
  sketch (bottom-k MinHash, Broder's original scheme). The smallest hashes of two texts'
  union, read from their two sketches, estimate their Jaccard similarity: the share of
  those that both sketches hold. Texts with fewer runs than ``SKETCH`` are compared exactly.
  One hash per run, rather than one per run and per permutation, is what makes this
  cheap enough to run on every page.
- The ``INDEXED`` smallest values of each sketch go into an inverted index (value →
  documents), the locality-sensitive part: copies share many of their smallest hashes,
  unrelated texts almost never one. Documents sharing an indexed value are candidates
  (the ``MAX_CANDIDATES`` sharing the most); a candidate is confirmed by its whole sketch
  (see ``same_story``).

Texts under ``MIN_WORDS`` words are never clustered: a short comment or a caption shares
its few runs with too many others ("Merci pour cet article", a share banner) to say
anything. They keep their own id as cluster id.

``ClusterIndex`` keeps sketches and the index in an SQLite file in the data directory,
so a story seen today joins the cluster of its first copy seen last week, across passes
and processes. With a work queue, the workers of every machine share one index in Redis
instead (``traceur.orchestra.queue.clusters``), behind the same ``ClusterStore`` protocol
and giving the same assignments. ``cluster_documents`` clusters a list of documents in memory, for
re-tagging and the evaluation.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import json
import re
import sqlite3
import sys
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from traceur.document import Document
from traceur.errors import StoreError
from traceur.textnorm import fold_words

# Runs of five words: a story rewritten in other words still keeps a quarter of them,
# while texts written from the same templates (agency formats, results pages) share
# many runs of three words but few of five. Chosen on the evaluation corpus (tests/eval).
SHINGLE_WORDS = 5
# 128 hashes estimate a Jaccard similarity of 0.25 within about ±0.04.
SKETCH = 128
INDEXED = 16
# Under this many words a text is not clustered (see the module docstring).
MIN_WORDS = 50
# Same story when the estimated Jaccard similarity reaches JACCARD, or when most of the
# smaller text is inside the larger one (a forum post quoting an article in full, with
# its own comments around it; a site keeping the first half of a wire story).
JACCARD = 0.25
CONTAINMENT = 0.75
MIN_CONTAINMENT_JACCARD = 0.2
# Below this estimated Jaccard similarity two texts are never the same story.
_LOWEST_JACCARD = min(JACCARD, MIN_CONTAINMENT_JACCARD)
# At most this many indexed documents are compared with a new one (those sharing the most).
MAX_CANDIDATES = 32
# Sketches older than this are dropped from the index (the document → cluster record
# stays): stories are republished within days, and the index stays small.
KEEP_SIGNATURES = timedelta(days=90)

_WORD = re.compile(r"\w+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    cluster_id TEXT NOT NULL,
    domain TEXT,
    seen_at TEXT NOT NULL,
    shingles INTEGER NOT NULL DEFAULT 0,
    signature BLOB
);
CREATE INDEX IF NOT EXISTS docs_cluster ON docs (cluster_id);
CREATE INDEX IF NOT EXISTS docs_seen ON docs (seen_at);
CREATE TABLE IF NOT EXISTS sketch_values (
    value INTEGER NOT NULL,
    doc INTEGER NOT NULL REFERENCES docs (rowid) ON DELETE CASCADE,
    PRIMARY KEY (value, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sketch_values_doc ON sketch_values (doc);
"""


@dataclass(frozen=True)
class Signature:
    """A text's MinHash sketch (its smallest shingle hashes, ascending) and how many
    distinct shingles it summarises."""

    values: tuple[int, ...]
    shingles: int

    def indexed(self) -> tuple[int, ...]:
        """The values the inverted index holds: the smallest ones."""
        return self.values[:INDEXED]

    def to_blob(self) -> bytes:
        return array("q", self.values).tobytes()

    @classmethod
    def from_blob(cls, blob: bytes, shingles: int) -> Signature:
        values = array("q")
        values.frombytes(blob)
        return cls(tuple(values), shingles)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The text's runs of ``size`` words, folded."""
    words = _WORD.findall(fold_words(text))
    return {" ".join(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def signature(text: str) -> Signature | None:
    """The MinHash sketch of ``text``, or None when it is too short to cluster."""
    words = _WORD.findall(fold_words(text))
    if len(words) < MIN_WORDS:
        return None
    blake2b = hashlib.blake2b
    # Each word encoded once, and the runs joined as bytes: the same bytes as encoding each
    # joined run, at a fraction of the calls (this loop is most of a sketch's cost).
    encoded = [word.encode() for word in words]
    # Not strict: the shifted lists end early, so the last runs are whole ones.
    starts = (encoded[i:] for i in range(SHINGLE_WORDS))
    runs = map(b" ".join, zip(*starts, strict=False))
    digests = array("Q")
    digests.frombytes(b"".join([blake2b(run, digest_size=8).digest() for run in runs]))
    if sys.byteorder != "little":
        digests.byteswap()
    # blake2b, not hash(): a signature must be the same in every process. Read as little-
    # endian and shifted to 63 bits so every value fits an SQLite integer.
    hashes = {value >> 1 for value in digests}
    return Signature(tuple(heapq.nsmallest(SKETCH, hashes)), len(hashes))


def similarity(a: Signature, b: Signature) -> tuple[float, float]:
    """(estimated Jaccard similarity, estimated share of the smaller text inside the larger)."""
    return _similarity(set(a.values), a, b)


def _similarity(in_a: set[int], a: Signature, b: Signature) -> tuple[float, float]:
    """``similarity`` with ``a``'s values already in a set (one set for many candidates)."""
    shared = sorted(in_a.intersection(b.values))
    # The two sketches' union, and the smallest SKETCH values of it: their count, and
    # the shared values among them, are read off the sorted sketches by bisection (a
    # candidate's comparison sorted the whole union; a page is compared with up to 32).
    union = len(a.values) + len(b.values) - len(shared)
    if not union:
        return 0.0, 0.0
    if union <= SKETCH:
        jaccard = len(shared) / union
    else:
        highest = _smallest_of_union(a.values, b.values, shared, SKETCH)
        # The smallest hashes of the union that both texts hold, over all of them.
        jaccard = bisect.bisect_right(shared, highest) / SKETCH
    # |A ∩ B| = J |A ∪ B| and |A ∪ B| = (|A| + |B|) / (1 + J)
    inter = jaccard * (a.shingles + b.shingles) / (1 + jaccard)
    containment = min(1.0, inter / max(1, min(a.shingles, b.shingles)))
    return jaccard, containment


def _smallest_of_union(a: Sequence[int], b: Sequence[int], shared: Sequence[int], rank: int) -> int:
    """The ``rank``-th smallest value of the union of ``a`` and ``b`` (ascending, each
    without repeats; ``shared``: the values in both, ascending), which must hold that many."""

    def below(value: int) -> int:  # how many values of the union are <= value
        return (
            bisect.bisect_right(a, value)
            + bisect.bisect_right(b, value)
            - bisect.bisect_right(shared, value)
        )

    found = [
        values[at]
        for values in (a, b)
        if (at := bisect.bisect_left(values, rank, key=below)) < len(values)
    ]
    return min(found)


def _jaccard_bound(in_a: set[int], a: Signature, b: Signature) -> float:
    """An upper bound of ``similarity(a, b)[0]`` without sorting the union: the shared values
    that count are among all shared ones, and the union holds at least the longer sketch
    (at most ``SKETCH`` of it)."""
    longest = min(SKETCH, max(len(a.values), len(b.values)))
    return len(in_a.intersection(b.values)) / longest if longest else 0.0


def same_story(a: Signature, b: Signature) -> bool:
    return _same(*similarity(a, b))


def _same(jaccard: float, containment: float) -> bool:
    return jaccard >= JACCARD or (containment >= CONTAINMENT and jaccard >= MIN_CONTAINMENT_JACCARD)


@dataclass(frozen=True)
class ClusterSize:
    """How big a cluster is: documents, and distinct sites ("seen on 7 sites")."""

    documents: int
    sites: int


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ClusterStore(Protocol):
    """What the crawls, retagging and retention ask of a cluster index: ``ClusterIndex``
    (one data directory) or, with a work queue,
    ``traceur.orchestra.queue.clusters.RedisClusterIndex`` (every worker)."""

    def assign(self, document: Document) -> str: ...

    def apply(self, document: Document) -> Document: ...

    def cluster_of(self, doc_id: str) -> str | None: ...

    def sizes(self, cluster_ids: Iterable[str]) -> dict[str, ClusterSize]: ...

    def forget_signatures(self, older_than: timedelta = KEEP_SIGNATURES) -> int: ...

    def forget_documents(self, doc_ids: Sequence[str], *, dry_run: bool = False) -> int: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


def pick_candidates(shared: dict[int, int]) -> list[int]:
    """The documents (by insertion number) a new one is compared with, given how many
    indexed values each shares with it: the ``MAX_CANDIDATES`` sharing the most, the
    earliest first among equals. Both indexes choose with this, so they agree."""
    ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
    return sorted(number for number, _ in ranked[:MAX_CANDIDATES])


def best_cluster(sig: Signature, candidates: Iterable[tuple[str, Signature]]) -> str | None:
    """The cluster of the candidate most similar to ``sig`` among those of the same story
    (candidates in insertion order: ties go to the earliest), or None."""
    in_sig = set(sig.values)
    best: tuple[float, str] | None = None
    for cluster, other in candidates:
        # Most candidates share a value or two of boilerplate: the bound rules them out (or
        # out of beating the best so far) without the sort of a full comparison.
        bound = _jaccard_bound(in_sig, sig, other)
        if bound < _LOWEST_JACCARD or (best is not None and bound <= best[0]):
            continue
        jaccard, containment = _similarity(in_sig, sig, other)
        if _same(jaccard, containment) and (best is None or jaccard > best[0]):
            best = (jaccard, cluster)
    return best[1] if best else None


class ClusterIndex:
    """Sketches and their inverted index in one SQLite file (``":memory:"`` for a throwaway index).

    Safe to share between threads, and between processes through SQLite's locking.
    """

    FILE_NAME = "clusters.db"

    def __init__(self, path: str | Path) -> None:
        self.path = path
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                str(path), timeout=30, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # The index can be rebuilt from the store (`traceur retag --clusters`): losing the
            # last few assignments to a power cut is acceptable, an fsync per page is not.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the cluster index {path}: {exc}") from exc
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: str | Path) -> ClusterIndex:
        return cls(Path(data_dir) / cls.FILE_NAME)

    def __repr__(self) -> str:
        return f"ClusterIndex({str(self.path)!r})"

    def assign(self, document: Document) -> str:
        """The cluster id of ``document``, recording it in the index.

        A document seen before keeps its cluster (its signature is refreshed if its text
        changed), so ids stay stable for alerts and links. A new one joins the cluster of
        the most similar indexed document of the same story, or heads its own.
        """
        sig = signature(document.text)
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cluster = self._assign(document, sig)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"cannot update the cluster index {self.path}: {exc}") from exc
        return cluster

    def apply(self, document: Document) -> Document:
        """Set ``document.cluster_id`` (and return the document)."""
        document.cluster_id = self.assign(document)
        return document

    def _assign(self, document: Document, sig: Signature | None) -> str:
        row = self._db.execute(
            "SELECT rowid, cluster_id, signature FROM docs WHERE doc_id = ?", (document.id,)
        ).fetchone()
        if row is not None:
            rowid, cluster, blob = row
            new_blob = sig.to_blob() if sig else None
            if new_blob != blob:
                self._db.execute("DELETE FROM sketch_values WHERE doc = ?", (rowid,))
                self._db.execute(
                    "UPDATE docs SET signature = ?, shingles = ?, domain = ? WHERE rowid = ?",
                    (new_blob, sig.shingles if sig else 0, document.domain, rowid),
                )
                if sig is not None:
                    self._add_values(rowid, sig)
            return str(cluster)
        cluster = self._best_match(sig) if sig is not None else None
        cluster = cluster or document.id
        cursor = self._db.execute(
            "INSERT INTO docs (doc_id, cluster_id, domain, seen_at, shingles, signature)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                document.id,
                cluster,
                document.domain,
                _now(),
                sig.shingles if sig else 0,
                sig.to_blob() if sig else None,
            ),
        )
        if sig is not None and cursor.lastrowid is not None:
            self._add_values(cursor.lastrowid, sig)
        return cluster

    def _add_values(self, rowid: int, sig: Signature) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO sketch_values (value, doc) VALUES (?, ?)",
            [(v, rowid) for v in sig.indexed()],
        )

    def _best_match(self, sig: Signature) -> str | None:
        keys = sig.indexed()
        marks = ",".join("?" * len(keys))
        # A copy shares most of its smallest hashes; a page of the same site may share one
        # or two through boilerplate. Comparing only the candidates sharing the most keeps
        # the cost bounded on boilerplate-heavy sites.
        rows = self._db.execute(
            "SELECT d.rowid, d.cluster_id, d.signature, d.shingles FROM docs d JOIN"
            f" (SELECT doc, COUNT(*) AS shared FROM sketch_values WHERE value IN ({marks})"
            " GROUP BY doc  ORDER BY shared DESC, doc LIMIT ?) c ON c.doc = d.rowid"
            " WHERE d.signature IS NOT NULL ORDER BY d.rowid",
            (*keys, MAX_CANDIDATES),
        ).fetchall()
        # Rows come in insertion order: ties go to the earliest document.
        return best_cluster(
            sig, ((str(cluster), Signature.from_blob(blob, n)) for _, cluster, blob, n in rows)
        )

    def cluster_of(self, doc_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT cluster_id FROM docs WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def sizes(self, cluster_ids: Iterable[str]) -> dict[str, ClusterSize]:
        """Documents and distinct sites of each cluster (clusters the index does not know:
        absent)."""
        wanted = sorted(set(cluster_ids))
        result: dict[str, ClusterSize] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for cluster, documents, sites in self._db.execute(
                    "SELECT cluster_id, COUNT(*), COUNT(DISTINCT domain) FROM docs"
                    f" WHERE cluster_id IN ({marks}) GROUP BY cluster_id",
                    chunk,
                ):
                    result[str(cluster)] = ClusterSize(int(documents), int(sites))
        return result

    def forget_signatures(self, older_than: timedelta = KEEP_SIGNATURES) -> int:
        """Drop the sketches (and their index entries) of documents first seen more than
        ``older_than`` ago; their cluster ids stay. Returns how many were dropped."""
        cutoff = (datetime.now(UTC) - older_than).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "DELETE FROM sketch_values WHERE doc IN (SELECT rowid FROM docs"
                    " WHERE seen_at < ? AND signature IS NOT NULL)",
                    (cutoff,),
                )
                cursor = self._db.execute(
                    "UPDATE docs SET signature = NULL WHERE seen_at < ? AND signature IS NOT NULL",
                    (cutoff,),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"cannot update the cluster index {self.path}: {exc}") from exc
        return cursor.rowcount

    def forget_documents(self, doc_ids: Sequence[str], *, dry_run: bool = False) -> int:
        """Drop the entries of these documents (purged or erased from the store): their
        cluster record, sketch and index values. Returns how many documents had one. A
        cluster whose head went keeps its id (an id, not content) on its other members."""
        found = 0
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for start in range(0, len(doc_ids), 500):
                    ids = json.dumps(list(doc_ids[start : start + 500]))
                    where = "doc_id IN (SELECT value FROM json_each(?))"
                    if dry_run:
                        found += self._db.execute(
                            f"SELECT COUNT(*) FROM docs WHERE {where}", (ids,)
                        ).fetchone()[0]
                        continue
                    self._db.execute(
                        "DELETE FROM sketch_values"
                        f" WHERE doc IN (SELECT rowid FROM docs WHERE {where})",
                        (ids,),
                    )
                    found += self._db.execute(f"DELETE FROM docs WHERE {where}", (ids,)).rowcount
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"cannot update the cluster index {self.path}: {exc}") from exc
        return int(found)

    def clear(self) -> None:
        """Forget everything (before clustering a whole store again)."""
        with self._lock:
            self._db.execute("DELETE FROM sketch_values")
            self._db.execute("DELETE FROM docs")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def first_seen_order(documents: Iterable[Document]) -> list[Document]:
    """Oldest first: by publication date, else fetch date, then id (stable)."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(documents, key=lambda d: (d.published_at or d.fetched_at or far, d.id))


def cluster_documents(
    documents: Sequence[Document], index: ClusterStore | None = None
) -> dict[str, str]:
    """Cluster ``documents`` taken in the order given (the first of a story heads it):
    document id → cluster id. Uses a throwaway in-memory index unless one is given."""
    own = index is None
    index = index or ClusterIndex(":memory:")
    try:
        return {document.id: index.assign(document) for document in documents}
    finally:
        if own:
            index.close()


def group_by_cluster(documents: Iterable[Document]) -> list[list[Document]]:
    """Documents grouped by cluster, groups in the order of their first document (for
    showing one line per story in search results)."""
    groups: dict[str, list[Document]] = {}
    for document in documents:
        groups.setdefault(document.cluster_id or document.id, []).append(document)
    return list(groups.values())


def cluster_sizes(data_dir: str | Path, cluster_ids: Iterable[str]) -> dict[str, ClusterSize]:
    """Documents and sites per cluster, from the cluster index in ``data_dir`` (what a
    search front end shows as "seen on 7 sites")."""
    path = Path(data_dir) / ClusterIndex.FILE_NAME
    if not path.exists():
        return {}
    index = ClusterIndex(path)
    try:
        return index.sizes(cluster_ids)
    finally:
        index.close()
