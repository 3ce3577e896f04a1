"""The watchlist: who and what to watch, where, and when to alert. Loaded from YAML into
typed objects, validated once at the edge."""

from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import (
    DOCUMENT_KIND_BY_SOURCE,
    MIN_INTERVAL_SECONDS,
    SOURCE_KINDS,
    Alias,
    Candidate,
    Source,
    SourceLimits,
    Topic,
    Watchlist,
)
from traceur.watchlist.rules import (
    AlertRule,
    DigestRule,
    DocumentFilter,
    ImmediateRule,
    SourceHealthRule,
    SpikeRule,
)

__all__ = [
    "DOCUMENT_KIND_BY_SOURCE",
    "MIN_INTERVAL_SECONDS",
    "SOURCE_KINDS",
    "AlertRule",
    "Alias",
    "Candidate",
    "DigestRule",
    "DocumentFilter",
    "ImmediateRule",
    "Source",
    "SourceHealthRule",
    "SourceLimits",
    "SpikeRule",
    "Topic",
    "Watchlist",
    "load_watchlist",
]
