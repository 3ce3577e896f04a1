"""``traceur retag``: apply an edited watchlist to the stored documents."""

from __future__ import annotations

from pathlib import Path

import click

from traceur.cli.context import require_writable_data_dir, settings_of
from traceur.enrich.tagging import Tagger
from traceur.orchestra.queue.clusters import open_cluster_index
from traceur.orchestra.retag import RetagSummary, retag_store
from traceur.store import open_store
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Watchlist


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
    rows = [(c.id, c.name) for c in watchlist.candidates] + [
        (t.id, t.name) for t in watchlist.topics
    ]
    gone = sorted(set(summary.before) - {ident for ident, _ in rows})
    click.echo("Documents naming each candidate and topic (before → after):")
    for ident, name in rows:
        before, after = summary.before.get(ident, 0), summary.after.get(ident, 0)
        click.echo(
            f"  {name:<28} {before:>6} → {after:<6}"
            + (f" ({after - before:+d})" if after != before else "")
        )
    for ident in gone:
        click.echo(
            f"  {ident:<28} {summary.before[ident]:>6} → 0      (no longer in the watchlist)"
        )
    if summary.clusters_rebuilt:
        click.echo(
            "Story clusters: rebuilt" + (" (in a scratch index: dry run)" if dry_run else "")
        )
    for doc_id, reason in sorted(written.failed.items()):
        click.echo(f"refused: {doc_id}: {reason}", err=True)


@click.command()
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, readable=False),
    help="Watchlist file (default: the `watchlist` setting).",
)
@click.option(
    "--clusters",
    "rebuild_clusters",
    is_flag=True,
    help="Also rebuild the story clusters of every document, oldest first (DATA_DIR/clusters.db).",
)
@click.option("--dry-run", is_flag=True, help="Write nothing; print what would change.")
@click.pass_context
def retag(
    ctx: click.Context, watchlist_path: Path | None, rebuild_clusters: bool, dry_run: bool
) -> None:
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
    settings = settings_of(ctx)
    path = watchlist_path or settings.watchlist
    watchlist = load_watchlist(path)
    if rebuild_clusters and not settings.queue:
        require_writable_data_dir(settings)  # the cluster index lives there (without a queue)
    tagger = Tagger(
        watchlist, snippet_chars=settings.snippet_chars, max_snippets=settings.max_snippets
    )
    store = open_store(settings)
    # With a work queue, the index every worker shares in its Redis.
    index = open_cluster_index(settings) if rebuild_clusters else None
    click.echo(
        f"Re-tagging the documents of {settings.store} with"
        f" {path}{' (dry run)' if dry_run else ''}",
        err=True,
    )

    def progress(summary: RetagSummary) -> None:
        click.echo(f"  … {summary.examined} documents, {summary.changed} changed", err=True)

    try:
        summary = retag_store(store, tagger, index, dry_run=dry_run, progress=progress)
    finally:
        store.close()
        if index is not None:
            index.close()
    _print_summary(summary, watchlist, dry_run)
