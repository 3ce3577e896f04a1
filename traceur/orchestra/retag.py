"""Re-tagging: apply an edited watchlist to the documents already stored, without crawling.

After a new candidate, alias, cue or exclusion, the stored documents are tagged again
with the same ``Tagger`` the crawl uses, their language read again, and, on request,
their story clusters rebuilt; only documents whose tags, mentions, language or cluster
changed are written back (an upsert by id, so the store reports them as updated and
alert rules see them as changed). Works with any ``Store``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from traceur.document import Document
from traceur.enrich.clusters import ClusterIndex, ClusterStore
from traceur.enrich.language import document_language
from traceur.enrich.tagging import Tagger
from traceur.store import Store, UpsertResult

BATCH = 200
PROGRESS_EVERY = 1000


@dataclass
class RetagSummary:
    """What a re-tagging pass saw and did."""

    examined: int = 0
    changed: int = 0
    written: UpsertResult = field(default_factory=UpsertResult)
    # Documents naming each candidate or topic, before and after.
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    clusters_rebuilt: bool = False
    clusters: int = 0

    def count(self, document: Document, into: dict[str, int]) -> None:
        for ident in (*document.candidates, *document.topics):
            into[ident] = into.get(ident, 0) + 1


def _fields(document: Document) -> tuple[object, ...]:
    """What re-tagging may change (and what a store would see as a change)."""
    data = document.to_dict()
    return (data["candidates"], data["topics"], data["mentions"], data["lang"], data["cluster_id"])


def _in_first_seen_order(store: Store) -> Iterator[Document]:
    """Every stored document, oldest first, reading only ids and dates up front: the first
    copy of a story must be clustered first to head it."""
    far = "9999"
    keys: list[tuple[str, str]] = []
    for document in store.iter_documents():
        moment = document.published_at or document.fetched_at
        keys.append((moment.isoformat() if moment else far, document.id))
    keys.sort()
    for _, doc_id in keys:
        stored = store.get(doc_id)
        if stored is not None:
            yield stored


def retag_store(
    store: Store,
    tagger: Tagger,
    clusters: ClusterStore | None = None,
    dry_run: bool = False,
    progress: Callable[[RetagSummary], None] | None = None,
) -> RetagSummary:
    """Tag every stored document again with ``tagger`` and write back the changed ones.

    With ``clusters``, the index is emptied and every document clustered again, oldest
    first (the first copy of a story heads its cluster). ``dry_run`` writes nothing but
    reports what would change.
    """
    summary = RetagSummary()
    if clusters is not None and not dry_run:
        clusters.clear()
    documents = _in_first_seen_order(store) if clusters is not None else store.iter_documents()
    # Clusters in a dry run go to a throwaway index, so the real one is left as it was.
    scratch = ClusterIndex(":memory:") if clusters is not None and dry_run else None
    index: ClusterStore | None = scratch or clusters
    pending: list[Document] = []
    try:
        for document in documents:
            summary.examined += 1
            summary.count(document, summary.before)
            old = _fields(document)
            document.lang = document_language(document.title, document.text, document.lang)
            tagger.apply(document)
            if index is not None:
                index.apply(document)
            summary.count(document, summary.after)
            if _fields(document) != old:
                summary.changed += 1
                pending.append(document)
            if len(pending) >= BATCH:
                if not dry_run:
                    summary.written.merge(store.upsert(pending))
                pending = []
            if progress is not None and summary.examined % PROGRESS_EVERY == 0:
                progress(summary)
        if pending and not dry_run:
            summary.written.merge(store.upsert(pending))
    finally:
        if scratch is not None:
            scratch.close()
    if index is not None:
        summary.clusters_rebuilt = True
    return summary
