"""``traceur gdpr``: what the GDPR asks of the operator, generated from the configuration."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from traceur.cli.context import settings_of
from traceur.errors import WatchlistError
from traceur.privacy.register import processing_record
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Watchlist


@click.group()
def gdpr() -> None:
    """Personal data: the GDPR record of processing activities."""


@gdpr.command()
@click.option(
    "--watchlist",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The watchlist whose sources and alert recipients are listed (default: the"
    " configured one).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the record to this file instead of standard output.",
)
@click.pass_context
def register(ctx: click.Context, watchlist: Path | None, output: Path | None) -> None:
    """Print the record of processing activities (GDPR art. 30), in French Markdown.

    Filled from the settings and the watchlist: sources, alert recipients, retention
    periods, pseudonymisation, web app and store security. What only the campaign knows
    (controller, legal basis, contact) is left as [à compléter : …]. Regenerate it after
    every change of settings or watchlist.

    \b
    Example:
      traceur gdpr register -o registre-rgpd.md
    """
    settings = settings_of(ctx)
    found: Watchlist | None
    try:
        found = load_watchlist(watchlist or settings.watchlist)
    except WatchlistError as exc:
        # The record is still worth printing; it says the sources could not be read.
        click.echo(f"warning: the watchlist could not be read: {exc}", err=True)
        found = None
    record = processing_record(settings, found, datetime.now().astimezone())
    if output is None:
        click.echo(record)
        return
    try:
        output.write_text(record + "\n", encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {output} ({exc.strerror or exc}); choose a writable folder",
            param_hint="--output",
        ) from None
    click.echo(f"Record of processing activities written to {output}", err=True)
