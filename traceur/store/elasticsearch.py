"""The Elasticsearch store: monthly indices behind a write alias and a read alias.

Settings (see config/traceur.yaml): ``store: es+https://host:9200`` (or ``es+http://``),
``es_index_prefix``, ``es_batch_size``, ``es_verify_certs``; from the environment only:
``TRACEUR_ES_API_KEY``, or ``TRACEUR_ES_USERNAME`` and ``TRACEUR_ES_PASSWORD``, and
``TRACEUR_ES_CA_CERTS`` for a private certificate authority. Run ``traceur es setup`` once
per cluster (it is safe to run again).

Writing (fingerprints, external versions, per-document judging of bulk answers, retries,
the spool) is ``traceur.store.es_bulk``; the query language, filters and highlights are
``traceur.store.es_query``.

Fields of the store's own, beside the document's: ``fingerprint``; ``sort_at``
(``published_at``, or ``fetched_at`` for a page without a date: the date filters and the
order of listings, as in SQLite); ``stored_at`` and ``seq`` (when, and in which order, each
version was written: ``changed_since`` reads by ``seq``); ``snippets`` (the mentions'
snippets as searchable text, for Kibana: ``mentions`` itself is not indexed).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers

from traceur.document import Document
from traceur.errors import ConfigError, StoreError
from traceur.store.base import (
    UNSET,
    DocumentVersion,
    SearchHit,
    SearchPage,
    SearchQuery,
    Triage,
    TriageEvent,
    UpsertResult,
)
from traceur.store.es_bulk import (
    INITIAL_BACKOFF,
    MAX_BACKOFF,
    MAX_RETRIES,
    OUTAGE_PAUSE,
    BulkWriter,
    error_type,
    indices_of,
)
from traceur.store.es_client import connect
from traceur.store.es_purge import purge_expired
from traceur.store.es_query import (
    HIDDEN_FIELDS,
    HIGHLIGHT,
    build_query,
    clause_limit_error,
    highlight_fragments,
)
from traceur.store.es_status import cluster_status
from traceur.store.es_template import (
    ANALYSIS_FRENCH,
    ANALYSIS_STANDARD,
    IndexNames,
    ShardLayout,
    component_templates,
    count_data_nodes,
    detect_analysis,
    index_template,
    mappings,
    shard_layout,
    side_indices,
)
from traceur.store.es_triage import EsTriage, ensure_index
from traceur.store.es_web import EsVersions, EsWeb
from traceur.store.expiry import ExpiryPlan, StorePurge
from traceur.store.spool import Spool

if TYPE_CHECKING:
    from traceur.config import Settings

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# changed_since returns a document once its stored_at is this old (seconds): longer than a
# bulk request may take plus the refresh interval.
CHANGES_SETTLE = 45.0

_HIDDEN_FIELDS = HIDDEN_FIELDS


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
        shards: int | None = None,
        replicas: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ConfigError("es_batch_size: must be at least 1")
        self.client = client
        self.names = IndexNames(index_prefix)
        self.spool = spool
        self.changes_settle = changes_settle
        self.display_url = display_url
        # The es_shards and es_replicas settings; None: from the cluster's size at setup.
        self.shards = shards
        self.replicas = replicas
        self.writer = BulkWriter(
            client,
            self.names,
            batch_size=batch_size,
            spool=spool,
            ensure_write_index=self._ensure_write_index,
            clock=clock,
            display_url=display_url,
            max_retries=max_retries,
            initial_backoff=initial_backoff,
            max_backoff=max_backoff,
            outage_pause=outage_pause,
            versions=EsVersions(client, self.names),
        )
        self.triage_index = EsTriage(client, self.names, self._read, display_url)
        self.web = EsWeb(client, self.names, self._read, self._query_body)

    def __repr__(self) -> str:
        return f"ElasticsearchStore({self.display_url!r}, prefix={self.names.prefix!r})"

    # The writer's settings and state, read and tuned through the store (tests shorten the
    # waits and move the clock on the store they opened).

    @property
    def batch_size(self) -> int:
        return self.writer.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self.writer.batch_size = value

    @property
    def max_retries(self) -> int:
        return self.writer.max_retries

    @max_retries.setter
    def max_retries(self, value: int) -> None:
        self.writer.max_retries = value

    @property
    def initial_backoff(self) -> float:
        return self.writer.initial_backoff

    @initial_backoff.setter
    def initial_backoff(self, value: float) -> None:
        self.writer.initial_backoff = value

    @property
    def max_backoff(self) -> float:
        return self.writer.max_backoff

    @max_backoff.setter
    def max_backoff(self, value: float) -> None:
        self.writer.max_backoff = value

    @property
    def outage_pause(self) -> float:
        return self.writer.outage_pause

    @outage_pause.setter
    def outage_pause(self, value: float) -> None:
        self.writer.outage_pause = value

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.writer.clock

    @clock.setter
    def clock(self, value: Callable[[], datetime]) -> None:
        self.writer.clock = value

    @property
    def stats(self) -> Counter[str]:
        """Retries, rejections and spooled documents since the store was opened (for logs and
        tests)."""
        return self.writer.stats

    @property
    def _write_index(self) -> str | None:
        """The concrete write index the writer last made sure of (tests block or unalias it)."""
        return self.writer.write_index

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchStore:
        """Open the store named by ``settings.store`` (``es+http://`` or ``es+https://``, one
        node or several: see ``traceur.store.es_client``). No request is made here: an
        unreachable cluster shows at the first write (which spools)."""
        connection = connect(settings)
        return cls(
            connection.client,
            index_prefix=settings.es_index_prefix,
            batch_size=settings.es_batch_size,
            spool=Spool(Path(settings.data_dir) / "es-spool"),
            display_url=connection.display_url,
            shards=settings.es_shards,
            replicas=settings.es_replicas,
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
                        f"French analysis is not available on this cluster ({missing});"
                        " text fields use the standard analyzer and accent-folded copies."
                        " Every normal Elasticsearch distribution has it (module analysis-common):"
                        " run `traceur es setup` again there and the next monthly index gets it."
                    )
            layout = self._layout()
            for name, body in component_templates(self.names, analysis, layout).items():
                self.client.cluster.put_component_template(name=name, **body)
            self.client.indices.put_index_template(
                name=self.names.template, **index_template(self.names, analysis)
            )
            write_index = self._ensure_write_index()
            self._map_new_fields()
            for name, body in side_indices(self.names).items():
                ensure_index(self.client, name, body)
            # Replicas can change on live indices (shards cannot: they follow from the next
            # monthly index on), so a cluster that grew gets its copies at once.
            self.client.indices.put_settings(
                index=[self.names.pattern, *side_indices(self.names)],
                settings={
                    "index": {"auto_expand_replicas": False, "number_of_replicas": layout.replicas}
                },
            )
        except (ApiError, TransportError) as exc:
            raise StoreError(f"cannot set up Elasticsearch at {self.display_url}: {exc}") from exc
        if layout.warning:
            warning = f"{warning} {layout.warning}" if warning else layout.warning
        return {
            "analysis": analysis,
            "warning": warning,
            "shards": layout.shards,
            "replicas": layout.replicas,
            "data_nodes": layout.data_nodes,
            "template": self.names.template,
            "write_index": write_index,
            "side_indices": list(side_indices(self.names)),
        }

    def _layout(self) -> ShardLayout:
        """Shards and replicas for this cluster's data nodes, or as the settings force them."""
        found = self.client.nodes.info(metric="settings", filter_path="nodes.*.roles").body
        return shard_layout(count_data_nodes(found.get("nodes", {})), self.shards, self.replicas)

    def _map_new_fields(self) -> None:
        """Add to the existing monthly indices the fields the template gained since they were
        made (new fields only: a changed one needs a new index), each with its own analysis,
        so Kibana can use them on older months too once their documents are written again."""
        found = self.client.indices.get_mapping(index=self.names.pattern)
        for index, body in dict(found).items():
            mapping = body.get("mappings", {})
            analysis = mapping.get("_meta", {}).get("traceur_analysis")
            if analysis not in (ANALYSIS_FRENCH, ANALYSIS_STANDARD):
                continue  # not made by Traceur's template: leave it alone
            known = mapping.get("properties", {})
            wanted = mappings(analysis)["properties"]
            missing = {name: field for name, field in wanted.items() if name not in known}
            if missing:
                self.client.indices.put_mapping(index=index, properties=missing)
                log.info("Elasticsearch index %s: mapped new fields %s", index, sorted(missing))

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
            if not (
                isinstance(exc.body, dict)
                and error_type(exc.body) == "resource_already_exists_exception"
            ):
                raise
        actions: list[dict[str, Any]] = [
            {"add": {"index": wanted, "alias": self.names.write_alias, "is_write_index": True}}
        ]
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

    # -- writing --------------------------------------------------------------------------

    def upsert(self, documents: Iterable[Document]) -> UpsertResult:
        """Store ``documents``; see ``UpsertResult`` for what each one became. Spooled
        documents from an earlier outage are sent first, so older versions go first."""
        return self.writer.upsert(documents)

    def replay(self) -> UpsertResult:
        """Send the spooled documents again, oldest first; idempotent. Stops at the first
        batch that cannot be sent (the rest waits for the next replay)."""
        return self.writer.replay()

    # -- reading --------------------------------------------------------------------------

    def _read(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return self.writer.call(method, **kwargs)
        except ApiError as exc:
            if exc.status_code == 404:
                raise StoreError(
                    f"Elasticsearch at {self.display_url} has no index {self.names.read_alias!r};"
                    " run `traceur es setup` first"
                ) from exc
            if exc.status_code == 400:
                raise StoreError(f"Elasticsearch refused the request: {exc}") from exc
            raise StoreError(
                f"cannot read from Elasticsearch at {self.display_url}: {exc}"
            ) from exc
        except TransportError as exc:
            raise StoreError(f"cannot reach Elasticsearch at {self.display_url}: {exc}") from exc

    def stored(self, doc_ids: Sequence[str]) -> set[str]:
        unique = list(dict.fromkeys(doc_ids))
        if not unique:
            return set()
        where = indices_of(self._read, self.client, self.names.read_alias, unique)
        # Then real time, as ``get``: the search copy may predate the last write.
        latest = None
        if len(where) < len(unique):
            latest = self.writer.write_index or self._read_write_index()
        docs = [
            {"_index": where.get(doc_id, latest), "_id": doc_id}
            for doc_id in unique
            if doc_id in where or latest is not None
        ]
        if not docs:
            return set()
        got = self._read(self.client.mget, docs=docs, source=False)
        return {str(doc["_id"]) for doc in got["docs"] if doc.get("found")}

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
            index = self.writer.write_index or self._read_write_index()
            if index is None:
                return None
        try:
            got = self.client.get(index=index, id=doc_id, source_excludes=_HIDDEN_FIELDS)
        except ApiError as exc:
            if exc.status_code == 404:
                return None
            raise StoreError(
                f"cannot read from Elasticsearch at {self.display_url}: {exc}"
            ) from exc
        except TransportError as exc:
            raise StoreError(f"cannot reach Elasticsearch at {self.display_url}: {exc}") from exc
        return Document.from_dict(got["_source"])

    def _read_write_index(self) -> str | None:
        try:
            return self._alias_target(self.names.write_alias)
        except (ApiError, TransportError) as exc:
            raise StoreError(
                f"cannot read from Elasticsearch at {self.display_url}: {exc}"
            ) from exc

    def search(self, query: SearchQuery) -> list[SearchHit]:
        body_query = self._query_body(query)
        # build_query has parsed the text (or refused it): blank or not is all that is left.
        has_text = bool(query.text.strip())
        sort: list[Any] = [
            {"sort_at": {"order": "desc", "missing": "_last"}},
            {"seq": {"order": "desc"}},
        ]
        if has_text:
            sort.insert(0, "_score")
        try:
            found = self._read(
                self.client.search,
                index=self.names.read_alias,
                query=body_query,
                size=query.limit,
                sort=sort,
                source_excludes=_HIDDEN_FIELDS,
                highlight=HIGHLIGHT if has_text else None,
                track_total_hits=False,
            )
        except StoreError as exc:
            # A prefix that matches too many words: say which one, by its column.
            clearer = clause_limit_error(query.text, exc)
            if clearer is None:
                raise
            raise clearer from exc
        hits: list[SearchHit] = []
        for hit in found["hits"]["hits"]:
            document = Document.from_dict(hit["_source"])
            score = float(hit.get("_score") or 0.0)
            hits.append(
                SearchHit(document, score, highlight_fragments(hit, document) if has_text else ())
            )
        return hits

    def count(self, query: SearchQuery | None = None) -> int:
        body_query = self._query_body(query or SearchQuery())
        return int(
            self._read(self.client.count, index=self.names.read_alias, query=body_query)["count"]
        )

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
            raise StoreError(
                f"cannot read from Elasticsearch at {self.display_url}: {exc}"
            ) from exc
        except TransportError as exc:
            raise StoreError(f"cannot reach Elasticsearch at {self.display_url}: {exc}") from exc

    def changed_since(
        self, watermark: str | None, limit: int = 500
    ) -> tuple[list[Document], str | None]:
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
                raise StoreError(
                    f"watermark {watermark!r} does not come from the Elasticsearch store;"
                    " start again from None"
                )
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
        """Make every write visible to searches now (tests, and tools that read right after
        writing)."""
        self._read(
            self.client.options(ignore_status=404).indices.refresh,
            index=[self.names.read_alias, self.names.triage, self.names.versions],
            ignore_unavailable=True,
        )

    def status(self) -> dict[str, Any]:
        """Cluster health, template, aliases, document counts and the spool, for
        ``traceur es status`` (``traceur.store.es_status``)."""
        return cluster_status(
            self.client, self.names, self.display_url, self.spool, self._alias_target
        )

    # -- what the web app reads -------------------------------------------------------------

    def _query_body(self, query: SearchQuery) -> dict[str, Any]:
        """``query`` as an Elasticsearch query, its triage filters read from the triage index."""
        filters, must_not = self.triage_index.filters(query.triage_state, query.assignee)
        return build_query(query, filters, must_not)

    def search_page(self, query: SearchQuery) -> SearchPage:
        return self.web.search_page(query)

    def facets(
        self, query: SearchQuery, fields: Sequence[str], size: int = 20
    ) -> dict[str, list[tuple[str, int]]]:
        return self.web.facets(query, fields, size, self.triage_index.facet_filters)

    def daily_counts(
        self, query: SearchQuery, field: str, tz: str = "Europe/Paris"
    ) -> list[tuple[date, str, int]]:
        return self.web.daily_counts(query, field, tz)

    def cluster_members(self, cluster_id: str, limit: int = 50) -> list[Document]:
        return self.web.cluster_members(cluster_id, limit)

    def thread(self, thread_url: str, limit: int = 500) -> list[Document]:
        return self.web.thread(thread_url, limit)

    def versions(self, doc_id: str) -> list[DocumentVersion]:
        return self.web.versions(doc_id)

    # -- triage ---------------------------------------------------------------------------

    def triage(self, doc_ids: Sequence[str]) -> dict[str, Triage]:
        return self._triage_call(self.triage_index.get_many, doc_ids)

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
        return self._triage_call(
            self.triage_index.update,
            doc_id,
            by=by,
            expected_revision=expected_revision,
            state=state,
            assignee=assignee,
            comment=comment,
        )

    def triage_history(self, doc_id: str) -> list[TriageEvent]:
        return self._triage_call(self.triage_index.history, doc_id)

    def _triage_call(self, method: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        try:
            return method(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            raise StoreError(
                f"cannot reach the triage index of Elasticsearch at {self.display_url}: {exc}"
            ) from exc

    def purge_expired(self, plan: ExpiryPlan) -> StorePurge:
        """Expired documents, whole expired monthly indices, their triage and versions
        (``traceur.store.es_purge``)."""
        return purge_expired(self.client, self.names, plan, self.display_url)

    def close(self) -> None:
        self.spool.close()
        self.client.close()
