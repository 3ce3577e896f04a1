"""The ``traceur`` command. Each command's docstring is its ``--help``."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import click

from . import __version__
from .cli_context import CliContext
from .config import Settings
from .durations import parse_duration
from .errors import QueryError, TraceurError, WatchlistError
from .alerts.service import run_once
from .passes import PassSummary, run_pass
from .query import parse as parse_query
from .runs import record_pass
from .store import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit, SearchQuery, Store, open_store
from .watchlist import Watchlist, load_watchlist
from .document import DOCUMENT_KINDS


class _Group(click.Group):
    """Turns Traceur's errors into one clear message and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WatchlistError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(exc.exit_code)
        except QueryError as exc:
            click.echo(f"error: {exc}", err=True)
            for line in exc.caret().splitlines():
                click.echo(f"  {line}", err=True)
            sys.exit(exc.exit_code)
        except TraceurError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML file of settings on top of config/traceur.yaml (environment TRACEUR_* wins over both).")
@click.version_option(__version__, prog_name="traceur")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None) -> None:
    """Traceur: find what the web says about your candidates.

    Polls feeds and crawls news sites, forums and blogs listed in a watchlist, keeps every
    page that mentions a watched candidate or topic, and lets you search it.

    \b
    Start here:
      traceur demo                      # the whole pipeline on the bundled demo web
      traceur check watchlists/example.yaml
      traceur run --watchlist watchlists/example.yaml
      traceur search "tramway" --candidate claire-martin --since 7d
    """
    ctx.obj = CliContext(config_file)


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(CliContext).settings  # type: ignore[union-attr]


# -- check ----------------------------------------------------------------------------


@main.command()
@click.argument("watchlist", required=False, type=click.Path(path_type=Path))
@click.pass_context
def check(ctx: click.Context, watchlist: Path | None) -> None:
    """Validate a watchlist and the configuration, without crawling anything.

    Every problem is reported with its file, line and how to fix it. Exit code 0 when
    all is valid, 2 otherwise.

    \b
    Example:
      traceur check watchlists/example.yaml
    """
    settings = _settings(ctx)
    path = watchlist or settings.watchlist
    loaded = load_watchlist(path)
    click.echo(
        f"{path}: valid — {len(loaded.candidates)} candidates, {len(loaded.topics)} topics, "
        f"{len(loaded.sources)} sources ({sum(1 for s in loaded.sources if s.enabled)} enabled), "
        f"{len(loaded.alerts)} alert rules"
    )
    click.echo(f"configuration: valid — store {settings.store}, data in {settings.data_dir}")
    if loaded.alerts and not settings.smtp_host:
        click.echo(
            "warning: the watchlist has alert rules but no mail server is configured; their emails "
            "will wait in the outbox until smtp_host is set (config file or TRACEUR_SMTP_HOST)",
            err=True,
        )


# -- run ------------------------------------------------------------------------------


def _print_summary(summary: PassSummary, watchlist: Watchlist) -> None:
    names = {c.id: c.name for c in watchlist.candidates}
    click.echo("")
    click.echo(
        f"Pass finished in {summary.seconds:.1f}s: {len(summary.sources)} sources, "
        f"{summary.total('pages')} pages fetched"
    )
    click.echo(
        f"Documents: {summary.total('new')} new, {summary.total('updated')} updated, "
        f"{summary.total('unchanged')} unchanged"
        + (f", {summary.total('spooled')} spooled for later" if summary.total("spooled") else "")
        + (f"; {summary.total('not_documents')} pages without main text skipped" if summary.total("not_documents") else "")
    )
    if summary.total("robots_skipped"):
        click.echo(f"Links not followed because robots.txt forbids them: {summary.total('robots_skipped')}")
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


@main.command()
@click.option("--watchlist", "watchlist_path", type=click.Path(path_type=Path), help="Watchlist file (default: the `watchlist` setting).")
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable).")
@click.pass_context
def run(ctx: click.Context, watchlist_path: Path | None, source_ids: tuple[str, ...]) -> None:
    """Run one collection pass over the watchlist's sources, then print a summary.

    Feeds are polled for new entries only; sites are crawled within their limits. A dead
    feed, an error page or a broken page is counted and reported; the rest goes on.
    Progress is printed while it runs; details go to DATA_DIR/crawl.log. The pass is
    recorded for `traceur status`, then the watchlist's immediate and source-health alert
    rules are evaluated and their emails sent (or queued when the mail server is down).

    \b
    Examples:
      traceur run --watchlist watchlists/example.yaml
      traceur run --source quotidien-politique --source gazette
    """
    settings = _settings(ctx)
    path = watchlist_path or settings.watchlist
    watchlist = load_watchlist(path)
    for source_id in source_ids:
        watchlist.source(source_id)
    chosen = list(source_ids) or [s.id for s in watchlist.sources if s.enabled]
    click.echo(f"Collecting from {len(chosen)} sources of {path} into {settings.store}", err=True)
    summary = run_pass(settings, path, list(source_ids))
    record_pass(settings, summary)
    _print_summary(summary, watchlist)
    if watchlist.alerts:
        # One pass, then alerts (DESIGN.md): what must reach the team at once. Digests keep
        # to their schedule (`traceur schedule` or `traceur alerts run`).
        outcomes, delivery = run_once(settings, watchlist, kinds=("immediate", "source_health"))
        queued = sum(len(outcome.queued) for outcome in outcomes)
        click.echo(f"Alerts: {queued} queued, {len(delivery.sent)} sent, {delivery.remaining} waiting in the outbox")


# -- search and export ----------------------------------------------------------------


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.now(timezone.utc) - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: write a duration (7d, 12h) or a date (2026-11-01)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def render_fragment(fragment: str, styled: bool) -> str:
    """Turn highlight marks into terminal emphasis (bold) or «guillemets»."""
    start, end = ("\x1b[1m", "\x1b[0m") if styled else ("«", "»")
    return " ".join(fragment.replace(HIGHLIGHT_START, start).replace(HIGHLIGHT_END, end).split())


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    data = hit.document.to_dict()
    data.pop("text", None)
    data["score"] = round(hit.score, 4)
    data["highlights"] = [" ".join(f.split()) for f in hit.fragments]
    return data


@main.command()
@click.argument("query", required=False, default="")
@click.option("--candidate", help="Only documents naming this candidate id.")
@click.option("--topic", help="Only documents about this topic id.")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="Only this kind of document.")
@click.option("--source", "source_id", metavar="ID", help="Only documents found by this source.")
@click.option("--since", help="Published since a duration ago (7d, 12h) or a date (2026-11-01).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of text.")
@click.pass_context
def search(ctx: click.Context, query: str, candidate: str | None, topic: str | None, kind: str | None,
           source_id: str | None, since: str | None, limit: int, as_json: bool) -> None:
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
    """
    if query.strip():
        # Checked before the store is opened, so a typo is reported with its column.
        parse_query(query)
    settings = _settings(ctx)
    store = open_store(settings)
    try:
        hits = store.search(SearchQuery(query, candidate, topic, kind, source_id, _since(since), None, limit))
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
        click.echo(f"   {date} · {doc.kind} · {doc.domain} · {', '.join(doc.candidates) or 'aucun candidat'}")
        click.echo(f"   {doc.url}")
        fragments = [f for f in hit.fragments if f]
        if fragments:
            click.echo(f"   {render_fragment(fragments[-1], styled)}")
        else:
            for mention in list(doc.mentions.values())[:1]:
                for snippet in mention.snippets[:1]:
                    marked = snippet.text[: snippet.start] + HIGHLIGHT_START + snippet.text[snippet.start : snippet.end] + HIGHLIGHT_END + snippet.text[snippet.end :]
                    click.echo(f"   {render_fragment(marked, styled)}")


def _export_lines(store: Store) -> Iterator[str]:
    for document in store.iter_documents():
        yield json.dumps(document.to_dict(), ensure_ascii=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export every stored document, one JSON object per line, with all its fields.

    \b
    Example:
      traceur export --format jsonl -o mentions.jsonl
    """
    settings = _settings(ctx)
    store = open_store(settings)
    count = 0
    try:
        if output is None:
            for line in _export_lines(store):
                click.echo(line)
                count += 1
        else:
            with output.open("w", encoding="utf-8") as handle:
                for line in _export_lines(store):
                    handle.write(line + "\n")
                    count += 1
    finally:
        store.close()
    click.echo(f"{count} documents exported", err=True)


# -- demo -----------------------------------------------------------------------------


@main.command()
@click.option("--serve/--no-serve", default=False, help="Keep serving the demo web afterwards (Ctrl-C to stop).")
@click.pass_context
def demo(ctx: click.Context, serve: bool) -> None:
    """Serve the bundled demo web on 127.0.0.1 and run the whole pipeline on it.

    The demo web is a small French mini-web (two news sites with feeds, a forum, a blog)
    about fictional candidates. Documents go to the configured store, so you can search
    and export them afterwards. Running it again adds no duplicate.

    \b
    Example:
      traceur demo && traceur search tramway
    """
    from .demo import run_demo

    run_demo(_settings(ctx), serve=serve)


def _register_optional_commands() -> None:
    from .retag import retag

    main.add_command(retag)
    from .cli_schedule import alerts, schedule, status

    for command in (schedule, status, alerts):
        main.add_command(command)
    try:
        from .cli_es import es, kibana
    except ImportError:
        return
    main.add_command(es)
    main.add_command(kibana)


_register_optional_commands()


if __name__ == "__main__":
    main()
