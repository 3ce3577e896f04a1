"""``traceur demo``: the whole pipeline on the bundled French mini-web, offline."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .config import REPO_ROOT, Settings
from .localweb import LocalWeb
from .passes import run_pass
from .store import SearchQuery, open_store
from .watchlist import load_watchlist

DEMO_WEB = Path(__file__).resolve().parent / "demo_web"
DEMO_WATCHLIST = REPO_ROOT / "watchlists" / "demo.yaml"


def demo_settings(settings: Settings, web: LocalWeb) -> Settings:
    """The configured settings, reaching the demo sites through the local server only."""
    return settings.replace(
        http_proxy=web.proxy_url,
        allow_networks=("127.0.0.1/32",),
        download_delay=0.0,
        watchlist=DEMO_WATCHLIST,
    )


def run_demo(settings: Settings, serve: bool = False) -> None:
    watchlist = load_watchlist(DEMO_WATCHLIST)
    with LocalWeb(DEMO_WEB) as web:
        sites = sorted(p.name for p in DEMO_WEB.iterdir() if p.is_dir())
        click.echo(f"Demo web: {len(sites)} sites served from {web.proxy_url}")
        for site in sites:
            click.echo(f"  http://{site}/")
        click.echo(f"Running a collection pass with {DEMO_WATCHLIST.relative_to(REPO_ROOT)} into {settings.store}", err=True)
        summary = run_pass(demo_settings(settings, web), DEMO_WATCHLIST)
        click.echo(
            f"\nPass finished in {summary.seconds:.1f}s: {summary.total('pages')} pages fetched, "
            f"{summary.total('new')} new documents, {summary.total('updated')} updated, "
            f"{summary.total('unchanged')} unchanged"
        )
        if summary.total("robots_skipped"):
            click.echo(f"Links not followed because robots.txt forbids them: {summary.total('robots_skipped')}")
        errors = summary.errors()
        if errors:
            click.echo("Errors: " + ", ".join(f"{kind} {sum(v.values())}" for kind, v in sorted(errors.items())))
        store = open_store(settings)
        try:
            click.echo("\nDocuments in the store naming each candidate:")
            for candidate in watchlist.candidates:
                count = store.count(SearchQuery(candidate=candidate.id))
                click.echo(f"  {candidate.name:<28} {count:>4}   ({candidate.id})")
            first = watchlist.candidates[0]
            hits = store.search(SearchQuery(candidate=first.id, limit=3))
            click.echo(f"\nLatest mentions of {first.name}:")
            for hit in hits:
                mention = hit.document.mentions.get(first.id)
                snippet = mention.snippets[0] if mention and mention.snippets else None
                doc = hit.document
                what = {"comment": "a comment on", "forum_post": "a forum post in"}.get(doc.kind, "")
                click.echo(f"  • {what + ' ' if what else ''}{doc.title} — {doc.domain}" + (f" ({doc.author})" if doc.author else ""))
                if snippet is not None:
                    click.echo(f"    {snippet.text[:snippet.start]}«{snippet.text[snippet.start:snippet.end]}»{snippet.text[snippet.end:]}")
        finally:
            store.close()
        click.echo(
            "\nTry next:\n"
            "  traceur search tramway                      # full-text search, accents optional\n"
            f"  traceur search --candidate {watchlist.candidates[-1].id} --kind forum_post\n"
            "  traceur export --format jsonl | head -n 1   # every field of a document\n"
            "  traceur check watchlists/example.yaml       # then write your own watchlist"
        )
        if serve:
            click.echo(f"\nServing the demo web on {web.proxy_url} (use it as an HTTP proxy); Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
