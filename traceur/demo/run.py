"""The demo: the bundled French mini-web, its watchlist, and what a pass over it found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.store import SearchHit, SearchQuery, open_store
from traceur.watchlist import Candidate, Watchlist

DEMO_DIR = Path(__file__).resolve().parent
DEMO_SITES = DEMO_DIR / "sites"
DEMO_WATCHLIST = DEMO_DIR / "watchlist.yaml"


def demo_site_names() -> list[str]:
    return sorted(path.name for path in DEMO_SITES.iterdir() if path.is_dir())


def demo_settings(settings: Settings, web: LocalWeb) -> Settings:
    """The configured settings, reaching the demo sites through the local server only."""
    return settings.replace(
        http_proxy=web.proxy_url,
        # The local web serves its folders and reaches nothing else; its made-up host
        # names resolve nowhere, so the guard could not check them itself.
        proxy_enforces_policy=True,
        allow_networks=("127.0.0.1/32",),
        download_delay=0.0,
        watchlist=DEMO_WATCHLIST,
    )


@dataclass(frozen=True)
class DemoReport:
    """What the store holds after the demo: documents per candidate, and the latest
    mentions of the first candidate."""

    counts: tuple[tuple[Candidate, int], ...]
    featured: Candidate
    latest: tuple[SearchHit, ...]


def demo_report(settings: Settings, watchlist: Watchlist, latest: int = 3) -> DemoReport:
    store = open_store(settings)
    try:
        counts = tuple(
            (candidate, store.count(SearchQuery(candidate=candidate.id)))
            for candidate in watchlist.candidates
        )
        featured = watchlist.candidates[0]
        hits = tuple(store.search(SearchQuery(candidate=featured.id, limit=latest)))
    finally:
        store.close()
    return DemoReport(counts, featured, hits)
