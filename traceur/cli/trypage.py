"""``traceur try``: what one page would give, before a source is added."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from traceur.cli.context import WATCHLIST_HELP, settings_of
from traceur.document import Document
from traceur.orchestra.fetch import fetch_pages
from traceur.orchestra.preview import PagePreview, preview_page
from traceur.watchlist.loader import load_watchlist

PARIS = ZoneInfo("Europe/Paris")
EXCERPT_CHARS = 160


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "no date"
    local = moment.astimezone(PARIS)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({moment:%H:%M} UTC)"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _print_document(number: int, document: Document, names: dict[str, str]) -> None:
    parts = [document.kind, f"« {document.title} »" if document.title else "untitled"]
    if document.author:
        parts.append(f"by {document.author}")
    parts.append(_when(document.published_at))
    click.echo(f"  {number}. " + " · ".join(parts))
    if document.position is not None:
        click.echo(f"     post #{document.position} {document.url}")
    mentioned = [
        f"{names.get(key, key)} ({mention.count})" for key, mention in document.mentions.items()
    ]
    click.echo(f"     mentions: {', '.join(mentioned) if mentioned else 'none'}")
    click.echo(f"     {len(document.text)} characters: {_excerpt(document.text)}")


def _print(preview: PagePreview, names: dict[str, str]) -> None:
    click.echo(preview.url)
    engine = f" — engine: {preview.engine}" if preview.engine else ""
    click.echo(f"type: {preview.page_type}{engine} ({preview.reason})")
    for note in preview.notes:
        click.echo(f"note: {note}")
    click.echo(f"documents: {len(preview.documents)}")
    for number, document in enumerate(preview.documents, 1):
        _print_document(number, document, names)


def _as_json(preview: PagePreview) -> dict[str, Any]:
    return {
        "url": preview.url,
        "status": preview.status,
        "type": preview.page_type,
        "reason": preview.reason,
        "engine": preview.engine,
        "notes": preview.notes,
        "documents": [document.to_dict() for document in preview.documents],
    }


@click.command("try")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, readable=False),
    help=WATCHLIST_HELP,
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per page instead of text.")
@click.pass_context
def try_page(
    ctx: click.Context, urls: tuple[str, ...], watchlist_path: Path | None, as_json: bool
) -> None:
    """Show what a page would give a crawl, before adding its site to a watchlist.

    Each URL is fetched once, exactly as a crawl fetches (network guard, robots.txt,
    size and time limits), then read as a crawl reads it: its type (article, listing,
    forum thread or board, video), the forum engine, the documents it gives with their
    authors and dates (Europe/Paris and UTC), and the candidates and topics of the
    watchlist each one mentions. Nothing is stored.

    \b
    Examples:
      traceur try https://www.journal-exemple.fr/politique/article-123.html
      traceur try https://forum.exemple.fr/viewtopic.php?t=42 --watchlist watchlists/campagne.yaml
    """
    settings = settings_of(ctx)
    # What the parsers would log (a date in the future, say) is part of the report below.
    logging.getLogger("traceur").setLevel(logging.ERROR)
    watchlist = load_watchlist(watchlist_path or settings.watchlist)
    names = {c.id: c.name for c in watchlist.candidates} | {t.id: t.name for t in watchlist.topics}
    for number, fetched in enumerate(fetch_pages(settings, list(urls))):
        preview = preview_page(fetched, watchlist, settings)
        if as_json:
            click.echo(json.dumps(_as_json(preview), ensure_ascii=False, default=str))
            continue
        if number:
            click.echo("")
        _print(preview, names)
