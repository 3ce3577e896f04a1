"""``traceur purge``: the retention periods applied now (the scheduler runs it daily)."""

from __future__ import annotations

import logging

import click

from traceur.cli.context import require_writable_data_dir, settings_of
from traceur.privacy.purge import FileCount, PurgeReport, purge
from traceur.privacy.retention import RetentionPolicy
from traceur.store import open_store

KIND_WORDS = {
    "article": "articles",
    "forum_post": "messages de forum",
    "blog_post": "billets de blog",
    "comment": "commentaires",
    "video": "vidéos",
}


class _EchoHandler(logging.Handler):
    """Log records to the command's standard error (through click, so tests see them)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def _size(count: FileCount) -> str:
    shown = f"{count.bytes / 1_000_000:.1f}".replace(".", ",")
    return f"{count.files:>7} ({shown} Mo)"


def french_report(report: PurgeReport, policy: RetentionPolicy) -> list[str]:
    """The lines ``traceur purge`` prints: counts per kind and per place, never content."""
    store = report.store
    # With a work queue the crawl state is the one the workers share in Redis.
    state = "state.db, Redis" if report.shared_state else "state.db"
    lines = [f"Base de documents ({report.store_kind}) :"]
    for kind, words in KIND_WORDS.items():
        label = f"{words} (plus de {policy.for_kind(kind).french()})"
        lines.append(f"  {label:<42} {store.documents.get(kind, 0):>7}")
    if report.store_kind == "Elasticsearch":
        names = f" ({', '.join(store.indices)})" if store.indices else ""
        lines.append(f"  {'index mensuels entiers':<42} {len(store.indices):>7}{names}")
    lines += [
        f"  {'anciennes versions (plus de ' + policy.versions.french() + ')':<42}"
        f" {store.versions:>7}",
        f"  {'triages des documents supprimés':<42} {store.triage:>7}"
        f" (historique et commentaires : {store.triage_events})",
        "Dossier de données :",
        f"  {'index des histoires (clusters.db)':<42} {report.clusters:>7}",
        f"  {'révisions (' + state + ')':<42} {report.revisions:>7}",
        f"  {'entrées de flux déjà vues (' + state + ')':<42} {report.seen_entries:>7}",
        f"  {'cache HTTP (plus de ' + policy.http_cache.french() + ')':<42}"
        f" {_size(report.http_cache)}",
        f"  {'messages d’alerte (plus de ' + policy.alert_outbox.french() + ')':<42}"
        f" {report.outbox_sent + report.outbox_unsent:>7}"
        f" (dont jamais envoyés : {report.outbox_unsent})",
        f"  {'journaux archivés (plus de ' + policy.logs.french() + ')':<42} {_size(report.logs)}",
        f"  {'lignes des journaux en cours (idem)':<42} {report.log_lines:>7}",
        f"  {'documents en attente (es-spool)':<42} {report.spool:>7}",
        f"  {'passages de collecte (plus de ' + policy.runs.french() + ')':<42} {report.runs:>7}",
    ]
    return lines


@click.command(name="purge")
@click.option("--dry-run", is_flag=True, help="Delete nothing; print what would be deleted.")
@click.pass_context
def purge_command(ctx: click.Context, dry_run: bool) -> None:
    """Delete what is older than the retention periods (the `retention:` settings).

    Documents past their kind's period (counted from the later of their publication and
    their collection) go from the store with their versions, triage and comments, and
    from the story-cluster index and the Elasticsearch spool; old HTTP cache files, alert
    messages, log files and log lines, and run history go from the data directory.
    `traceur schedule` runs it every day at `purge_at`. Prints counts, never content.

    \b
    Examples:
      traceur purge --dry-run     # what would go, nothing deleted
      traceur purge
    """
    settings = settings_of(ctx)
    require_writable_data_dir(settings)
    # The operators' one-line summary (English, counts only) on standard error, as the
    # scheduler writes it to its log; the French report below is for the user.
    logger = logging.getLogger("traceur.purge")
    handler = _EchoHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    store = open_store(settings)
    try:
        report = purge(settings, store, dry_run=dry_run)
    finally:
        store.close()
        logger.removeHandler(handler)
        logger.setLevel(level)
    if dry_run:
        click.echo("Simulation (--dry-run) : rien n’a été supprimé ; voici ce qui le serait.")
    else:
        click.echo("Purge selon les durées de conservation : éléments supprimés.")
    for line in french_report(report, settings.retention):
        click.echo(line)
