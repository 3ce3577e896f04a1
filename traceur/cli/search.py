"""``traceur search`` and ``traceur export``: read what the store holds."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from traceur.cli.context import settings_of
from traceur.document import DOCUMENT_KINDS
from traceur.durations import parse_duration
from traceur.enrich.query import parse as parse_query
from traceur.privacy.pseudonyms import display_author, stored_author_forms
from traceur.store import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit, SearchQuery, Store, open_store


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.now(UTC) - timedelta(seconds=parse_duration(value))
    except ValueError as exc:
        if value.strip()[-1:] in ("s", "m", "h", "d", "w"):
            # Written as a duration: say what is wrong with it (e.g. beyond ten years),
            # not that it is no date either.
            raise click.BadParameter(str(exc), param_hint="--since") from None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: write a duration (7d, 12h) or a date (2026-11-01)", param_hint="--since"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def render_fragment(fragment: str, styled: bool) -> str:
    """Turn highlight marks into terminal emphasis (bold) or «guillemets»."""
    start, end = ("\x1b[1m", "\x1b[0m") if styled else ("«", "»")
    return " ".join(fragment.replace(HIGHLIGHT_START, start).replace(HIGHLIGHT_END, end).split())


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    data = hit.document.to_dict()
    data["author"] = display_author(hit.document.author)
    data.pop("text", None)
    data["score"] = round(hit.score, 4)
    data["highlights"] = [" ".join(f.split()) for f in hit.fragments]
    return data


@click.command()
@click.argument("query", required=False, default="")
@click.option("--candidate", help="Only documents naming this candidate id.")
@click.option("--topic", help="Only documents about this topic id.")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="Only this kind of document.")
@click.option("--source", "source_id", metavar="ID", help="Only documents found by this source.")
@click.option(
    "--author",
    metavar="NAME",
    help="Only documents by this author, named as on the site (pseudonymised authors too).",
)
@click.option("--since", help="Published since a duration ago (7d, 12h) or a date (2026-11-01).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of text.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    candidate: str | None,
    topic: str | None,
    kind: str | None,
    source_id: str | None,
    author: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search the stored documents, best matches first.

    Words are all required and found whatever their accents or case; "quoted words" are
    a phrase; a trailing * is a prefix; AND, OR, NOT and NEAR/n (in capitals) combine
    terms, with parentheses. NOT binds tighter than AND, AND tighter than OR. a NEAR/5 b:
    a and b in the same field, in either order, at most 5 words apart. Apostrophes and
    hyphens split words: l'adjoint is the phrase "l adjoint". Without QUERY, the newest
    documents matching the filters are listed. A malformed query is reported with its
    column (exit code 2).

    \b
    Examples:
      traceur search tramway --candidate claire-martin
      traceur search '"réunion publique" OR meeting' --kind forum_post --since 7d
      traceur search 'vidéo* NOT (Saint-Martin OR budget)'
      traceur search 'tramway NEAR/5 Martin'
      traceur search --candidate elodie-arnaud --limit 5 --json
      traceur search --author "Gégé45" --limit 1000 --json   (an access request)
    """
    if query.strip():
        # Checked before the store is opened, so a typo is reported with its column.
        parse_query(query)
    since_at = _since(since)  # also checked before the store: one line, no store needed
    settings = settings_of(ctx)
    # Hashed with the crawl's key, so a pseudonymised member is found by the typed name.
    authors = tuple(stored_author_forms(author, settings)) if author is not None else None
    store = open_store(settings, read_only=True)
    try:
        hits = store.search(
            SearchQuery(
                query, candidate, topic, kind, source_id, since_at, None, limit, authors=authors
            )
        )
    finally:
        store.close()
    if as_json:
        for hit in hits:
            click.echo(json.dumps(_hit_json(hit), ensure_ascii=False))
        return
    if not hits:
        click.echo("No document matches.")
        return
    styled = sys.stdout.isatty()
    for number, hit in enumerate(hits, 1):
        doc = hit.document
        date = doc.published_at.strftime("%Y-%m-%d %H:%M") if doc.published_at else "date inconnue"
        click.echo(f"{number}. {doc.title or doc.url}")
        by = f" · {display_author(doc.author)}" if doc.author else ""
        click.echo(
            f"   {date} · {doc.kind} · {doc.domain}{by} ·"
            f" {', '.join(doc.candidates) or 'aucun candidat'}"
        )
        click.echo(f"   {doc.url}")
        fragments = [f for f in hit.fragments if f]
        if fragments:
            click.echo(f"   {render_fragment(fragments[-1], styled)}")
        else:
            for mention in list(doc.mentions.values())[:1]:
                for snippet in mention.snippets[:1]:
                    marked = (
                        snippet.text[: snippet.start]
                        + HIGHLIGHT_START
                        + snippet.text[snippet.start : snippet.end]
                        + HIGHLIGHT_END
                        + snippet.text[snippet.end :]
                    )
                    click.echo(f"   {render_fragment(marked, styled)}")


def _export_lines(store: Store) -> Iterator[str]:
    for document in store.iter_documents():
        data = document.to_dict()
        # An export leaves the store: a pseudonym goes out as shown, not as the whole hash.
        data["author"] = display_author(document.author)
        yield json.dumps(data, ensure_ascii=False)


def _check_output(output: Path) -> None:
    # Checked before the store is read: a typo in the path is reported at once.
    folder = output.parent
    problem = ""
    if not folder.is_dir():
        problem = f"the folder {folder} does not exist; create it, or write elsewhere"
    elif not os.access(folder, os.W_OK):
        problem = f"this user may not write in {folder}; choose a folder of yours"
    elif output.exists() and not os.access(output, os.W_OK):
        problem = f"{output} exists and this user may not overwrite it; choose another name"
    if problem:
        raise click.BadParameter(problem, param_hint="--output")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export every stored document, one JSON object per line, with all its fields.

    \b
    Example:
      traceur export --format jsonl -o mentions.jsonl
    """
    settings = settings_of(ctx)
    if output is not None:
        _check_output(output)
    store = open_store(settings, read_only=True)
    count = 0
    try:
        if output is None:
            for line in _export_lines(store):
                click.echo(line)
                count += 1
        else:
            try:
                with output.open("w", encoding="utf-8") as handle:
                    for line in _export_lines(store):
                        handle.write(line + "\n")
                        count += 1
            except OSError as exc:
                raise click.BadParameter(
                    f"cannot write {output} ({exc.strerror or exc}); check the disk and the"
                    " folder's permissions",
                    param_hint="--output",
                ) from None
    finally:
        store.close()
    click.echo(f"{count} documents exported", err=True)
