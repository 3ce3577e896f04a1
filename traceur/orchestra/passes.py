"""Running one collection pass: every enabled source of a watchlist (or some of them), in
one crawl child (``traceur.orchestra.launch``), waited for to the end."""

from __future__ import annotations

from pathlib import Path

from traceur.config import Settings
from traceur.errors import CrawlError
from traceur.orchestra.launch import PassSummary, launch_crawl


def run_pass(
    settings: Settings, watchlist: Path, source_ids: list[str] | None = None, quiet: bool = False
) -> PassSummary:
    """Run one pass over ``watchlist``'s sources (or ``source_ids``) and return its summary.

    Progress lines go to standard error unless ``quiet``.
    """
    crawl = launch_crawl(settings, watchlist, source_ids or [], quiet=quiet, prefix="traceur-pass-")
    with crawl:
        code = crawl.wait()
        summary = crawl.summary() if code == 0 else None
        if summary is None:
            detail = crawl.stderr_tail(2000) if quiet else "see the messages above"
            raise CrawlError(f"the collection pass failed (exit code {code}): {detail}")
    return summary
