"""What a store is asked to purge (``ExpiryPlan``) and what it purged (``StorePurge``).

The rule of expiry is the same in every store (see ``traceur.privacy.retention``): a
document of a kind expires when both its ``sort_at`` (the publication date, else the
collection date) and its ``fetched_at`` are older than the kind's cutoff; a document with
neither counts from the moment the store first wrote it. Its triage, triage history (the
volunteers' comments are triage events) and earlier versions go with it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ExpiryPlan:
    """``cutoffs``: per document kind, the moment before which its documents expire;
    ``versions_before``: earlier versions replaced before it expire; ``dry_run``: count
    what would go, delete nothing."""

    cutoffs: dict[str, datetime]
    versions_before: datetime
    dry_run: bool = False


@dataclass
class StorePurge:
    """What one store purged (or, in a dry run, would purge)."""

    documents: Counter[str] = field(default_factory=Counter)  # per kind
    doc_ids: list[str] = field(default_factory=list)  # for the stores beside it
    versions: int = 0  # earlier versions: of purged documents, or past their own period
    triage: int = 0  # triage records of purged documents
    triage_events: int = 0  # their history, volunteers' comments included
    indices: list[str] = field(default_factory=list)  # whole indices deleted (Elasticsearch)
    compacted: bool = False  # the file was compacted (SQLite)
