"""``traceur demo``: the whole pipeline on the bundled French mini-web, offline."""

from __future__ import annotations

import os
import shlex
import time

import click

from traceur.cli.context import CliContext, settings_of
from traceur.config import ENV_PREFIX, Settings
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import (
    DEMO_SITES,
    DEMO_WATCHLIST,
    DemoAccount,
    DemoReport,
    demo_account,
    demo_report,
    demo_settings,
    demo_site_names,
)
from traceur.orchestra.launch import PassSummary
from traceur.orchestra.passes import run_pass
from traceur.privacy.pseudonyms import display_author
from traceur.watchlist import Watchlist, load_watchlist


@click.command()
@click.option(
    "--serve/--no-serve",
    default=False,
    help="Keep serving the demo web afterwards (Ctrl-C to stop).",
)
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
    settings = settings_of(ctx)
    watchlist = load_watchlist(DEMO_WATCHLIST)
    with LocalWeb(DEMO_SITES) as web:
        sites = demo_site_names()
        click.echo(f"Demo web: {len(sites)} sites served from {web.proxy_url}")
        for site in sites:
            click.echo(f"  http://{site}/")
        click.echo(
            f"Running a collection pass with the demo watchlist into {settings.store}", err=True
        )
        summary = run_pass(demo_settings(settings, web), DEMO_WATCHLIST)
        _print_pass(summary)
        _print_report(demo_report(settings, watchlist))
        _print_next(watchlist)
        _print_web(ctx, settings, demo_account(settings))
        if serve:
            click.echo(
                f"\nServing the demo web on {web.proxy_url} (use it as an HTTP proxy);"
                " Ctrl-C to stop."
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


def _print_pass(summary: PassSummary) -> None:
    click.echo(
        f"\nPass finished in {summary.seconds:.1f}s: {summary.total('pages')} pages fetched, "
        f"{summary.total('new')} new documents, {summary.total('updated')} updated, "
        f"{summary.total('unchanged')} unchanged"
    )
    if summary.total("robots_skipped"):
        click.echo(
            f"Links not followed because robots.txt forbids them: {summary.total('robots_skipped')}"
        )
    errors = summary.errors()
    if errors:
        click.echo(
            "Errors: "
            + ", ".join(f"{kind} {sum(v.values())}" for kind, v in sorted(errors.items()))
        )


def _print_report(report: DemoReport) -> None:
    click.echo("\nDocuments in the store naming each candidate:")
    for candidate, count in report.counts:
        click.echo(f"  {candidate.name:<28} {count:>4}   ({candidate.id})")
    click.echo(f"\nLatest mentions of {report.featured.name}:")
    for hit in report.latest:
        doc = hit.document
        mention = doc.mentions.get(report.featured.id)
        snippet = mention.snippets[0] if mention and mention.snippets else None
        what = {"comment": "a comment on", "forum_post": "a forum post in"}.get(doc.kind, "")
        by = f" ({display_author(doc.author)})" if doc.author else ""
        click.echo(f"  • {what + ' ' if what else ''}{doc.title} — {doc.domain}{by}")
        if snippet is not None:
            text, start, end = snippet.text, snippet.start, snippet.end
            click.echo(f"    {text[:start]}«{text[start:end]}»{text[end:]}")


def _print_next(watchlist: Watchlist) -> None:
    click.echo(
        "\nTry next:\n"
        "  traceur search tramway                      # full-text search, accents optional\n"
        f"  traceur search --candidate {watchlist.candidates[-1].id} --kind forum_post\n"
        "  traceur export --format jsonl | head -n 1   # every field of a document\n"
        "  traceur check watchlists/example.yaml       # then write your own watchlist"
    )


def _web_command(ctx: click.Context) -> str:
    """``traceur web`` as it must be typed to open the store this demo filled: with the same
    ``--config`` and the same store and data directory variables, when they were given."""
    found = ctx.find_object(CliContext)
    words = ["traceur"]
    if found is not None and found.config_file is not None:
        words += ["--config", str(found.config_file)]
    words.append("web")
    prefix = [
        f"{name}={shlex.quote(os.environ[name])}"
        for name in (f"{ENV_PREFIX}STORE", f"{ENV_PREFIX}DATA_DIR")
        if os.environ.get(name)
    ]
    return " ".join([*prefix, *(shlex.quote(word) for word in words)])


def _print_web(ctx: click.Context, settings: Settings, account: DemoAccount) -> None:
    # A server listening on every address is still reached from here through loopback.
    host = "127.0.0.1" if settings.web_host in ("0.0.0.0", "::") else settings.web_host
    host = f"[{host}]" if ":" in host else host
    click.echo(
        "\nThe volunteers' web app on these documents:\n"
        f"  {_web_command(ctx)}\n"
        f"  then open http://{host}:{settings.web_port}/"
    )
    if account.password is not None:
        click.echo(
            f"  and log in as {account.name} (role {account.role}) with the password"
            f" {account.password}\n"
            "  (shown this once; `traceur users reset-password demo` sets a new one)"
        )
    else:
        click.echo(
            f"  and log in as {account.name}, with the password the first demo printed"
            " (`traceur users reset-password demo` sets a new one)"
        )
