"""The Elasticsearch store: monthly indices behind a write alias and a read alias.

Settings (see config/traceur.yaml): ``store: es+https://host:9200`` (or ``es+http://``),
``es_index_prefix``, ``es_batch_size``, ``es_verify_certs``; from the environment only:
``TRACEUR_ES_API_KEY``, or ``TRACEUR_ES_USERNAME`` and ``TRACEUR_ES_PASSWORD``, and
``TRACEUR_ES_CA_CERTS`` for a private certificate authority. Run ``traceur es setup`` once
per cluster (it is safe to run again).

Writing:

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

Fields of the store's own, beside the document's: ``fingerprint``; ``sort_at``
(``published_at``, or ``fetched_at`` for a page without a date: the date filters and the
order of listings, as in SQLite); ``stored_at`` and ``seq`` (when, and in which order, each
version was written: ``changed_since`` reads by ``seq``).

Searching uses the query language of ``traceur.query`` (words ANDed, "phrases", prefix*,
upper-case AND/OR/NOT, NEAR/n and parentheses), translated by ``to_elasticsearch``, on
accent-folded fields cut into words as SQLite's unicode61 cuts them, so both stores find
the same documents for the same query. Where the cluster has the analysis-common module,
the ``.folded`` sub-fields fold accents in the analyzer. Where it has not (the stripped test
distribution), we index folded copies made in Python, ``title_folded`` and ``text_folded``:
the standard analyzer cannot fold, and adding analysis plugins to a cluster is not a store's
business. Queries ask both kinds of field, so indices of either kind answer alike. The
stemmed French fields are not searched: "logement" does not find "logements", as in SQLite.
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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence
from urllib.parse import urlsplit

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers

from ..document import Document, format_utc
from ..errors import ConfigError, QueryError, StoreError
from ..query import parse, to_elasticsearch
from ..textnorm import fold
from .base import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit, SearchQuery, UpsertResult
from .es_template import ANALYSIS_FRENCH, ANALYSIS_STANDARD, IndexNames, component_templates, detect_analysis, index_template
from .spool import Spool

if TYPE_CHECKING:
    from ..config import Settings

log = logging.getLogger(__name__)

# Bulk retries of 429/5xx answers: waits of about 0.5, 1, 2, 4... seconds (capped), with jitter
# so that several crawlers rejected together do not come back together.
MAX_RETRIES = 8
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 30.0
# After the cluster could not be reached, batches go straight to the spool for this long
# instead of waiting for a connection timeout each.
OUTAGE_PAUSE = 30.0
REQUEST_TIMEOUT = 30.0
# changed_since returns a document once its stored_at is this old (seconds): longer than a
# bulk request may take plus the refresh interval.
CHANGES_SETTLE = 45.0
# Well under Elasticsearch's default http.max_content_length (100 MB).
MAX_CHUNK_BYTES = 10 * 1024 * 1024
# The id lookup before a batch is one search; its size cannot pass index.max_result_window.
MAX_BATCH = 10_000

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Not the document's fault: keep it for a replay rather than declaring it dead.
_SPOOL_STATUS = frozenset({401, 403, 404, 408, 413}) | _RETRY_STATUS
_HIDDEN_FIELDS = ["title_folded", "text_folded", "fingerprint", "stored_at", "seq", "sort_at"]
_TITLE_FIELDS = ("title.folded", "title_folded")
_TEXT_FIELDS = ("text.folded", "text_folded")
_FRAGMENT_CHARS = 180
# What is not a letter or a digit (after folding) separates words.
_NOT_WORD = re.compile(r"[\W_]")
_ELLIPSIS = "…"


# -- text folding -------------------------------------------------------------------------


def _fold_for_index(text: str) -> tuple[str, Sequence[int]]:
    """Lower-case, accent-free text with every character that is not a letter or a digit
    turned into a space, and the map back to ``text``.

    The standard tokenizer keeps "l'élection", "3,5" or "www.example.org" as one token
    where SQLite's unicode61 (and the query language, ``traceur.query.words_of``) cuts at
    every such character; with spaces instead, both stores cut alike. One character for
    one keeps the offsets of ``fold``'s map.
    """
    folded, origin = fold(text)
    return _NOT_WORD.sub(" ", folded), origin


def folded_copy(text: str) -> str:
    """The accent-folded copy indexed as ``title_folded``/``text_folded`` on clusters without
    French analysis (we fold in Python there because the standard analyzer cannot)."""
    return _fold_for_index(text)[0]


# -- the query language -------------------------------------------------------------------


def text_query(text: str) -> dict[str, Any] | None:
    """The Elasticsearch query for ``traceur search`` text (see ``traceur.query``), or None
    when it is blank. A malformed query is a ``StoreError`` naming the column and the fix."""
    if not text.strip():
        return None
    try:
        node = parse(text)
    except QueryError as exc:
        raise StoreError(f"cannot run the search {text!r}: {exc}; check quotes and parentheses") from exc
    return to_elasticsearch(node, [f"{name}^5" for name in _TITLE_FIELDS] + list(_TEXT_FIELDS))


def filter_clauses(query: SearchQuery) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    for field_name, value in (
        ("candidates", query.candidate),
        ("topics", query.topic),
        ("kind", query.kind),
        ("source_id", query.source_id),
    ):
        if value:
            clauses.append({"term": {field_name: value}})
    bounds: dict[str, str] = {}
    if query.since:
        bounds["gte"] = str(format_utc(query.since))
    if query.until:
        bounds["lt"] = str(format_utc(query.until))
    if bounds:
        clauses.append({"range": {"sort_at": bounds}})
    return clauses


def build_query(query: SearchQuery) -> dict[str, Any]:
    must = [clause for clause in [text_query(query.text)] if clause is not None]
    filters = filter_clauses(query)
    if not must and not filters:
        return {"match_all": {}}
    return {"bool": {"must": must, "filter": filters}}


# -- highlight fragments ------------------------------------------------------------------


def _unmark(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    """The fragment without marks, and the (start, end) of each marked span in it.

    Elasticsearch trims fragments with Java's ``String.trim()``, which also strips control
    characters: a fragment that starts (or ends) with a match loses its first (or last)
    mark. A lone end mark therefore opens at 0 and a lone start mark closes at the end.
    """
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    start: int | None = None
    length = 0
    for ch in fragment:
        if ch == HIGHLIGHT_START:
            start = length
        elif ch == HIGHLIGHT_END:
            spans.append((start if start is not None else 0, length))
            start = None
        else:
            plain.append(ch)
            length += 1
    if start is not None:
        spans.append((start, length))
    return "".join(plain), spans


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces += [text[cursor:start], HIGHLIGHT_START, text[start:end], HIGHLIGHT_END]
        cursor = end
    return "".join(pieces + [text[cursor:]])


def _place(original: str, fragment: str, folded: bool, whole: bool) -> str:
    """Put the marks of ``fragment`` (cut from ``original``, or from its folded copy when
    ``folded``) on the original text, with ellipses where the fragment is cut."""
    plain, spans = _unmark(fragment)
    haystack, origin = _fold_for_index(original) if folded else (original, range(len(original)))
    at = haystack.find(plain) if plain else -1
    if at < 0:
        # Not found (should not happen): the fragment as Elasticsearch cut it, marks mended.
        return _mark(plain, spans)
    first, stop = at, at + len(plain)
    if whole:
        # The whole field was highlighted (a title): all of it, whatever the trim took.
        first, stop = 0, len(haystack)
    elif folded:
        # The folded copy has spaces for punctuation, and Elasticsearch trims fragments:
        # "mars." comes back as "mars". Take back the punctuation at both ends (not the
        # text's own spaces).
        while first > 0 and haystack[first - 1] == " " and not original[origin[first - 1]].isspace():
            first -= 1
        while stop < len(haystack) and haystack[stop] == " " and not original[origin[stop]].isspace():
            stop += 1
    begin, finish = origin[first], origin[stop - 1] + 1
    shifted = [(start + at, end + at) for start, end in spans]
    # Marks in original coordinates, then the cut: the text between begin and finish.
    pieces: list[str] = []
    cursor = begin
    for start, end in shifted:
        if end <= start:
            continue
        left, right = origin[start], origin[end - 1] + 1
        pieces += [original[cursor:left], HIGHLIGHT_START, original[left:right], HIGHLIGHT_END]
        cursor = right
    pieces.append(original[cursor:finish])
    text = "".join(pieces)
    if whole:
        return text
    return (_ELLIPSIS if begin > 0 else "") + text.strip() + (_ELLIPSIS if finish < len(original) else "")


def _fragments(hit: dict[str, Any], document: Document) -> tuple[str, ...]:
    found = hit.get("highlight") or {}
    fragments: list[str] = []
    for names, original, whole in ((_TITLE_FIELDS, document.title, True), (_TEXT_FIELDS, document.text, False)):
        for name in names:
            marked = [f for f in found.get(name, []) if HIGHLIGHT_START in f or HIGHLIGHT_END in f]
            if marked:
                fragments.append(_place(original, marked[0], folded=name.endswith("_folded"), whole=whole))
                break
    return tuple(fragments)


_HIGHLIGHT = {
    # Control characters as marks, HTML-unescaped: each front end escapes the text itself.
    "pre_tags": [HIGHLIGHT_START],
    "post_tags": [HIGHLIGHT_END],
    "encoder": "default",
    "fields": {
        **{name: {"number_of_fragments": 0} for name in _TITLE_FIELDS},
        **{name: {"fragment_size": _FRAGMENT_CHARS, "number_of_fragments": 1, "no_match_size": 0} for name in _TEXT_FIELDS},
    },
}


# -- the store ----------------------------------------------------------------------------


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
    return hashlib.sha256(json.dumps(seen, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


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


def _error_type(item: dict[str, Any]) -> str | None:
    error = item.get("error")
    return str(error.get("type")) if isinstance(error, dict) else None


def _reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            text += f" ({cause.get('reason')})"
        return text
    return str(error or f"status {item.get('status')}")


class ElasticsearchStore:
    """Documents in Elasticsearch (see the module docstring). Build it with ``from_settings``;
    the constructor takes a ready client so tests can tune retries and the clock."""

    def __init__(
        self,
        client: Elasticsearch,
        *,
        index_prefix: str = "traceur",
        batch_size: int = 500,
        spool: Spool,
        max_retries: int = MAX_RETRIES,
        initial_backoff: float = INITIAL_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        outage_pause: float = OUTAGE_PAUSE,
        changes_settle: float = CHANGES_SETTLE,
        clock: Callable[[], datetime] = _utc_now,
        display_url: str = "Elasticsearch",
    ) -> None:
        if batch_size < 1:
            raise ConfigError("es_batch_size: must be at least 1")
        self.client = client
        self.names = IndexNames(index_prefix)
        self.batch_size = min(batch_size, MAX_BATCH)
        self.spool = spool
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.outage_pause = outage_pause
        self.changes_settle = changes_settle
        self.clock = clock
        self.display_url = display_url
        # Retries, rejections and spooled documents since the store was opened (for logs and tests).
        self.stats: Counter[str] = Counter()
        self._state = threading.Lock()
        self._replay_lock = threading.Lock()
        self._write_index: str | None = None
        self._write_month: str | None = None
        self._analysis: str | None = None
        self._outage_until = 0.0
        self._last_seq = 0
        # Whether the spool may hold documents (None: not looked yet).
        self._spool_nonempty: bool | None = None
        # A misconfiguration met while writing (refused credentials, no template): raised
        # once the batch is safe in the spool.
        self._fatal: str | None = None

    def __repr__(self) -> str:
        return f"ElasticsearchStore({self.display_url!r}, prefix={self.names.prefix!r})"

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchStore:
        """Open the store named by ``settings.store`` (``es+http://`` or ``es+https://``).
        No request is made here: an unreachable cluster shows at the first write (which spools)."""
        url = settings.store
        if not url.startswith(("es+http://", "es+https://")):
            raise ConfigError(f"store: {url!r} is not an Elasticsearch URL; write es+https://host:9200 (or es+http:// for a cluster without TLS)")
        endpoint = url[len("es+"):]
        parts = urlsplit(endpoint)
        if parts.username or parts.password:
            raise ConfigError(
                "store: put no user name or password in the Elasticsearch URL; set TRACEUR_ES_API_KEY,"
                " or TRACEUR_ES_USERNAME and TRACEUR_ES_PASSWORD, in the environment"
            )
        if not parts.hostname:
            raise ConfigError(f"store: {url!r} names no host; write es+https://host:9200")
        options: dict[str, Any] = {
            "request_timeout": REQUEST_TIMEOUT,
            # The client retries connection failures; 429 and 5xx answers are ours to retry,
            # per document, with backoff.
            "max_retries": 2,
            # A timed-out bulk is spooled and replayed rather than re-sent with its old
            # stored_at stamp (changed_since counts on stamps being recent).
            "retry_on_timeout": False,
            "retry_on_status": (),
        }
        if settings.es_api_key:
            options["api_key"] = settings.es_api_key
        elif settings.es_username or settings.es_password:
            if not (settings.es_username and settings.es_password):
                raise ConfigError("es_username and TRACEUR_ES_PASSWORD go together; set both (or TRACEUR_ES_API_KEY instead)")
            options["basic_auth"] = (settings.es_username, settings.es_password)
        if parts.scheme == "https":
            options["verify_certs"] = settings.es_verify_certs
            if settings.es_ca_certs:
                if not Path(settings.es_ca_certs).is_file():
                    raise ConfigError(f"es_ca_certs: {settings.es_ca_certs!r} is not a file; give the path of the CA certificate (PEM)")
                options["ca_certs"] = settings.es_ca_certs
        elif settings.es_ca_certs:
            raise ConfigError("es_ca_certs is set but the store URL is es+http://; use es+https:// to talk TLS")
        try:
            port = parts.port
            client = Elasticsearch(endpoint, **options)
        except ValueError as exc:
            raise ConfigError(f"store: {url!r} is not a usable Elasticsearch URL ({exc}); write es+https://host:9200") from None
        display = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "") + parts.path.rstrip("/")
        return cls(
            client,
            index_prefix=settings.es_index_prefix,
            batch_size=settings.es_batch_size,
            spool=Spool(Path(settings.data_dir) / "es-spool"),
            display_url=display,
        )

    # -- set-up and state ---------------------------------------------------------------

    def setup(self, analysis: str | None = None) -> dict[str, Any]:
        """Install the component and index templates, the current monthly index and both
        aliases; idempotent. ``analysis`` forces ``"french"`` or ``"standard"``; by default
        French when the cluster offers it. Returns what was done (and a warning on fallback)."""
        try:
            warning = None
            if analysis is None:
                analysis, missing = detect_analysis(self.client)
                if missing:
                    warning = (
                        f"French analysis is not available on this cluster ({missing}); text fields use the"
                        " standard analyzer and accent-folded copies. Every normal Elasticsearch"
                        " distribution has it (module analysis-common): run `traceur es setup` again"
                        " there and the next monthly index gets it."
                    )
            for name, body in component_templates(self.names, analysis).items():
                self.client.cluster.put_component_template(name=name, **body)
            self.client.indices.put_index_template(name=self.names.template, **index_template(self.names, analysis))
            write_index = self._ensure_write_index()
        except (ApiError, TransportError) as exc:
            raise StoreError(f"cannot set up Elasticsearch at {self.display_url}: {exc}") from exc
        return {"analysis": analysis, "warning": warning, "template": self.names.template, "write_index": write_index}

    def _ensure_write_index(self) -> str:
        """Point the write alias at this month's index, creating it from the template when
        needed (our rollover: plain indices, no ILM). Returns the concrete write index."""
        wanted = self.names.monthly(self.clock())
        current = self._alias_target(self.names.write_alias)
        if current is not None and current >= wanted:
            # This month's index already, or a later one made by a crawler whose clock runs ahead.
            return current
        try:
            self.client.indices.create(index=wanted)
        except ApiError as exc:
            # Another crawler created it a moment ago: fine.
            # (An error body has the shape of a bulk item: {"error": {"type": ...}, "status": ...}.)
            if not (isinstance(exc.body, dict) and _error_type(exc.body) == "resource_already_exists_exception"):
                raise
        actions: list[dict[str, Any]] = [{"add": {"index": wanted, "alias": self.names.write_alias, "is_write_index": True}}]
        if current is not None:
            actions.insert(0, {"remove": {"index": current, "alias": self.names.write_alias}})
        self.client.indices.update_aliases(actions=actions)
        if current is not None:
            # Documents written to the old index just now must be visible to the id lookup,
            # or their next update would create a second copy in the new index.
            self.client.indices.refresh(index=current)
        log.info("Elasticsearch write alias %s now points at %s", self.names.write_alias, wanted)
        return wanted

    def _alias_target(self, alias: str) -> str | None:
        try:
            found = self.client.indices.get_alias(name=alias)
        except ApiError as exc:
            if exc.status_code == 404:
                return None
            raise
        indices = sorted(found.body)
        # Several (a rollover caught half-way): the newest one is the write index.
        return indices[-1] if indices else None

    def _ready(self) -> None:
        """Before writing: the write alias exists and points at this month's index."""
        month = f"{self.clock():%Y.%m}"
        with self._state:
            if self._write_month == month and self._write_index is not None:
                return
        try:
            self.client.indices.get_index_template(name=self.names.template)
        except ApiError as exc:
            if exc.status_code == 404:
                raise StoreError(
                    f"Elasticsearch at {self.display_url} has no index template {self.names.template!r};"
                    " run `traceur es setup` first"
                ) from exc
            raise
        write_index = self._ensure_write_index()
        meta = self.client.indices.get_mapping(index=write_index).body[write_index]["mappings"].get("_meta", {})
        with self._state:
            self._write_index = write_index
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
                "Elasticsearch at %s cannot be reached (%s); documents go to the spool %s until it is back"
                " (they are sent on the next run, or by `traceur es replay`)",
                self.display_url, exc, self.spool.path,
            )

    def _stamp(self, count: int) -> tuple[str, int]:
        """``stored_at`` for a bulk attempt of ``count`` documents, and the first of their
        ``seq`` numbers: microseconds since the epoch, one per document, strictly increasing
        within this process (the order of writes, like the SQLite store's seq)."""
        with self._state:
            first = max(int(time.time() * 1_000_000), self._last_seq + 1)
            self._last_seq = first + count - 1
        millis = first // 1000
        stamp = datetime.fromtimestamp(millis // 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
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
                raise StoreError(f"{fatal}; {len(result.spooled)} documents are kept in the spool {self.spool.path}")
        return result

    def _write_batch(self, batch: list[Document]) -> tuple[UpsertResult, list[tuple[Document, str]], list[tuple[Document, str]]]:
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
            return result, [(document, f"Elasticsearch unreachable: {exc}") for document in batch], []
        except ApiError as exc:
            result.spooled = [document.id for document in batch]
            if exc.status_code in (401, 403):
                self._fatal = f"Elasticsearch at {self.display_url} refused the credentials ({exc.status_code}); check TRACEUR_ES_API_KEY or TRACEUR_ES_USERNAME/TRACEUR_ES_PASSWORD"
            elif exc.status_code not in _RETRY_STATUS:
                self._fatal = f"Elasticsearch at {self.display_url} answered {exc.status_code}: {exc}"
            return result, [(document, f"lookup failed: {exc}") for document in batch], []

        # Decide, in order, what each document is; only the last version of an id is sent.
        planned: list[tuple[str, str]] = []
        known = {doc_id: fingerprint for doc_id, (_, fingerprint) in existing.items()}
        latest: dict[str, tuple[Document, dict[str, Any], str]] = {}
        for document in batch:
            data = document.to_dict()
            fingerprint = _fingerprint(data)
            previous = known.get(document.id)
            outcome = "unchanged" if previous == fingerprint else ("updated" if document.id in known else "new")
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
        done, stale, to_spool, refused = self._send(pending)

        for doc_id, outcome in planned:
            if doc_id in stale:
                # A newer version was stored meanwhile: this one changed nothing.
                outcome = "unchanged"
            elif doc_id in to_spool or doc_id in refused:
                if outcome != "unchanged":
                    continue
            getattr(result, outcome).append(doc_id)
        result.spooled = list(to_spool)
        result.failed = {doc_id: reason for doc_id, (_, reason) in refused.items()}
        return result, list(to_spool.values()), list(refused.values())

    def _lookup(self, ids: list[str]) -> dict[str, tuple[str, str | None]]:
        """id → (concrete index, stored fingerprint) for the ids already stored."""
        unique = list(dict.fromkeys(ids))
        # Which monthly index holds each id: a search over the read alias (near real time:
        # it sees what was refreshed, which an older month's index always is)...
        found = self._call(
            self.client.search,
            index=self.names.read_alias,
            query={"ids": {"values": unique}},
            size=len(unique),
            source=False,
            track_total_hits=False,
        )
        where = {hit["_id"]: hit["_index"] for hit in found["hits"]["hits"]}
        # ...then a real-time multi-get there (or in the write index for ids not seen yet),
        # which also sees documents written a moment ago.
        docs = [{"_index": where.get(doc_id, self._write_index), "_id": doc_id} for doc_id in unique]
        got = self._call(self.client.mget, docs=docs, source_includes=["fingerprint"])
        existing: dict[str, tuple[str, str | None]] = {}
        for doc in got["docs"]:
            if doc.get("found"):
                existing[doc["_id"]] = (doc["_index"], (doc.get("_source") or {}).get("fingerprint"))
        return existing

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
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

    def _action(self, document: Document, data: dict[str, Any], fingerprint: str, index: str | None) -> _Pending:
        body = dict(data)
        body["fingerprint"] = fingerprint
        body["sort_at"] = format_utc(document.published_at or document.fetched_at)
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
    ) -> tuple[set[str], set[str], dict[str, tuple[Document, str]], dict[str, tuple[Document, str]]]:
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
                            # The write alias or an index went away: look again before the next batch.
                            with self._state:
                                self._write_month = None
                        if _error_type(item_info) == "security_exception":
                            self._fatal = f"Elasticsearch at {self.display_url} refused the credentials ({status}); check TRACEUR_ES_API_KEY or TRACEUR_ES_USERNAME/TRACEUR_ES_PASSWORD"
                        # A write block, a full disk, an overloaded cluster: not the document's fault.
                        to_spool[doc_id] = (by_id[doc_id].document, _reason(item_info))
                    else:
                        reason = _reason(item_info)
                        refused[doc_id] = (by_id[doc_id].document, reason)
                        log.warning("Elasticsearch refused document %s (%s): %s", doc_id, by_id[doc_id].document.url, reason)
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
                self.spool.remove([(entry.document.id, entry.seq) for entry in entries if entry.document.id not in left])
                total.merge(outcome)
                if left:
                    break
            pending = self.spool.pending()
            with self._state:
                self._spool_nonempty = pending > 0
        if total.new or total.updated or total.unchanged or total.failed:
            log.info(
                "replayed spooled documents into %s: %d new, %d updated, %d unchanged, %d refused, %d still waiting",
                self.display_url, len(total.new), len(total.updated), len(total.unchanged), len(total.failed), pending,
            )
        if self._fatal is not None and total.spooled:
            fatal, self._fatal = self._fatal, None
            raise StoreError(f"{fatal}; {pending} documents wait in the spool {self.spool.path}")
        return total

    # -- reading --------------------------------------------------------------------------

    def _read(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return self._call(method, **kwargs)
        except ApiError as exc:
            if exc.status_code == 404:
                raise StoreError(
                    f"Elasticsearch at {self.display_url} has no index {self.names.read_alias!r}; run `traceur es setup` first"
                ) from exc
            if exc.status_code == 400:
                raise StoreError(f"Elasticsearch refused the request: {exc}") from exc
            raise StoreError(f"cannot read from Elasticsearch at {self.display_url}: {exc}") from exc
        except TransportError as exc:
            raise StoreError(f"cannot reach Elasticsearch at {self.display_url}: {exc}") from exc

    def get(self, doc_id: str) -> Document | None:
        found = self._read(
            self.client.search,
            index=self.names.read_alias,
            query={"ids": {"values": [doc_id]}},
            size=1,
            source_excludes=_HIDDEN_FIELDS,
        )
        hits = found["hits"]["hits"]
        if hits:
            # Real time: the search copy may predate the last write.
            index = hits[0]["_index"]
        else:
            index = self._write_index or self._read_write_index()
            if index is None:
                return None
        try:
            got = self.client.get(index=index, id=doc_id, source_excludes=_HIDDEN_FIELDS)
        except ApiError as exc:
            if exc.status_code == 404:
                return None
            raise StoreError(f"cannot read from Elasticsearch at {self.display_url}: {exc}") from exc
        except TransportError as exc:
            raise StoreError(f"cannot reach Elasticsearch at {self.display_url}: {exc}") from exc
        return Document.from_dict(got["_source"])

    def _read_write_index(self) -> str | None:
        try:
            return self._alias_target(self.names.write_alias)
        except (ApiError, TransportError) as exc:
            raise StoreError(f"cannot read from Elasticsearch at {self.display_url}: {exc}") from exc

    def search(self, query: SearchQuery) -> list[SearchHit]:
        body_query = build_query(query)
        # build_query has parsed the text (or refused it): blank or not is all that is left.
        has_text = bool(query.text.strip())
        sort: list[Any] = [{"sort_at": {"order": "desc", "missing": "_last"}}, {"seq": {"order": "desc"}}]
        if has_text:
            sort.insert(0, "_score")
        found = self._read(
            self.client.search,
            index=self.names.read_alias,
            query=body_query,
            size=query.limit,
            sort=sort,
            source_excludes=_HIDDEN_FIELDS,
            highlight=_HIGHLIGHT if has_text else None,
            track_total_hits=False,
        )
        hits: list[SearchHit] = []
        for hit in found["hits"]["hits"]:
            document = Document.from_dict(hit["_source"])
            score = float(hit.get("_score") or 0.0)
            hits.append(SearchHit(document, score, _fragments(hit, document) if has_text else ()))
        return hits

    def count(self, query: SearchQuery | None = None) -> int:
        body_query = build_query(query or SearchQuery())
        return int(self._read(self.client.count, index=self.names.read_alias, query=body_query)["count"])

    def iter_documents(self) -> Iterator[Document]:
        try:
            for hit in helpers.scan(
                self.client,
                index=self.names.read_alias,
                query={"query": {"match_all": {}}},
                size=500,
                source_excludes=_HIDDEN_FIELDS,
            ):
                yield Document.from_dict(hit["_source"])
        except ApiError as exc:
            raise StoreError(f"cannot read from Elasticsearch at {self.display_url}: {exc}") from exc
        except TransportError as exc:
            raise StoreError(f"cannot reach Elasticsearch at {self.display_url}: {exc}") from exc

    def changed_since(self, watermark: str | None, limit: int = 500) -> tuple[list[Document], str | None]:
        """Documents stored or changed after ``watermark``, oldest first (see ``Store``).

        Ordered by ``seq`` (then id, should two crawler processes pick the same number);
        the watermark is ``"<seq>:<id>"`` of the last one returned. Searches see a write
        about a second after it (the refresh interval), and a bulk request may take up to
        the request timeout: documents are returned once their ``stored_at`` is
        ``changes_settle`` seconds old, so none is skipped by a reader that ran while it
        was in flight.
        """
        after: list[Any] | None = None
        if watermark:
            stamp, _, doc_id = watermark.partition(":")
            if not stamp.isdigit() or not doc_id:
                raise StoreError(f"watermark {watermark!r} does not come from the Elasticsearch store; start again from None")
            after = [int(stamp), doc_id]
        settled = int(time.time() * 1000) - int(self.changes_settle * 1000)
        found = self._read(
            self.client.search,
            index=self.names.read_alias,
            query={"range": {"stored_at": {"lte": settled, "format": "epoch_millis"}}},
            sort=[{"seq": "asc"}, {"id": "asc"}],
            search_after=after,
            size=limit,
            source_excludes=_HIDDEN_FIELDS,
            track_total_hits=False,
        )
        hits = found["hits"]["hits"]
        if not hits:
            return [], watermark
        last = hits[-1]["sort"]
        return [Document.from_dict(hit["_source"]) for hit in hits], f"{int(last[0])}:{last[1]}"

    def refresh(self) -> None:
        """Make every write visible to searches now (tests, and tools that read right after writing)."""
        self._read(self.client.indices.refresh, index=self.names.read_alias)

    def status(self) -> dict[str, Any]:
        """Cluster health, template, aliases, document counts and the spool, for ``traceur es status``."""
        try:
            health = self.client.cluster.health().body
            nodes = self.client.nodes.info(filter_path="nodes.*.version").body.get("nodes", {})
            versions = sorted({str(node.get("version")) for node in nodes.values()})
            try:
                templates = self.client.indices.get_index_template(name=self.names.template).body["index_templates"]
                template: dict[str, Any] | None = templates[0]["index_template"] if templates else None
            except ApiError as exc:
                if exc.status_code != 404:
                    raise
                template = None
            write_index = self._alias_target(self.names.write_alias)
            indices: dict[str, int] = {}
            try:
                aliased = self.client.indices.get_alias(name=self.names.read_alias).body
            except ApiError as exc:
                if exc.status_code != 404:
                    raise
                aliased = {}
            if aliased:
                stats = self.client.cat.indices(index=list(aliased), format="json", h="index,docs.count")
                rows: list[dict[str, Any]] = stats.body  # type: ignore[assignment]
                indices = {row["index"]: int(row.get("docs.count") or 0) for row in rows}
            analysis = None
            if write_index:
                meta = self.client.indices.get_mapping(index=write_index).body[write_index]["mappings"].get("_meta", {})
                analysis = meta.get("traceur_analysis")
        except (ApiError, TransportError) as exc:
            raise StoreError(f"cannot read the state of Elasticsearch at {self.display_url}: {exc}") from exc
        return {
            "url": self.display_url,
            "cluster": {
                "name": health.get("cluster_name"),
                "status": health.get("status"),
                "nodes": health.get("number_of_nodes"),
                "versions": versions,
            },
            "template": {
                "name": self.names.template,
                "present": template is not None,
                "version": template.get("version") if template else None,
                "analysis": ((template or {}).get("_meta") or {}).get("traceur_analysis"),
            },
            "write_alias": {"name": self.names.write_alias, "index": write_index, "analysis": analysis},
            "read_alias": {"name": self.names.read_alias, "indices": indices},
            "documents": sum(indices.values()),
            "spool": {"path": str(self.spool.path), "pending": self.spool.pending(), "dead_letters": self.spool.dead_letter_count()},
        }

    def close(self) -> None:
        self.spool.close()
        self.client.close()


__all__ = ["ElasticsearchStore", "build_query", "folded_copy", "text_query"]
