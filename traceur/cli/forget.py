"""``traceur forget``: answer an erasure request (GDPR art. 17) wherever Traceur keeps data."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from traceur.cli.context import require_writable_data_dir, settings_of
from traceur.privacy.forget import ForgetReport, ForgetTarget, forget
from traceur.privacy.forget_register import KEY_FILE, REGISTER_FILE, PrivacyError

# What each place is called in the summary the operator reads (in French, as the team).
PLACE_LABELS = {
    "documents": "documents (messages, commentaires, pages)",
    "versions": "versions antérieures",
    "triage": "suivis de l'équipe",
    "triage_events": "historique et commentaires de suivi",
    "alerts": "alertes expurgées (envoi conservé)",
    "clusters": "entrées de l'index des histoires",
    "crawl_state": "entrées de l'état de collecte",
    "http_cache": "pages du cache HTTP",
    "es_spool": "documents en attente pour Elasticsearch",
    "saved_searches": "recherches enregistrées (application web)",
    "log_lines": "lignes de journal",
}
_KIND_LABELS = {"author": "de l'auteur·rice", "url": "de l'adresse", "document": "du document"}


def _by_default() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "inconnu"


def _target(
    author: str | None, source_id: str | None, url: str | None, doc_id: str | None
) -> ForgetTarget:
    given = [
        (kind, value)
        for kind, value in (("author", author), ("url", url), ("document", doc_id))
        if value is not None
    ]
    if len(given) != 1:
        raise PrivacyError(
            "indiquez une seule chose à effacer : --author NOM, --url ADRESSE ou --document ID"
            " (par exemple : traceur forget --author 'Gaëlle_Kerbrat')"
        )
    kind, value = given[0]
    if source_id is not None and kind != "author":
        raise PrivacyError(
            "--source ne s'emploie qu'avec --author (une adresse ou un document n'a qu'une"
            " source) ; retirez --source"
        )
    if not value.strip():
        raise PrivacyError(
            f"--{'document' if kind == 'document' else kind} est vide ; donnez une valeur"
        )
    if kind == "url" and not value.strip().lower().startswith(("http://", "https://")):
        raise PrivacyError(
            f"--url : {value!r} n'est pas une adresse http(s) ; donnez l'adresse complète de"
            " la page (http://… ou https://…)"
        )
    return ForgetTarget(kind, value, source_id)


def _print(report: ForgetReport, register: Path, by: str) -> None:
    target = report.target
    where = f" (source {target.source_id})" if target.source_id else ""
    verb = "serait supprimé" if report.dry_run else "supprimé"
    click.echo(
        f"Effacement {_KIND_LABELS[target.kind]} demandé{where}"
        + (" — simulation : rien n'est supprimé ni enregistré" if report.dry_run else "")
    )
    for place, count in report.removed.items():
        click.echo(f"  {PLACE_LABELS[place]:<46} {count:>6}")
    click.echo(f"Total {verb} : {report.total}")
    if report.pending:
        click.echo(
            f"Attention : Elasticsearch garde encore {report.pending} documents supprimés dans"
            " ses segments (bail de rétention) ; relancez la même commande dans quelques"
            " minutes pour les effacer des fichiers.",
            err=True,
        )
    if not report.dry_run:
        click.echo(
            f"Demande enregistrée par {by} dans {register} (sous forme d'empreinte, sans le"
            " nom ni l'adresse) : les prochaines collectes l'ignoreront."
        )


@click.command(name="forget")
@click.option("--author", help="Name of a forum or comment author, as shown on the site.")
@click.option("--source", "source_id", help="With --author: only this source's documents.")
@click.option("--url", help="Address of a page (its posts and comments go with it).")
@click.option("--document", "doc_id", help="Id of one stored document.")
@click.option("--by", help="Who makes the request, for the register (default: this OS user).")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; remove nothing.")
@click.pass_context
def forget_command(
    ctx: click.Context,
    author: str | None,
    source_id: str | None,
    url: str | None,
    doc_id: str | None,
    by: str | None,
    dry_run: bool,
) -> None:
    """Erase every trace of an author, a page or a document (a GDPR erasure request).

    Removes the documents from the store (SQLite or Elasticsearch) with their versions and
    the team's triage and comments, redacts the alerts that carried them, and removes them
    from the story-cluster index, the crawl state, the HTTP cache and the log files of the
    data directory; then compacts the files so no copy remains. Prints what it removed
    (counts, never content) and records the request (what kind, when, by whom; the name or
    address only as a keyed hash) in DATA_DIR/forget.db: later crawls skip it.

    \b
    Examples:
      traceur forget --author 'Gaëlle_Kerbrat' --dry-run
      traceur forget --author 'Gaëlle_Kerbrat' --source forum-quais --by dpo
      traceur forget --url 'http://blog.example/2026/11/mon-billet/'
      traceur forget --document 3f9a0c…
    """
    target = _target(author, source_id, url, doc_id)
    settings = settings_of(ctx)
    if not dry_run:
        require_writable_data_dir(settings)
    who = (by if by is not None else _by_default()).strip()
    data_dir = Path(settings.data_dir)
    new_key = not settings.privacy_key and not (data_dir / KEY_FILE).exists()
    report = forget(settings, target, by=who, dry_run=dry_run)
    _print(report, data_dir / REGISTER_FILE, who)
    if new_key and not dry_run:
        click.echo(
            f"Clé du registre créée : {data_dir / KEY_FILE} (lisible par vous seul·e)."
            " Sauvegardez-la avec les données, ou définissez TRACEUR_PRIVACY_KEY sur chaque"
            " machine qui collecte : sans elle, les demandes passées ne sont plus reconnues.",
            err=True,
        )
