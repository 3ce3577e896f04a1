"""Index names, the composable index template and its mapping, and what the cluster can analyse.

Layout (``<prefix>`` is the ``es_index_prefix`` setting)::

    <prefix>-docs-YYYY.MM        monthly indices, created from the index template
    <prefix>-docs-write          write alias: the current month's index only
    <prefix>-docs                read alias: every monthly index (searches, Kibana)
    <prefix>-triage              the volunteers' triage of each document, with its history
    <prefix>-versions            earlier titles and texts of edited documents

Triage and versions live outside the monthly indices, keyed by document id, so a template
upgrade, a new month or a re-indexed document never touches them.

The index template ``<prefix>-docs`` is composed of two component templates,
``<prefix>-docs@settings`` and ``<prefix>-docs@mappings``, and of an optional
``<prefix>-docs@custom`` that an operator may create to override them (replicas, refresh
interval) without editing Traceur.

Text analysis: a normal Elasticsearch distribution ships the ``analysis-common`` module,
and the text fields then use a French analyzer (elision, lower case, French stop words,
ASCII folding, light stemming) with an accent-folded ``.folded`` sub-field for the
``traceur search`` query language. A stripped distribution (the ``integ-test-zip`` the tests
run) only has the standard analyzer: the mapping then falls back to ``standard`` and the
store indexes accent-folded copies of title and text computed in Python
(``title_folded``/``text_folded``). ``detect_analysis`` tells which one the cluster offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from traceur.errors import ConfigError

SCHEMA_VERSION = 1
ANALYSIS_FRENCH = "french"
ANALYSIS_STANDARD = "standard"

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")

# French articles and pronouns that elide before a vowel (l'élection, qu'il, jusqu'au).
_ELIDED = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]


@dataclass(frozen=True)
class IndexNames:
    """Every name derived from the index prefix."""

    prefix: str

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            raise ConfigError(
                f"es_index_prefix: {self.prefix!r} cannot start an index name;"
                " use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit"
                " (e.g. traceur)"
            )

    @property
    def template(self) -> str:
        return f"{self.prefix}-docs"

    @property
    def settings_component(self) -> str:
        return f"{self.prefix}-docs@settings"

    @property
    def mappings_component(self) -> str:
        return f"{self.prefix}-docs@mappings"

    @property
    def custom_component(self) -> str:
        return f"{self.prefix}-docs@custom"

    @property
    def read_alias(self) -> str:
        return f"{self.prefix}-docs"

    @property
    def write_alias(self) -> str:
        return f"{self.prefix}-docs-write"

    @property
    def pattern(self) -> str:
        return f"{self.prefix}-docs-*"

    @property
    def triage(self) -> str:
        return f"{self.prefix}-triage"

    @property
    def versions(self) -> str:
        return f"{self.prefix}-versions"

    def monthly(self, when: datetime) -> str:
        """The index that receives new documents during ``when``'s month."""
        return f"{self.prefix}-docs-{when:%Y.%m}"


# -- analysis ----------------------------------------------------------------------------


def french_analysis() -> dict[str, Any]:
    """Index analysis settings for the French variant (needs the analysis-common module)."""
    return {
        "char_filter": {
            # The query language splits on apostrophes like SQLite's unicode61 tokenizer does,
            # so "election" finds "l'élection" in the folded sub-field too.
            "traceur_apostrophes": {
                "type": "mapping",
                "mappings": ["' => \\u0020", "’ => \\u0020"],
            },
            # The same for every character that is not a letter, a digit or an accent: the
            # standard tokenizer alone keeps "3,5", "a_b" or "www.example.org" whole, where
            # unicode61 and traceur.query cut them, and NEAR/n counts the words between.
            "traceur_separators": {
                "type": "pattern_replace",
                "pattern": "[^\\p{L}\\p{N}\\p{M}]",
                "replacement": " ",
            },
        },
        "filter": {
            "traceur_elision": {"type": "elision", "articles_case": True, "articles": _ELIDED},
            "traceur_french_stop": {"type": "stop", "stopwords": "_french_"},
            "traceur_french_stemmer": {"type": "stemmer", "language": "light_french"},
        },
        "analyzer": {
            # Stop words are removed before folding: the _french_ list is accented ("été", "à").
            "traceur_french": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "traceur_elision",
                    "lowercase",
                    "traceur_french_stop",
                    "asciifolding",
                    "traceur_french_stemmer",
                ],
            },
            # No stemming and no stop words: the same words match as in the SQLite store.
            "traceur_folded": {
                "type": "custom",
                "char_filter": ["traceur_apostrophes", "traceur_separators"],
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding"],
            },
        },
    }


def detect_analysis(client: Any) -> tuple[str, str | None]:
    """(``"french"``, None) when the cluster has the French analysis components, else
    (``"standard"``, why not). Asks ``_analyze`` with the very filters the template uses."""
    from elasticsearch import ApiError

    analysis = french_analysis()
    try:
        client.indices.analyze(
            tokenizer="standard",
            char_filter=[
                analysis["char_filter"]["traceur_apostrophes"],
                analysis["char_filter"]["traceur_separators"],
            ],
            filter=[
                analysis["filter"]["traceur_elision"],
                "lowercase",
                analysis["filter"]["traceur_french_stop"],
                "asciifolding",
                analysis["filter"]["traceur_french_stemmer"],
            ],
            text="L'élection des députés",
        )
    except ApiError as exc:
        if exc.status_code == 400:
            reason = _error_reason(exc)
            return ANALYSIS_STANDARD, reason
        raise
    return ANALYSIS_FRENCH, None


def _error_reason(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("reason"):
            return str(error["reason"])
    return str(exc)


# -- mapping -----------------------------------------------------------------------------


def _keyword(ignore_above: int | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "keyword"}
    if ignore_above:
        field["ignore_above"] = ignore_above
    return field


def mappings(analysis: str) -> dict[str, Any]:
    """The explicit mapping of every document field (and of the store's own fields)."""
    if analysis not in (ANALYSIS_FRENCH, ANALYSIS_STANDARD):
        raise ValueError(f"unknown analysis {analysis!r}")
    french = analysis == ANALYSIS_FRENCH
    analyzer = "traceur_french" if french else "standard"

    def text(keyword: int | None = None, folded: bool = False) -> dict[str, Any]:
        field: dict[str, Any] = {"type": "text", "analyzer": analyzer}
        subfields: dict[str, Any] = {}
        if keyword:
            subfields["keyword"] = _keyword(keyword)
        if folded and french:
            subfields["folded"] = {"type": "text", "analyzer": "traceur_folded"}
        if subfields:
            field["fields"] = subfields
        return field

    properties: dict[str, Any] = {
        "id": _keyword(),
        "url": _keyword(4096),
        "canonical_url": _keyword(4096),
        "domain": _keyword(),
        "kind": _keyword(),
        "source_id": _keyword(),
        # Kibana sorts and aggregates on the keyword sub-fields.
        "title": text(keyword=512, folded=True),
        "text": text(folded=True),
        "author": text(keyword=256),
        "published_at": {"type": "date"},
        "fetched_at": {"type": "date"},
        "lang": _keyword(),
        "thread_url": _keyword(4096),
        "post_id": _keyword(),
        "position": {"type": "integer"},
        "parent_id": _keyword(),
        "candidates": _keyword(),
        "topics": _keyword(),
        # Keys are candidate and topic ids: indexing them would grow the mapping with every
        # watchlist edit. Kept in _source for readers; searches use candidates/topics.
        "mentions": {"type": "object", "enabled": False},
        "content_hash": _keyword(),
        "cluster_id": _keyword(),
        "truncated": {"type": "boolean"},
        "video": {
            "properties": {
                "channel": text(keyword=256),
                # Scraped counters come in odd shapes ("1,2 k vues"); a bad one must not cost the
                # document.
                "duration": {"type": "integer", "ignore_malformed": True},
                "views": {"type": "long", "ignore_malformed": True},
                "thumbnail": {"type": "keyword", "index": False, "doc_values": False},
                "captions": {"type": "text", "analyzer": analyzer},
            }
        },
        # The store's own fields.
        "sort_at": {"type": "date"},  # published_at, or fetched_at when the page has no date
        "stored_at": {"type": "date"},  # when this version was stored
        "seq": {"type": "long"},  # order of writes (microseconds): the alerts' watermark
        "fingerprint": {"type": "keyword", "index": False, "doc_values": False},
        # The mentions' snippets as plain texts (``mentions`` is not indexed): Kibana's saved
        # search shows them as a column, and analysts can search inside them.
        "snippets": {"type": "text", "analyzer": analyzer},
    }
    if not french:
        # Accent-folded copies made in Python (see es_query.folded_copy): the standard
        # analyzer lower-cases but does not fold accents.
        properties["title_folded"] = {"type": "text", "analyzer": "standard"}
        properties["text_folded"] = {"type": "text", "analyzer": "standard"}
    return {
        # Unknown fields are kept in _source but not indexed: a new document field never
        # breaks indexing, and it shows up in Kibana once the mapping names it.
        "dynamic": False,
        "_meta": {"traceur_schema": SCHEMA_VERSION, "traceur_analysis": analysis},
        "properties": properties,
    }


# Primary shards chosen from the cluster's size: one per data node, up to this many. A
# month of a campaign's mentions is a few GB to tens of GB; shards of 10-50 GB search best,
# and every further shard is one more piece each search waits for.
MAX_AUTO_SHARDS = 3


@dataclass(frozen=True)
class ShardLayout:
    """Primary shards of a new monthly index and replicas of every index, for a cluster of
    ``data_nodes`` data nodes (see ``shard_layout``)."""

    shards: int
    replicas: int
    data_nodes: int

    @property
    def warning(self) -> str | None:
        """Why the cluster cannot be green with this layout, or None."""
        if self.replicas >= max(self.data_nodes, 1):
            return (
                f"es_replicas {self.replicas} needs at least {self.replicas + 1} data nodes"
                f" (the cluster has {self.data_nodes}): the extra copies stay unassigned and"
                f" the health yellow; set es_replicas to at most {max(self.data_nodes - 1, 0)}"
                " or leave it null"
            )
        return None


def shard_layout(data_nodes: int, shards: int | None, replicas: int | None) -> ShardLayout:
    """The layout for ``data_nodes`` data nodes; ``shards`` and ``replicas`` (the es_shards and
    es_replicas settings) override the choice when not None."""
    if shards is not None and shards < 1:
        raise ConfigError("es_shards: an index needs at least 1 primary shard; or leave it null")
    chosen_shards = shards if shards is not None else min(max(data_nodes, 1), MAX_AUTO_SHARDS)
    # A replica never shares its primary's node: one node can hold no replica at all.
    chosen_replicas = replicas if replicas is not None else (1 if data_nodes >= 2 else 0)
    return ShardLayout(chosen_shards, chosen_replicas, data_nodes)


def count_data_nodes(nodes: dict[str, Any]) -> int:
    """Data nodes among ``nodes`` (the ``nodes`` of ``GET _nodes/settings`` filtered to roles):
    those that may hold ordinary indices (role ``data``, or the ``data_content`` tier)."""
    return sum(
        1 for node in nodes.values() if {"data", "data_content"} & set(node.get("roles") or ())
    )


def index_settings(analysis: str, layout: ShardLayout) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "number_of_shards": layout.shards,
        "number_of_replicas": layout.replicas,
    }
    if analysis == ANALYSIS_FRENCH:
        settings["analysis"] = french_analysis()
    return {"index": settings}


def component_templates(
    names: IndexNames, analysis: str, layout: ShardLayout
) -> dict[str, dict[str, Any]]:
    """Component template name → body for ``cluster.put_component_template``."""
    meta = {"managed_by": "traceur", "traceur_schema": SCHEMA_VERSION, "traceur_analysis": analysis}
    return {
        names.settings_component: {
            "template": {"settings": index_settings(analysis, layout)},
            "version": SCHEMA_VERSION,
            "_meta": meta,
        },
        names.mappings_component: {
            "template": {"mappings": mappings(analysis)},
            "version": SCHEMA_VERSION,
            "_meta": meta,
        },
    }


def index_template(names: IndexNames, analysis: str) -> dict[str, Any]:
    """Body for ``indices.put_index_template``."""
    return {
        "index_patterns": [names.pattern],
        "composed_of": [names.settings_component, names.mappings_component, names.custom_component],
        "ignore_missing_component_templates": [names.custom_component],
        # Above the built-in templates (priority ≤ 100) so ours always applies.
        "priority": 200,
        "version": SCHEMA_VERSION,
        "template": {"aliases": {names.read_alias: {}}},
        "_meta": {
            "managed_by": "traceur",
            "traceur_schema": SCHEMA_VERSION,
            "traceur_analysis": analysis,
        },
    }


def side_indices(names: IndexNames) -> dict[str, dict[str, Any]]:
    """Index name → body (settings and mappings) of the triage and versions indices."""
    # Small: one shard. Replicas follow the cluster's size until `traceur es setup` sets
    # them as the monthly indices' (an index made on first use, before any setup, is green).
    settings = {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}}
    return {
        names.triage: {
            "settings": settings,
            "mappings": {
                "dynamic": False,
                "properties": {
                    "doc_id": _keyword(),
                    "state": _keyword(),
                    "assignee": _keyword(),
                    "revision": {"type": "integer"},
                    "updated_at": {"type": "date"},
                    "updated_by": _keyword(),
                    # The history, read with the triage and never searched.
                    "events": {"type": "object", "enabled": False},
                },
            },
        },
        names.versions: {
            "settings": settings,
            "mappings": {
                "dynamic": False,
                "properties": {
                    "doc_id": _keyword(),
                    "replaced_at": {"type": "date"},
                    "seq": {"type": "long"},  # order of replacement within a millisecond
                    "fetched_at": {"type": "date"},
                    "content_hash": _keyword(),
                    # title and text stay in _source only: versions are read, not searched.
                },
            },
        },
    }
