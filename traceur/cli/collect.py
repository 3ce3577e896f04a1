"""``traceur check`` and ``traceur run``: validate a watchlist, run one collection pass."""

from __future__ import annotations

import os
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import click

from traceur.alerts.service import run_once
from traceur.cli.context import require_writable_data_dir, settings_of
from traceur.orchestra.collection import PassInterrupted, collect
from traceur.orchestra.launch import PassSummary
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Watchlist
from traceur.watchlist.recipients import email_addresses, environment_warnings

if TYPE_CHECKING:
    from traceur.orchestra.queue.leases import Holder


def held_elsewhere_french(who: Holder) -> str:
    """Why a source was skipped, for the user: who collects it elsewhere, since when."""
    # Here only with a queue: a machine without one imports none of the queue's modules.
    from traceur.orchestra.queue.leases import RUN_HOLDER

    if who.what == RUN_HOLDER:
        by = "un `traceur run`"
    elif who.what == "?":
        by = "un autre travailleur"
    else:
        by = f"le travailleur de la tâche {who.what}"
    where = f" sur la machine {who.host} (processus {who.pid})" if who.host else ""
    since = f" depuis le {who.since.astimezone(UTC):%d/%m/%Y à %H:%M:%S} UTC" if who.since else ""
    return (
        f"source ignorée : {by}{where} la collecte déjà{since} ; rien n’est perdu, relancez"
        " `traceur run --source` une fois sa collecte finie si besoin."
    )


# -- check ----------------------------------------------------------------------------


@click.command()
@click.argument("watchlist", required=False, type=click.Path(path_type=Path, readable=False))
@click.pass_context
def check(ctx: click.Context, watchlist: Path | None) -> None:
    """Validate a watchlist and the configuration, without crawling anything.

    Every problem is reported with its file, line and how to fix it. Exit code 0 when
    all is valid, 2 otherwise.

    \b
    Example:
      traceur check watchlists/example.yaml
    """
    settings = settings_of(ctx)
    path = watchlist or settings.watchlist
    loaded = load_watchlist(path)
    click.echo(
        f"{path}: valid — {len(loaded.candidates)} candidates, {len(loaded.topics)} topics, "
        f"{len(loaded.sources)} sources ({sum(1 for s in loaded.sources if s.enabled)} enabled), "
        f"{len(loaded.alerts)} alert rules"
    )
    click.echo(f"configuration: valid — store {settings.store}, data in {settings.data_dir}")
    if settings.data_dir.is_dir() and not os.access(settings.data_dir, os.W_OK | os.X_OK):
        # Not fatal here: a read-only user may check, and search; run and schedule refuse.
        click.echo(
            f"warning: this user may not write in data_dir {settings.data_dir};"
            " run and schedule will refuse to start (set data_dir or TRACEUR_DATA_DIR)",
            err=True,
        )
    recipients = [to for rule in loaded.alerts for to in rule.to]
    for warning in environment_warnings(recipients):
        click.echo(f"warning: {warning}", err=True)
    if email_addresses(recipients) and not settings.smtp_host:
        click.echo(
            "warning: the watchlist has alert rules but no mail server is configured; their emails "
            "will wait in the outbox until smtp_host is set (config file or TRACEUR_SMTP_HOST)",
            err=True,
        )


# -- run ------------------------------------------------------------------------------


def _print_summary(summary: PassSummary, watchlist: Watchlist) -> None:
    names = {c.id: c.name for c in watchlist.candidates}
    click.echo("")
    ended = (
        f"Pass interrupted by {summary.interrupted_by} after"
        if summary.interrupted_by
        else "Pass finished in"
    )
    click.echo(
        f"{ended} {summary.seconds:.1f}s: {len(summary.sources)} sources, "
        f"{summary.total('pages')} pages fetched"
    )
    click.echo(
        f"Documents: {summary.total('new')} new, {summary.total('updated')} updated, "
        f"{summary.total('unchanged')} unchanged"
        + (f", {summary.total('spooled')} spooled for later" if summary.total("spooled") else "")
        + (
            f"; {summary.total('not_documents')} pages without main text skipped"
            if summary.total("not_documents")
            else ""
        )
    )
    if summary.total("listings"):
        click.echo(
            f"Listing pages crawled through, not kept: {summary.total('listings')}"
            " (home, section, tag, archive, about pages)"
        )
    if summary.total("robots_skipped"):
        click.echo(
            f"Links not followed because robots.txt forbids them: {summary.total('robots_skipped')}"
        )
    if summary.total("privacy_skipped"):
        click.echo(
            "Documents not stored because an erasure request forgot them:"
            f" {summary.total('privacy_skipped')}"
        )
    if summary.total("too_old"):
        click.echo(
            "Feed and sitemap entries past their retention period, not collected:"
            f" {summary.total('too_old')}"
        )
    if summary.total("robots_unreachable"):
        click.echo(
            "Sites whose robots.txt could not be read (crawled as if they had none):"
            f" {summary.total('robots_unreachable')} (details in crawl.log)"
        )
    counts = summary.candidates()
    click.echo("Candidates named in new or updated documents:")
    for candidate in watchlist.candidates:
        click.echo(f"  {names[candidate.id]:<28} {counts.get(candidate.id, 0):>5}")
    errors = summary.errors()
    if errors:
        click.echo("Errors by kind:")
        for kind, by_source in sorted(errors.items()):
            detail = ", ".join(f"{source} {count}" for source, count in sorted(by_source.items()))
            click.echo(f"  {kind:<28} {sum(by_source.values()):>5}  ({detail})")
    else:
        click.echo("Errors: none")


@click.command()
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, readable=False),
    help="Watchlist file (default: the `watchlist` setting).",
)
@click.option(
    "--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable)."
)
@click.pass_context
def run(ctx: click.Context, watchlist_path: Path | None, source_ids: tuple[str, ...]) -> None:
    """Run one collection pass over the watchlist's sources, then print a summary.

    Feeds are polled for new entries only; sites are crawled within their limits. A dead
    feed, an error page or a broken page is counted and reported; the rest goes on.
    Progress is printed while it runs; details go to DATA_DIR/crawl.log. The pass is
    recorded for `traceur status`, then the watchlist's immediate and source-health alert
    rules are evaluated and their emails sent (or queued when the mail server is down).

    A source another `traceur run` (or the scheduler) is collecting at the same time is
    skipped, with one line saying so. SIGTERM or Ctrl-C stops the pass cleanly: the crawl
    finishes its current pages, and its runs are recorded as interrupted with what they
    stored (a second Ctrl-C stops it at once).

    \b
    Examples:
      traceur run --watchlist watchlists/example.yaml
      traceur run --source quotidien-politique --source gazette
    """
    settings = settings_of(ctx)
    path = watchlist_path or settings.watchlist
    watchlist = load_watchlist(path)
    require_writable_data_dir(settings)
    for source_id in source_ids:
        watchlist.source(source_id)
    chosen = list(source_ids) or [s.id for s in watchlist.sources if s.enabled]
    click.echo(f"Collecting from {len(chosen)} sources of {path} into {settings.store}", err=True)
    collection = collect(settings, path, chosen)
    for source_id, pid in collection.skipped.items():
        holder = f"pid {pid}" if pid else "another process"
        click.echo(
            f"{source_id}: skipped, another run ({holder}) is collecting it right now", err=True
        )
    for source_id, who in collection.held_elsewhere.items():
        click.echo(f"{source_id} : {held_elsewhere_french(who)}", err=True)
    if not collection.records:
        click.echo("Nothing collected: every source is being collected by another run", err=True)
        return
    summary = collection.summary
    _print_summary(summary, watchlist)
    if summary.interrupted_by:
        # Stopped on request: the operator decides what comes next, alerts included.
        raise PassInterrupted(summary.interrupted_by)
    if watchlist.alerts:
        # One pass, then alerts (DESIGN.md): what must reach the team at once. Digests keep
        # to their schedule (`traceur schedule` or `traceur alerts run`).
        outcomes, delivery = run_once(settings, watchlist, kinds=("immediate", "source_health"))
        queued = sum(len(outcome.queued) for outcome in outcomes)
        click.echo(
            f"Alerts: {queued} queued, {len(delivery.sent)} sent,"
            f" {delivery.remaining} waiting in the outbox"
        )
