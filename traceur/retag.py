"""Re-tagging: apply an edited watchlist to the documents already stored, without crawling.

After a new candidate, alias, cue or exclusion, the stored documents are tagged again
with the same ``Tagger`` the crawl uses, their language read again, and, on request,
their story clusters rebuilt; only documents whose tags, mentions, language or cluster
changed are written back (an upsert by id, so the store reports them as updated and
alert rules see them as changed). Works with any ``Store``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import click

from .cli_context import CliContext
from .clusters import ClusterIndex
from .config import Settings
from .document import Document
from .language import document_language
from .store import Store, UpsertResult, open_store
from .tagging import Tagger
from .watchlist import Watchlist, load_watchlist

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
    clusters: ClusterIndex | None = None,
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
    index = scratch or clusters
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


# -- the command ----------------------------------------------------------------------


def _print_summary(summary: RetagSummary, watchlist: Watchlist, dry_run: bool) -> None:
    written = summary.written
    verb = "would change" if dry_run else "changed"
    line = f"Re-tagged {summary.examined} documents: {summary.changed} {verb}"
    if not dry_run:
        line += f" ({len(written.updated)} updated, {len(written.unchanged)} unchanged by the store"
        if written.spooled:
            line += f", {len(written.spooled)} spooled for later"
        if written.failed:
            line += f", {len(written.failed)} refused"
        line += ")"
    click.echo(line)
    rows = [(c.id, c.name) for c in watchlist.candidates] + [(t.id, t.name) for t in watchlist.topics]
    gone = sorted(set(summary.before) - {ident for ident, _ in rows})
    click.echo("Documents naming each candidate and topic (before → after):")
    for ident, name in rows:
        before, after = summary.before.get(ident, 0), summary.after.get(ident, 0)
        click.echo(f"  {name:<28} {before:>6} → {after:<6}" + (f" ({after - before:+d})" if after != before else ""))
    for ident in gone:
        click.echo(f"  {ident:<28} {summary.before[ident]:>6} → 0      (no longer in the watchlist)")
    if summary.clusters_rebuilt:
        click.echo("Story clusters: rebuilt" + (" (in a scratch index: dry run)" if dry_run else ""))
    for doc_id, reason in sorted(written.failed.items()):
        click.echo(f"refused: {doc_id}: {reason}", err=True)


@click.command()
@click.option("--watchlist", "watchlist_path", type=click.Path(path_type=Path), help="Watchlist file (default: the `watchlist` setting).")
@click.option("--clusters", "rebuild_clusters", is_flag=True,
              help="Also rebuild the story clusters of every document, oldest first (DATA_DIR/clusters.db).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print what would change.")
@click.pass_context
def retag(ctx: click.Context, watchlist_path: Path | None, rebuild_clusters: bool, dry_run: bool) -> None:
    """Apply the watchlist to the stored documents again, without crawling anything.

    Run it after editing candidates, aliases, cues, exclusions or topics: every stored
    document is tagged again (and its language read again); those whose candidates,
    topics, mentions or language changed are written back, in either store. Documents
    are never deleted, even from a source whose `lang` now excludes them. Alert rules
    see the changed documents as changed.

    \b
    Examples:
      traceur retag --watchlist watchlists/mine.yaml --dry-run
      traceur retag --watchlist watchlists/mine.yaml
      traceur retag --clusters          # also rebuild story clusters
    """
    settings: Settings = ctx.find_object(CliContext).settings  # type: ignore[union-attr]
    path = watchlist_path or settings.watchlist
    watchlist = load_watchlist(path)
    tagger = Tagger(watchlist, snippet_chars=settings.snippet_chars, max_snippets=settings.max_snippets)
    store = open_store(settings)
    index = ClusterIndex.in_data_dir(settings.data_dir) if rebuild_clusters else None
    click.echo(f"Re-tagging the documents of {settings.store} with {path}{' (dry run)' if dry_run else ''}", err=True)

    def progress(summary: RetagSummary) -> None:
        click.echo(f"  … {summary.examined} documents, {summary.changed} changed", err=True)

    try:
        summary = retag_store(store, tagger, index, dry_run=dry_run, progress=progress)
    finally:
        store.close()
        if index is not None:
            index.close()
    _print_summary(summary, watchlist, dry_run)
