"""Writing to the Elasticsearch store: ``BulkWriter``, which ``ElasticsearchStore`` composes.

- Every document is indexed under its own stable id. Before a batch is sent, the stored
  fingerprints of its ids are read back (the document minus ``fetched_at``, as in the SQLite
  store), so the store reports ``new``/``updated``/``unchanged`` like SQLite does and sends
  only what changed. An update goes to the monthly index that already holds the document,
  so a document never exists twice; new documents go to the write alias.
- Each version is indexed with ``version_type=external_gte`` and its fetch time as the
  version: a replayed, older version can never overwrite a newer one.
- Bulk requests go through ``helpers.streaming_bulk``, one bounded batch at a time, and each
  document is judged on its own: 2xx is done; 429 and 5xx are sent again with exponential
  backoff and jitter; 409 means a newer version is stored (unchanged); any other 4xx is a
  dead letter, reported in ``UpsertResult.failed`` with Elasticsearch's reason.
- Nothing is lost: when the cluster cannot be reached, or keeps rejecting documents, they go
  to a durable local spool (``<data_dir>/es-spool``) and are replayed before the next write,
  or by ``traceur es replay``.

Each version written carries the store's own fields (see ``traceur.store.elasticsearch``):
``fingerprint``, ``sort_at``, ``snippets``, the folded copies where the index has no French
analysis, and ``stored_at`` and ``seq``, stamped at each attempt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers

from traceur.document import Document, format_utc
from traceur.errors import StoreError
from traceur.store.base import UpsertResult
from traceur.store.es_query import folded_copy
from traceur.store.es_template import ANALYSIS_FRENCH, ANALYSIS_STANDARD, IndexNames
from traceur.store.es_web import EsVersions
from traceur.store.spool import Spool

log = logging.getLogger(__name__)

# Bulk retries of 429/5xx answers: waits of about 0.5, 1, 2, 4... seconds (capped), with jitter
# so that several crawlers rejected together do not come back together.
MAX_RETRIES = 8
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 30.0
# After the cluster could not be reached, batches go straight to the spool for this long
# instead of waiting for a connection timeout each.
OUTAGE_PAUSE = 30.0
# Well under Elasticsearch's default http.max_content_length (100 MB).
MAX_CHUNK_BYTES = 10 * 1024 * 1024
# The id lookup before a batch is one search; its size cannot pass index.max_result_window.
MAX_BATCH = 10_000

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Not the document's fault: keep it for a replay rather than declaring it dead.
_SPOOL_STATUS = frozenset({401, 403, 404, 408, 413}) | _RETRY_STATUS


@dataclass
class _Pending:
    """One document of a batch on its way to Elasticsearch."""

    document: Document
    target: str  # the concrete index holding it, or the write alias for a new document
    header: dict[str, Any]
    body: dict[str, Any]


def _fingerprint(data: dict[str, Any]) -> str:
    """What a reader or an alert would notice, as the SQLite store defines it: the document
    minus its fetch time (a re-fetch alone is no change). Hashed: it is stored with each one."""
    seen = {key: value for key, value in data.items() if key != "fetched_at"}
    return hashlib.sha256(
        json.dumps(seen, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def snippet_texts(document: Document) -> list[str]:
    """The snippets of the document's mentions, candidates first, each once, on one line."""
    texts: list[str] = []
    for ident in [*document.candidates, *document.topics, *document.mentions]:
        mention = document.mentions.get(ident)
        for snippet in mention.snippets if mention else ():
            text = " ".join(snippet.text.split())
            if text and text not in texts:
                texts.append(text)
    return texts


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _as_is(action: Any) -> Any:
    # Our actions are (header, body) pairs already: no metadata to pull out of the body.
    return action


def error_type(item: dict[str, Any]) -> str | None:
    """The ``error.type`` of a bulk item, or of an error body (they have the same shape)."""
    error = item.get("error")
    return str(error.get("type")) if isinstance(error, dict) else None


# Elasticsearch quotes the value it could not index ("Preview of field's value: '…'"):
# a piece of a page, or an author, that must not reach the log.
_VALUE_PREVIEW = re.compile(r"\s*Preview of field's value:.*", re.DOTALL)


def _reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            text += f" ({cause.get('reason')})"
        return _VALUE_PREVIEW.sub("", text)
    return str(error or f"status {item.get('status')}")


class BulkWriter:
    """The write side of ``ElasticsearchStore`` (see the module docstring): batches, the id
    lookup, bulk requests judged per document, retries, the outage pause and the spool.

    Safe to share between threads, as the store is: ``_state`` guards the write index,
    the outage pause, the ``seq`` counter and the spool flag; replays run one at a time.
    ``ensure_write_index`` is the store's own (it also serves ``setup``): it points the
    write alias at this month's index and returns that index.
    """

    def __init__(
        self,
        client: Elasticsearch,
        names: IndexNames,
        *,
        batch_size: int,
        spool: Spool,
        ensure_write_index: Callable[[], str],
        clock: Callable[[], datetime],
        display_url: str,
        max_retries: int = MAX_RETRIES,
        initial_backoff: float = INITIAL_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        outage_pause: float = OUTAGE_PAUSE,
        versions: EsVersions | None = None,
    ) -> None:
        self.client = client
        self.versions = versions
        self.names = names
        self.batch_size = min(batch_size, MAX_BATCH)
        self.spool = spool
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.outage_pause = outage_pause
        self.clock = clock
        self.display_url = display_url
        self._ensure_write_index = ensure_write_index
        # Retries, rejections and spooled documents since the store was opened (for logs and tests).
        self.stats: Counter[str] = Counter()
        self._state = threading.Lock()
        self._replay_lock = threading.Lock()
        self.write_index: str | None = None
        self._write_month: str | None = None
        self._analysis: str | None = None
        self._outage_until = 0.0
        self._last_seq = 0
        # Whether the spool may hold documents (None: not looked yet).
        self._spool_nonempty: bool | None = None
        # A misconfiguration met while writing (refused credentials, no template): raised
        # once the batch is safe in the spool.
        self._fatal: str | None = None

    # -- state ----------------------------------------------------------------------------

    def _ready(self) -> None:
        """Before writing: the write alias exists and points at this month's index."""
        month = f"{self.clock():%Y.%m}"
        with self._state:
            if self._write_month == month and self.write_index is not None:
                return
        try:
            self.client.indices.get_index_template(name=self.names.template)
        except ApiError as exc:
            if exc.status_code == 404:
                raise StoreError(
                    f"Elasticsearch at {self.display_url} has no index template"
                    f" {self.names.template!r}; run `traceur es setup` first"
                ) from exc
            raise
        write_index = self._ensure_write_index()
        meta = (
            self.client.indices.get_mapping(index=write_index)
            .body[write_index]["mappings"]
            .get("_meta", {})
        )
        with self._state:
            self.write_index = write_index
            self._write_month = month
            self._analysis = str(meta.get("traceur_analysis", ANALYSIS_STANDARD))

    def _in_outage(self) -> bool:
        with self._state:
            return time.monotonic() < self._outage_until

    def _enter_outage(self, exc: Exception) -> None:
        with self._state:
            first = time.monotonic() >= self._outage_until
            self._outage_until = time.monotonic() + self.outage_pause
        if first:
            log.warning(
                "Elasticsearch at %s cannot be reached (%s);"
                " documents go to the spool %s until it is back"
                " (they are sent on the next run, or by `traceur es replay`)",
                self.display_url,
                exc,
                self.spool.path,
            )

    def _stamp(self, count: int) -> tuple[str, int]:
        """``stored_at`` for a bulk attempt of ``count`` documents, and the first of their
        ``seq`` numbers: microseconds since the epoch, one per document, strictly increasing
        within this process (the order of writes, like the SQLite store's seq)."""
        with self._state:
            first = max(int(time.time() * 1_000_000), self._last_seq + 1)
            self._last_seq = first + count - 1
        millis = first // 1000
        stamp = (
            datetime.fromtimestamp(millis // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{millis % 1000:03d}Z"
        )
        return stamp, first

    # -- writing --------------------------------------------------------------------------

    def upsert(self, documents: Iterable[Document]) -> UpsertResult:
        """Store ``documents``; see ``UpsertResult`` for what each one became. Spooled
        documents from an earlier outage are sent first, so older versions go first."""
        self._replay_if_due()
        result = UpsertResult()
        for batch in _batches(documents, self.batch_size):
            outcome, to_spool, refused = self._write_batch(batch)
            if to_spool:
                self.spool.add([document for document, _ in to_spool], to_spool[0][1])
                with self._state:
                    self._spool_nonempty = True
                self.stats["spooled"] += len(to_spool)
            if self._spool_nonempty:
                # Stored directly: an older version waiting in the spool must not come back.
                self.spool.discard(outcome.new + outcome.updated)
            self.spool.add_dead_letters(refused)
            result.merge(outcome)
            if outcome.spooled and self._fatal is not None:
                fatal, self._fatal = self._fatal, None
                raise StoreError(
                    f"{fatal}; {len(result.spooled)} documents are kept in the spool"
                    f" {self.spool.path}"
                )
        return result

    def _write_batch(
        self, batch: list[Document]
    ) -> tuple[UpsertResult, list[tuple[Document, str]], list[tuple[Document, str]]]:
        """Send one batch. Returns the outcome, the documents to spool (with the reason) and
        the dead letters (with the reason)."""
        result = UpsertResult()
        if self._in_outage():
            result.spooled = [document.id for document in batch]
            return result, [(document, "Elasticsearch unreachable") for document in batch], []
        try:
            self._ready()
            existing = self._lookup([document.id for document in batch])
        except StoreError as exc:
            # Not set up: keep the batch, then say what to do.
            self._fatal = str(exc)
            result.spooled = [document.id for document in batch]
            return result, [(document, str(exc)) for document in batch], []
        except TransportError as exc:
            self._enter_outage(exc)
            result.spooled = [document.id for document in batch]
            return (
                result,
                [(document, f"Elasticsearch unreachable: {exc}") for document in batch],
                [],
            )
        except ApiError as exc:
            result.spooled = [document.id for document in batch]
            if exc.status_code in (401, 403):
                self._fatal = (
                    f"Elasticsearch at {self.display_url} refused the credentials"
                    f" ({exc.status_code}); check TRACEUR_ES_API_KEY"
                    " or TRACEUR_ES_USERNAME/TRACEUR_ES_PASSWORD"
                )
            elif exc.status_code not in _RETRY_STATUS:
                self._fatal = (
                    f"Elasticsearch at {self.display_url} answered {exc.status_code}: {exc}"
                )
            return result, [(document, f"lookup failed: {exc}") for document in batch], []

        # Decide, in order, what each document is; only the last version of an id is sent.
        planned: list[tuple[str, str]] = []
        known = {doc_id: fingerprint for doc_id, (_, fingerprint) in existing.items()}
        latest: dict[str, tuple[Document, dict[str, Any], str]] = {}
        for document in batch:
            data = document.to_dict()
            fingerprint = _fingerprint(data)
            previous = known.get(document.id)
            outcome = (
                "unchanged"
                if previous == fingerprint
                else ("updated" if document.id in known else "new")
            )
            planned.append((document.id, outcome))
            known[document.id] = fingerprint
            if outcome != "unchanged":
                # Sent in the order of last appearance, as SQLite numbers its writes.
                latest.pop(document.id, None)
                latest[document.id] = (document, data, fingerprint)

        pending = [
            self._action(document, data, fingerprint, existing.get(doc_id, (None, None))[0])
            for doc_id, (document, data, fingerprint) in latest.items()
        ]
        replaced = self._replaced(
            {doc_id: existing[doc_id][0] for doc_id in latest if doc_id in existing}
        )
        done, stale, to_spool, refused = self._send(pending)
        if self.versions is not None and replaced:
            self.versions.record(
                [(replaced[doc_id], latest[doc_id][0]) for doc_id in replaced if doc_id in done]
            )

        for doc_id, outcome in planned:
            if doc_id in stale:
                # A newer version was stored meanwhile: this one changed nothing.
                outcome = "unchanged"
            elif (doc_id in to_spool or doc_id in refused) and outcome != "unchanged":
                continue
            getattr(result, outcome).append(doc_id)
        result.spooled = list(to_spool)
        result.failed = {doc_id: reason for doc_id, (_, reason) in refused.items()}
        return result, list(to_spool.values()), list(refused.values())

    def _replaced(self, where: dict[str, str]) -> dict[str, dict[str, Any]]:
        """What the updates of this batch are about to replace (for the versions index)."""
        if self.versions is None or not where:
            return {}
        try:
            return self.versions.stored(where)
        except (ApiError, TransportError) as exc:
            # The batch itself goes on; only the earlier versions are not kept.
            log.warning("could not read the versions the updates replace: %s", exc)
            return {}

    def _lookup(self, ids: list[str]) -> dict[str, tuple[str, str | None]]:
        """id → (concrete index, stored fingerprint) for the ids already stored."""
        unique = list(dict.fromkeys(ids))
        # Which monthly index holds each id: a search over the read alias (near real time:
        # it sees what was refreshed, which an older month's index always is)...
        where = indices_of(self.call, self.client, self.names.read_alias, unique)
        # ...then a real-time multi-get there (or in the write index for ids not seen yet),
        # which also sees documents written a moment ago.
        docs = [{"_index": where.get(doc_id, self.write_index), "_id": doc_id} for doc_id in unique]
        got = self.call(self.client.mget, docs=docs, source_includes=["fingerprint"])
        existing: dict[str, tuple[str, str | None]] = {}
        for doc in got["docs"]:
            if doc.get("found"):
                existing[doc["_id"]] = (
                    doc["_index"],
                    (doc.get("_source") or {}).get("fingerprint"),
                )
        return existing

    def call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        """One read request, retried with backoff on 429/5xx like the bulk writes."""
        for attempt in range(self.max_retries + 1):
            try:
                return method(**kwargs)
            except ApiError as exc:
                if exc.status_code not in _RETRY_STATUS or attempt == self.max_retries:
                    raise
                self.stats[f"retried_{exc.status_code}"] += 1
                time.sleep(self._backoff(attempt))
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_backoff, self.initial_backoff * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    def _action(
        self, document: Document, data: dict[str, Any], fingerprint: str, index: str | None
    ) -> _Pending:
        body = dict(data)
        body["fingerprint"] = fingerprint
        body["sort_at"] = format_utc(document.published_at or document.fetched_at)
        body["snippets"] = snippet_texts(document)
        if self._analysis != ANALYSIS_FRENCH:
            body["title_folded"] = folded_copy(document.title)
            body["text_folded"] = folded_copy(document.text)
        target = index or self.names.write_alias
        meta: dict[str, Any] = {"_index": target, "_id": document.id}
        if index is None:
            # Never let a missing alias auto-create an index under the alias's name.
            meta["require_alias"] = True
        if document.fetched_at is not None:
            meta["version"] = int(document.fetched_at.timestamp())
            meta["version_type"] = "external_gte"
        return _Pending(document, target, {"index": meta}, body)

    def _send(
        self, pending: list[_Pending]
    ) -> tuple[
        set[str], set[str], dict[str, tuple[Document, str]], dict[str, tuple[Document, str]]
    ]:
        """Bulk-index ``pending``; returns the ids stored, the ids found stale (a newer version
        is stored), the documents to spool and the dead letters, each with a reason."""
        done: set[str] = set()
        stale: set[str] = set()
        to_spool: dict[str, tuple[Document, str]] = {}
        refused: dict[str, tuple[Document, str]] = {}
        by_id = {item.document.id: item for item in pending}
        waiting = list(pending)
        attempt = 0
        while waiting:
            again: list[_Pending] = []
            # Stamped at each attempt, so a document becomes visible soon after its stored_at
            # (changed_since relies on it).
            stored_at, first_seq = self._stamp(len(waiting))
            for offset, item in enumerate(waiting):
                item.body["stored_at"] = stored_at
                item.body["seq"] = first_seq + offset
            actions: list[Any] = [(item.header, item.body) for item in waiting]
            try:
                for ok, result in helpers.streaming_bulk(
                    self.client,
                    actions,
                    chunk_size=len(waiting),
                    max_chunk_bytes=MAX_CHUNK_BYTES,
                    # Judge each document here: no exception for a bad document (it would stop
                    # the later chunks), none for a rejected request (its documents are retried).
                    raise_on_error=False,
                    raise_on_exception=False,
                    max_retries=0,
                    expand_action_callback=_as_is,
                ):
                    item_info = next(iter(result.values()))
                    doc_id = str(item_info.get("_id"))
                    status = int(item_info.get("status", 500))
                    if ok:
                        done.add(doc_id)
                    elif status == 409:
                        stale.add(doc_id)
                    elif status in _RETRY_STATUS and attempt < self.max_retries:
                        self.stats[f"retried_{status}"] += 1
                        again.append(by_id[doc_id])
                    elif status in _SPOOL_STATUS:
                        if status == 404:
                            # The write alias or an index went away: look again before the next
                            # batch.
                            with self._state:
                                self._write_month = None
                        if error_type(item_info) == "security_exception":
                            self._fatal = (
                                f"Elasticsearch at {self.display_url} refused the credentials"
                                f" ({status}); check TRACEUR_ES_API_KEY"
                                " or TRACEUR_ES_USERNAME/TRACEUR_ES_PASSWORD"
                            )
                        # A write block, a full disk, an overloaded cluster: not the document's
                        # fault.
                        to_spool[doc_id] = (by_id[doc_id].document, _reason(item_info))
                    else:
                        reason = _reason(item_info)
                        refused[doc_id] = (by_id[doc_id].document, reason)
                        log.warning(
                            "Elasticsearch refused document %s (%s): %s",
                            doc_id,
                            by_id[doc_id].document.url,
                            reason,
                        )
            except TransportError as exc:
                self._enter_outage(exc)
                for item in waiting:
                    doc_id = item.document.id
                    if doc_id not in done and doc_id not in stale and doc_id not in refused:
                        to_spool[doc_id] = (item.document, f"Elasticsearch unreachable: {exc}")
                return done, stale, to_spool, refused
            if again:
                time.sleep(self._backoff(attempt))
                attempt += 1
            waiting = again
        return done, stale, to_spool, refused

    # -- the spool ------------------------------------------------------------------------

    def _replay_if_due(self) -> None:
        if self._spool_nonempty is None:
            pending = self.spool.pending()
            with self._state:
                self._spool_nonempty = pending > 0
        if self._spool_nonempty and not self._in_outage():
            self.replay()

    def replay(self) -> UpsertResult:
        """Send the spooled documents again, oldest first; idempotent. Stops at the first
        batch that cannot be sent (the rest waits for the next replay)."""
        total = UpsertResult()
        with self._replay_lock:
            with self._state:
                # An explicit replay tries the cluster even during an outage pause.
                self._outage_until = 0.0
            for entries in self.spool.entries(self.batch_size):
                documents = [entry.document for entry in entries]
                outcome, to_spool, refused = self._write_batch(documents)
                self.spool.add_dead_letters(refused)
                left = {document.id for document, _ in to_spool}
                self.spool.remove(
                    [
                        (entry.document.id, entry.seq)
                        for entry in entries
                        if entry.document.id not in left
                    ]
                )
                total.merge(outcome)
                if left:
                    break
            pending = self.spool.pending()
            with self._state:
                self._spool_nonempty = pending > 0
        if total.new or total.updated or total.unchanged or total.failed:
            log.info(
                "replayed spooled documents into %s: %d new, %d updated, %d unchanged, %d refused,"
                " %d still waiting",
                self.display_url,
                len(total.new),
                len(total.updated),
                len(total.unchanged),
                len(total.failed),
                pending,
            )
        if self._fatal is not None and total.spooled:
            fatal, self._fatal = self._fatal, None
            raise StoreError(f"{fatal}; {pending} documents wait in the spool {self.spool.path}")
        return total


def indices_of(
    call: Callable[..., Any], client: Any, alias: str, unique: list[str]
) -> dict[str, str]:
    """id → the index behind ``alias`` that holds it, for the ids of ``unique`` a search
    finds (near real time: what was refreshed). ``call`` makes the request (with retries)."""
    found = call(
        client.search,
        index=alias,
        query={"ids": {"values": unique}},
        size=len(unique),
        source=False,
        track_total_hits=False,
    )
    return {hit["_id"]: hit["_index"] for hit in found["hits"]["hits"]}
