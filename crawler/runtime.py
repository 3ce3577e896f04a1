"""The core objects a crawl shares: store, tagger, seen entries.

Every crawler of one process (one per source) uses the same instances, so one SQLite
connection serves them all. Built from crawler settings on first use and closed when
the last user lets go, which also covers a plain `scrapy crawl`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traceur.config import Settings, default_settings, load_settings
from traceur.enrich.tagging import Tagger
from traceur.orchestra.queue.crawlstate import open_crawl_state
from traceur.orchestra.state import CrawlStateStore
from traceur.store import Store, open_store
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Watchlist


@dataclass
class Runtime:
    store: Store
    tagger: Tagger
    state: CrawlStateStore
    watchlist: Watchlist
    # Traceur's settings, read once for every pipeline of the crawl.
    settings: Settings
    users: int = 0

    def close(self) -> None:
        self.store.close()
        self.state.close()


_LOCK = threading.Lock()
_RUNTIMES: dict[tuple[str, str, str], Runtime] = {}


def _key(settings: Any) -> tuple[str, str, str]:
    return (
        settings.get("TRACEUR_STORE"),
        settings.get("TRACEUR_WATCHLIST"),
        settings.get("TRACEUR_DATA_DIR"),
    )


def acquire(settings: Any, watchlist: Watchlist | None = None) -> Runtime:
    """The runtime for these crawler settings, opened on first use. ``watchlist``: the
    settings' watchlist, when the caller has loaded it already (a big one takes a tenth
    of a second or more to read again)."""
    key = _key(settings)
    with _LOCK:
        runtime = _RUNTIMES.get(key)
        if runtime is None:
            traceur_settings = load_settings().replace(
                store=key[0], watchlist=Path(key[1]), data_dir=Path(key[2])
            )
            if watchlist is None:
                watchlist = load_watchlist(traceur_settings.watchlist)
            runtime = Runtime(
                store=open_store(traceur_settings),
                tagger=Tagger(
                    watchlist,
                    snippet_chars=settings.getint(
                        "TRACEUR_SNIPPET_CHARS", default_settings().snippet_chars
                    ),
                    max_snippets=settings.getint(
                        "TRACEUR_MAX_SNIPPETS", default_settings().max_snippets
                    ),
                ),
                # With a work queue, in its Redis: whichever worker runs a source next
                # knows what the previous passes did.
                state=open_crawl_state(traceur_settings),
                watchlist=watchlist,
                settings=traceur_settings,
            )
            _RUNTIMES[key] = runtime
        runtime.users += 1
        return runtime


def release(settings: Any) -> None:
    with _LOCK:
        runtime = _RUNTIMES.get(_key(settings))
        if runtime is None:
            return
        runtime.users -= 1
        if runtime.users <= 0:
            runtime.close()
            del _RUNTIMES[_key(settings)]
