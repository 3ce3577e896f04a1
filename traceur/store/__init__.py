"""Document stores behind one interface, chosen by the ``store`` setting's URL scheme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from traceur.errors import ConfigError
from traceur.store.base import (
    DAILY_FIELDS,
    FACET_FIELDS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SORTS,
    TRIAGE_STATES,
    UNSET,
    DocumentVersion,
    SearchHit,
    SearchPage,
    SearchQuery,
    Store,
    Triage,
    TriageEvent,
    UpsertResult,
)

if TYPE_CHECKING:
    from traceur.config import Settings

__all__ = [
    "DAILY_FIELDS",
    "FACET_FIELDS",
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "SORTS",
    "TRIAGE_STATES",
    "UNSET",
    "DocumentVersion",
    "SearchHit",
    "SearchPage",
    "SearchQuery",
    "Store",
    "Triage",
    "TriageEvent",
    "UpsertResult",
    "open_store",
    "sqlite_path",
]


def sqlite_path(url: str) -> Path:
    """``sqlite:///rel/x.db`` → ``rel/x.db``; ``sqlite:////abs/x.db`` → ``/abs/x.db``."""
    if not url.startswith("sqlite:///"):
        raise ConfigError(
            f"store: {url!r} is not a SQLite URL; write sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    rest = url[len("sqlite:///") :]
    if not rest:
        raise ConfigError(
            "store: the SQLite URL names no file; write sqlite:///.traceur/traceur.db"
        )
    return Path(rest)


def open_store(settings: Settings) -> Store:
    """Open the store named by ``settings.store``."""
    url = settings.store
    if url.startswith("sqlite:"):
        from traceur.store.sqlite import SqliteStore

        return SqliteStore(sqlite_path(url))
    if url.startswith("es+"):
        from traceur.store.elasticsearch import ElasticsearchStore

        return ElasticsearchStore.from_settings(settings)
    raise ConfigError(
        f"store: unknown store {url!r}; use sqlite:///path.db or es+https://host:9200"
    )
