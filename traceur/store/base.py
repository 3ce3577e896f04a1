"""The store interface every backend implements (SQLite, Elasticsearch).

Highlighted text uses two control characters as marks, ``HIGHLIGHT_START`` and
``HIGHLIGHT_END``, never HTML: crawled text may contain markup, so each front end
(terminal, web page, email) escapes the text first and then turns the marks into its
own emphasis. Extraction strips control characters, so the marks cannot be forged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Protocol

from traceur.document import Document
from traceur.store.expiry import ExpiryPlan, StorePurge

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"

# Triage states as stored; the web app shows them in French words ("à traiter", "ignoré").
TRIAGE_STATES = ("nouveau", "vu", "a_traiter", "traite", "ignore")
# What ``facets`` can count; ``daily_counts`` takes the first three and "kind"/"domain".
FACET_FIELDS = (
    "candidates",
    "topics",
    "kind",
    "source_id",
    "domain",
    "lang",
    "triage_state",
    "assignee",
    "cluster_id",
)
DAILY_FIELDS = ("candidates", "topics", "kind", "domain")
SORTS = ("relevance", "date")


class _Unset:
    """The type of ``UNSET``: "leave it as it is", where None already means "nobody"."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


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
    domain: str | None = None
    lang: str | None = None
    # "nouveau" also matches documents nobody has triaged yet.
    triage_state: str | None = None
    assignee: str | None = None  # user name
    # "relevance" | "date"; relevance with no positive text is by date (newest first).
    sort: str = "relevance"
    offset: int = 0
    # One hit per story cluster (``cluster_id``; a document without one is its own group),
    # the best-placed one, carrying in ``cluster_size`` how many of its cluster match.
    collapse_clusters: bool = False
    ids: tuple[str, ...] | None = None  # restrict to these document ids
    # Stored or changed at or after this moment (``since`` is about publication): what
    # a run that died before its summary had stored.
    stored_since: datetime | None = None
    # Documents whose author is stored as one of these (exact) forms: a name as typed and
    # its pseudonym, from ``traceur.privacy.pseudonyms.stored_author_forms``. An empty
    # tuple matches nothing.
    authors: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SearchHit:
    document: Document
    score: float
    # Fragments of title or text with matches between HIGHLIGHT_START and HIGHLIGHT_END.
    fragments: tuple[str, ...] = ()
    # With ``collapse_clusters``: documents of this hit's cluster matching the query.
    cluster_size: int = 1


@dataclass(frozen=True)
class SearchPage:
    """One page of results; ``total`` counts matching documents (groups when collapsed)."""

    hits: list[SearchHit]
    total: int


@dataclass(frozen=True)
class Triage:
    """Where a document stands with the volunteers. ``revision`` grows with every change,
    and a change names the revision it was based on (optimistic concurrency)."""

    doc_id: str
    state: str = "nouveau"
    assignee: str | None = None
    revision: int = 0
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class TriageEvent:
    """One change of a document's triage: ``action`` is "state", "assignee" (``value``
    None: unassigned) or "comment" (``value`` the text)."""

    doc_id: str
    at: datetime  # UTC
    by: str
    action: str
    value: str | None


@dataclass(frozen=True)
class DocumentVersion:
    """A title and text a document had before a re-crawl found them changed."""

    doc_id: str
    title: str
    text: str
    content_hash: str
    fetched_at: datetime | None
    replaced_at: datetime  # when the newer content replaced it


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

    def stored(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of ``doc_ids`` are stored, without reading their documents (what a pass
        asks for every page answered 304)."""
        ...

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

    # -- what the web app needs ------------------------------------------------------

    def search_page(self, query: SearchQuery) -> SearchPage:
        """Hits ``query.offset`` to ``offset + limit`` in ``query.sort`` order, and the total."""
        ...

    def facets(
        self, query: SearchQuery, fields: Sequence[str], size: int = 20
    ) -> dict[str, list[tuple[str, int]]]:
        """Per field (of ``FACET_FIELDS``), the most frequent values among documents
        matching ``query`` (count desc, then value). Untriaged documents count as
        "nouveau"; documents with no value (no assignee, no cluster) are not counted."""
        ...

    def daily_counts(
        self, query: SearchQuery, field: str, tz: str = "Europe/Paris"
    ) -> list[tuple[date, str, int]]:
        """Documents per local calendar day (in ``tz``, by published_at else fetched_at)
        and value of ``field`` (of ``DAILY_FIELDS``), ascending days, then values."""
        ...

    def cluster_members(self, cluster_id: str, limit: int = 50) -> list[Document]:
        """The documents of a story cluster, newest first."""
        ...

    def thread(self, thread_url: str, limit: int = 500) -> list[Document]:
        """The posts of a thread (and comments of a page), by position, then date."""
        ...

    def versions(self, doc_id: str) -> list[DocumentVersion]:
        """Earlier titles and texts of a document, newest first (recorded by ``upsert``)."""
        ...

    def triage(self, doc_ids: Sequence[str]) -> dict[str, Triage]:
        """The triage of each asked id (``Triage(doc_id)`` when never triaged)."""
        ...

    def update_triage(
        self,
        doc_id: str,
        *,
        by: str,
        expected_revision: int,
        state: str | None = None,
        assignee: str | None | object = UNSET,
        comment: str | None = None,
    ) -> Triage:
        """Apply the change(s) and record one ``TriageEvent`` per change, atomically; raise
        ``TriageConflict`` when the stored revision is not ``expected_revision`` (someone
        else changed it meanwhile). A state or assignee equal to the stored one is no change."""
        ...

    def triage_history(self, doc_id: str) -> list[TriageEvent]:
        """Every triage change of a document, oldest first."""
        ...

    def purge_expired(self, plan: ExpiryPlan) -> StorePurge:
        """Delete (or count, with ``plan.dry_run``) the expired documents, their versions
        and their triage (``traceur.store.expiry``)."""
        ...

    def close(self) -> None: ...
