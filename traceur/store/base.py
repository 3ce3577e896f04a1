"""The store interface every backend implements (SQLite, Elasticsearch).

Highlighted text uses two control characters as marks, ``HIGHLIGHT_START`` and
``HIGHLIGHT_END``, never HTML: crawled text may contain markup, so each front end
(terminal, web page, email) escapes the text first and then turns the marks into its
own emphasis. Extraction strips control characters, so the marks cannot be forged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from traceur.document import Document

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"


@dataclass(frozen=True)
class SearchQuery:
    """What ``traceur search`` asks. ``text`` is in the query language of ``traceur.query``
    (both stores parse it there); an empty ``text`` lists the newest matching documents."""

    text: str = ""
    candidate: str | None = None
    topic: str | None = None
    kind: str | None = None
    source_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20
    # Stored or changed at or after this moment (``since`` is about publication): what
    # a run that died before its summary had stored.
    stored_since: datetime | None = None


@dataclass(frozen=True)
class SearchHit:
    document: Document
    score: float
    # Fragments of title or text with matches between HIGHLIGHT_START and HIGHLIGHT_END.
    fragments: tuple[str, ...] = ()


@dataclass
class UpsertResult:
    """What one ``upsert`` did, by document id."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # id -> reason, for documents the backend refused for good (bad data, not an outage).
    failed: dict[str, str] = field(default_factory=dict)
    # Documents kept in a durable spool because the backend was unreachable; retried later.
    spooled: list[str] = field(default_factory=list)

    def merge(self, other: UpsertResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed.update(other.failed)
        self.spooled += other.spooled


class Store(Protocol):
    """A document store. Upserts are idempotent by ``Document.id``."""

    def upsert(self, documents: Iterable[Document]) -> UpsertResult: ...

    def get(self, doc_id: str) -> Document | None: ...

    def search(self, query: SearchQuery) -> list[SearchHit]: ...

    def count(self, query: SearchQuery | None = None) -> int:
        """Documents matching ``query``'s text and filters (all documents when None)."""
        ...

    def iter_documents(self) -> Iterator[Document]: ...

    def changed_since(
        self, watermark: str | None, limit: int = 500
    ) -> tuple[list[Document], str | None]:
        """Documents stored or changed after ``watermark`` (None: from the start), oldest
        first, at most ``limit``, and the watermark to pass next time (unchanged when
        nothing is new). Watermarks are opaque strings, persisted by their readers
        (alert rules), so readers survive restarts and never see a change twice."""
        ...

    def close(self) -> None: ...
