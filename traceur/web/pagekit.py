"""What the search, document and dashboard pages share: the watchlist's names, results
joined with their triage, and the template helpers (French formatting, highlighting).

Pages get names (candidates, topics, sources) from the watchlist the app was started
with; the file is read again when it changes on disk, so an operator's edit shows without
restarting ``traceur web``. A watchlist that cannot be read leaves ids shown as they are
(the operator's log says why) rather than breaking the volunteers' pages.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request

from traceur.document import Document
from traceur.errors import TraceurError
from traceur.store import SearchHit, Store, Triage
from traceur.watchlist.loader import load_watchlist
from traceur.web import charts, fr, highlight
from traceur.web.export import Labels
from traceur.web.filters import Names

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    """One line of a result list: the document, its triage, the store's highlighted
    fragments, and how many documents of its story cluster match the search."""

    document: Document
    triage: Triage
    fragments: tuple[str, ...] = ()
    cluster_size: int = 1


class _NamesCache:
    """The watchlist's display names, re-read when the file's modification time changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[Path, float] | None = None
        self._names = Names()
        self._lang: tuple[str, ...] = ()

    def get(self, path: Path) -> Names:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return self._names
        with self._lock:
            if self._stamp != (path, mtime):
                self._stamp = (path, mtime)
                try:
                    watchlist = load_watchlist(path)
                except TraceurError as error:
                    log.warning("web pages show ids, not names: %s", error)
                    return self._names
                self._names = Names(
                    candidates={c.id: c.name for c in watchlist.candidates},
                    topics={t.id: t.name for t in watchlist.topics},
                    sources={s.id: (s.name or s.id) for s in watchlist.sources},
                )
            return self._names


_CACHES: dict[int, _NamesCache] = {}
_CACHES_LOCK = threading.Lock()


def names(request: Request) -> Names:
    """The display names for this app's watchlist."""
    with _CACHES_LOCK:
        cache = _CACHES.setdefault(id(request.app), _NamesCache())
    return cache.get(Path(request.app.state.settings.watchlist))


def labels(found: Names) -> Labels:
    return Labels(found.candidates, found.topics, found.sources)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def utc_now() -> datetime:
    return datetime.now(UTC)


def rows(store: Store, hits: list[SearchHit]) -> list[Row]:
    """``hits`` with their triage, in one store call."""
    triage = store.triage([hit.document.id for hit in hits])
    return [
        Row(
            hit.document,
            triage.get(hit.document.id, Triage(hit.document.id)),
            hit.fragments,
            hit.cluster_size,
        )
        for hit in hits
    ]


def document_rows(store: Store, documents: list[Document]) -> list[Row]:
    """Documents (a cluster's, a thread's) with their triage, in one store call."""
    triage = store.triage([d.id for d in documents])
    return [Row(d, triage.get(d.id, Triage(d.id))) for d in documents]


def helpers(found: Names) -> dict[str, Any]:
    """What every page template may call: ``fr`` (dates, numbers, plurals, labels),
    ``hl`` (escaped highlighting, safe links), ``charts`` and the watchlist ``names``."""
    return {"fr": fr, "hl": highlight, "charts": charts, "names": found, "now": utc_now()}
