"""The demo: the bundled French mini-web, its watchlist, and what a pass over it found."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.store import SearchHit, SearchQuery, open_store
from traceur.watchlist import Candidate, Watchlist
from traceur.web.accounts import add_user, find_user, open_accounts

DEMO_DIR = Path(__file__).resolve().parent
DEMO_SITES = DEMO_DIR / "sites"
DEMO_WATCHLIST = DEMO_DIR / "watchlist.yaml"
# The web app's account the demo makes, to look at the demo data in `traceur web`.
DEMO_ACCOUNT = "demo"
DEMO_ROLE = "coordination"


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


@dataclass(frozen=True)
class DemoAccount:
    """The demo's web account; ``password`` only when this run created it (it is stored
    hashed, so it can be shown once)."""

    name: str
    role: str
    password: str | None


def demo_account(settings: Settings) -> DemoAccount:
    """Create the ``demo`` account (role coordination) in DATA_DIR's web.db, unless it exists."""
    db = open_accounts(settings.data_dir)
    try:
        found = find_user(db, DEMO_ACCOUNT)
        if found is not None:
            return DemoAccount(found.name, found.role, None)
        # Random, so a demo left running on a shared machine does not open to a known password.
        password = secrets.token_urlsafe(12)
        made = add_user(db, DEMO_ACCOUNT, DEMO_ROLE, password)
        return DemoAccount(made.name, made.role, password)
    finally:
        db.close()
