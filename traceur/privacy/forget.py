"""Erasure: ``traceur forget`` removes every trace of an author, an address or a document.

What is removed, in this order (each place counts what it removed, never what it held):

- the documents, in the store (SQLite or Elasticsearch), with their earlier versions, their
  triage and its history (volunteers' comments included): ``forget_stores``;
- the files of the data directory: the alert outbox (messages that carried the documents
  are redacted, their sending is kept), the story-cluster index, the crawl state (page
  memos, revisions, thread progress, seen feed entries), the HTTP cache entries of the
  pages that held the documents (a forum page holds many authors: the whole entry goes,
  and the page is fetched again in full), the Elasticsearch spool, and the log lines
  that name the author, the address or the documents: ``forget_files``;
- then the request is recorded in the register (``forget_register``), without the name or
  the address in clear, so later crawls skip what was forgotten at collection.

Deleted rows are not enough: SQLite keeps freed pages (and the write-ahead log) until it
reuses them, FTS5 keeps deleted words in its index segments until they are merged, and
Lucene keeps deleted documents in its segments until a merge. Each store is compacted
after the deletion (``secure_delete``, FTS5 ``optimize``, ``VACUUM`` and a truncating WAL
checkpoint; Elasticsearch ``forcemerge`` with ``only_expunge_deletes`` and a flush), so a
copy of the files taken afterwards holds no trace either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from traceur.config import Settings
from traceur.document import Document
from traceur.privacy.forget_files import FileNeedles, forget_in_files
from traceur.privacy.forget_register import (
    KINDS,
    ForgetRegister,
    PrivacyError,
    author_key,
    privacy_key,
    url_key,
)
from traceur.privacy.forget_shared import forget_in_redis
from traceur.privacy.forget_stores import remove_documents
from traceur.privacy.pseudonyms import stored_author_forms
from traceur.store import Store, open_store, sqlite_path

# The places ``forget`` removes from, in the order it reports them.
PLACES = (
    "documents",
    "versions",
    "triage",
    "triage_events",
    "alerts",
    "clusters",
    "crawl_state",
    "http_cache",
    "es_spool",
    "saved_searches",
    "log_lines",
)


@dataclass(frozen=True)
class ForgetTarget:
    """What a request names: ``kind`` is "author" (``source_id`` restricts it to one
    source), "url" or "document"."""

    kind: str
    value: str
    source_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PrivacyError(f"unknown request kind {self.kind!r}; use one of {KINDS}")
        if not self.value.strip():
            raise PrivacyError(
                f"the {self.kind} to forget is empty; give the name, address or document id"
            )
        if self.source_id is not None and self.kind != "author":
            raise PrivacyError("--source restricts --author only; an address or a document is one")
        if self.kind == "url" and not self.value.strip().lower().startswith(
            ("http://", "https://")
        ):
            raise PrivacyError(
                f"{self.value!r} is not an http(s) address; give the page's address as it"
                " appears in search results (http://… or https://…)"
            )


@dataclass
class ForgetReport:
    """What a request removed (or, in a dry run, would remove), counted per place."""

    target: ForgetTarget
    dry_run: bool
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLACES, 0))
    # Deleted documents Elasticsearch still kept in its segments when the request ended.
    pending: int = 0

    @property
    def total(self) -> int:
        return sum(self.removed.values())


class _Matcher:
    """Whether a stored document belongs to the target."""

    def __init__(self, target: ForgetTarget, forms: Sequence[str]) -> None:
        self.target = target
        self.authors = {author_key(form) for form in forms}
        self.url = url_key(target.value) if target.kind == "url" else ""

    def __call__(self, document: Document) -> bool:
        target = self.target
        if target.kind == "document":
            return document.id == target.value.strip()
        if target.kind == "url":
            # The page itself, a post or comment read on it (its address plus a
            # fragment), and the posts of a thread named by its address.
            urls = (document.url, document.canonical_url, document.thread_url)
            return any(u and url_key(u) == self.url for u in urls)
        if target.source_id is not None and document.source_id != target.source_id:
            return False
        return document.author is not None and author_key(document.author) in self.authors


def find_documents(store: Store, target: ForgetTarget, forms: Sequence[str]) -> list[Document]:
    """Every stored document of ``target`` (an author by any of its stored ``forms``). A
    walk over the whole store: requests are rare, and it needs nothing of a store beyond its
    protocol, nor an index on authors."""
    matcher = _Matcher(target, forms)
    return [document for document in store.iter_documents() if matcher(document)]


def _page_url(url: str) -> str:
    return url.split("#", 1)[0]


def needles(
    target: ForgetTarget, documents: Iterable[Document], forms: Sequence[str]
) -> FileNeedles:
    """What marks a file's entry or line as belonging to the request."""
    documents = list(documents)
    words: set[str] = set()
    if target.kind == "author":
        words.update(forms)
    elif target.kind == "url":
        words.update({target.value.strip(), url_key(target.value)})
    else:
        words.add(target.value.strip())
    pages: set[str] = set()
    for document in documents:
        words.update({document.id, document.url})
        pages.update({_page_url(document.url), document.canonical_url})
    if target.kind == "url":
        pages.update({_page_url(target.value.strip()), url_key(target.value)})
    pages.discard("")
    return FileNeedles(
        doc_ids=frozenset(d.id for d in documents),
        pages=frozenset(pages),
        words=frozenset(w for w in words if w),
    )


def _no_sqlite_store(settings: Settings) -> bool:
    """A SQLite store never written yet: nothing to remove there, and nothing to create (a
    request made before the first crawl is still recorded, so that crawl skips it)."""
    return settings.store.startswith("sqlite:") and not sqlite_path(settings.store).exists()


def forget(settings: Settings, target: ForgetTarget, *, by: str, dry_run: bool) -> ForgetReport:
    """Remove every trace of ``target`` (see the module docstring) and record the request;
    with ``dry_run``, count what would go and change nothing (nothing is recorded)."""
    if not by.strip():
        raise PrivacyError("--by is empty; name who makes the request (default: this OS user)")
    report = ForgetReport(target, dry_run)
    data_dir = Path(settings.data_dir)
    # The key first: a request that cannot be recorded must not remove anything either.
    key = privacy_key(data_dir, settings.privacy_key) if not dry_run else b""
    # The name as typed and as the store holds it (its pseudonym: see traceur.privacy.pseudonyms).
    forms = stored_author_forms(target.value, settings) if target.kind == "author" else []
    documents: list[Document] = []
    removed: dict[str, int] = {}
    if not _no_sqlite_store(settings):
        store = open_store(settings, read_only=dry_run)
        try:
            documents = find_documents(store, target, forms)
            removed = remove_documents(store, settings, [d.id for d in documents], dry_run=dry_run)
        finally:
            store.close()
    report.pending = removed.pop("es_segments_pending", 0)
    report.removed.update(removed)
    found = needles(target, documents, forms)
    report.removed.update(forget_in_files(data_dir, found, dry_run=dry_run))
    # With a work queue, the cluster index, HTTP cache and crawl state are in its Redis.
    for name, count in forget_in_redis(settings, found, dry_run=dry_run).items():
        report.removed[name] = report.removed.get(name, 0) + count
    if settings.queue and not dry_run:
        from traceur.orchestra.queue.alertstate import publish_data_dir

        # The leader's alert state is shared by snapshots: the erasure must reach them now,
        # or a standby taking over would restore what was just removed.
        publish_data_dir(settings)
    if not dry_run:
        register = ForgetRegister(data_dir, key)
        try:
            value = target.value.strip()
            register.record(
                target.kind,
                value,
                source_id=target.source_id,
                by=by.strip(),
                dry_run=False,
                removed=report.removed,
                aliases=forms,
            )
        finally:
            register.close()
    return report
