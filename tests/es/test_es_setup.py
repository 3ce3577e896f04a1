"""The index template, its French and fallback analysis, and `traceur es setup` on a real server."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from traceur.document import Document
from traceur.errors import ConfigError
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.es_template import (
    ANALYSIS_FRENCH,
    ANALYSIS_STANDARD,
    IndexNames,
    ShardLayout,
    component_templates,
    detect_analysis,
    index_settings,
    index_template,
    mappings,
    shard_layout,
)

pytestmark = pytest.mark.integration
LAYOUT = ShardLayout(shards=1, replicas=0, data_nodes=1)
AGGREGATABLE = {"keyword", "date", "integer", "long", "float", "double", "boolean"}


# -- the template, as data --------------------------------------------------------------


def test_every_document_field_has_an_explicit_mapping() -> None:
    for analysis in (ANALYSIS_FRENCH, ANALYSIS_STANDARD):
        properties = mappings(analysis)["properties"]
        missing = [
            item.name for item in dataclasses.fields(Document) if item.name not in properties
        ]
        assert missing == [], f"{analysis}: no mapping for {missing}"
        assert mappings(analysis)["dynamic"] is False


def test_filter_fields_are_keywords_and_dates_are_dates() -> None:
    properties = mappings(ANALYSIS_FRENCH)["properties"]
    for name in (
        "candidates",
        "topics",
        "kind",
        "source_id",
        "domain",
        "lang",
        "cluster_id",
        "url",
    ):
        assert properties[name]["type"] == "keyword", name
    for name in ("published_at", "fetched_at", "sort_at", "stored_at"):
        assert properties[name]["type"] == "date", name
    assert properties["title"]["fields"]["keyword"]["type"] == "keyword"
    assert properties["author"]["fields"]["keyword"]["type"] == "keyword"
    assert properties["mentions"] == {"type": "object", "enabled": False}


def test_french_template_uses_elision_lowercase_stop_words_folding_and_light_stemming() -> None:
    analysis = index_settings(ANALYSIS_FRENCH, LAYOUT)["index"]["analysis"]
    french = analysis["analyzer"]["traceur_french"]
    assert french["tokenizer"] == "standard"
    chain = [analysis["filter"].get(name, {"type": name})["type"] for name in french["filter"]]
    assert chain == ["elision", "lowercase", "stop", "asciifolding", "stemmer"]
    assert analysis["filter"]["traceur_elision"]["articles_case"] is True
    assert {"l", "d", "qu", "j"} <= set(analysis["filter"]["traceur_elision"]["articles"])
    assert analysis["filter"]["traceur_french_stop"]["stopwords"] == "_french_"
    assert analysis["filter"]["traceur_french_stemmer"]["language"] == "light_french"
    folded = analysis["analyzer"]["traceur_folded"]
    assert folded["filter"] == ["lowercase", "asciifolding"]

    properties = mappings(ANALYSIS_FRENCH)["properties"]
    for name in ("title", "text"):
        assert properties[name]["analyzer"] == "traceur_french"
        assert properties[name]["fields"]["folded"]["analyzer"] == "traceur_folded"
    assert properties["video"]["properties"]["captions"]["analyzer"] == "traceur_french"
    # French clusters fold in the analyzer: no copies made in Python.
    assert "title_folded" not in properties and "text_folded" not in properties


def test_standard_fallback_indexes_folded_copies_and_no_custom_analysis() -> None:
    assert "analysis" not in index_settings(ANALYSIS_STANDARD, LAYOUT)["index"]
    properties = mappings(ANALYSIS_STANDARD)["properties"]
    assert properties["title"]["analyzer"] == "standard"
    assert "folded" not in properties["title"].get("fields", {})
    assert properties["title_folded"]["type"] == properties["text_folded"]["type"] == "text"


def test_index_template_composes_settings_mappings_and_an_optional_custom_part() -> None:
    names = IndexNames("veille")
    body = index_template(names, ANALYSIS_FRENCH)
    assert body["index_patterns"] == ["veille-docs-*"]
    assert body["composed_of"] == [
        "veille-docs@settings",
        "veille-docs@mappings",
        "veille-docs@custom",
    ]
    assert body["ignore_missing_component_templates"] == ["veille-docs@custom"]
    assert body["template"]["aliases"] == {"veille-docs": {}}
    assert set(component_templates(names, ANALYSIS_FRENCH, LAYOUT)) == {
        "veille-docs@settings",
        "veille-docs@mappings",
    }
    assert names.monthly(datetime(2026, 3, 9, tzinfo=UTC)) == "veille-docs-2026.03"
    assert names.write_alias == "veille-docs-write"


def test_an_index_prefix_that_cannot_name_an_index_is_a_config_error() -> None:
    for bad in ("Traceur", "_x", "a b", ""):
        with pytest.raises(ConfigError, match="es_index_prefix"):
            IndexNames(bad)


# -- against the real server ------------------------------------------------------------


def test_setup_falls_back_to_standard_analysis_with_a_warning_when_french_is_missing(
    es_client: Elasticsearch, es_settings: Any, open_store: Any
) -> None:
    store: ElasticsearchStore = open_store(es_settings)
    report = store.setup()
    detected, missing = detect_analysis(es_client)
    if detected == ANALYSIS_STANDARD:
        # The stripped test distribution: no analysis-common module.
        assert report["analysis"] == ANALYSIS_STANDARD
        assert missing and "French analysis is not available" in report["warning"]
        assert "analysis-common" in report["warning"]
    else:  # a full distribution given by TRACEUR_TEST_ES_URL
        assert report["analysis"] == ANALYSIS_FRENCH and report["warning"] is None
    write_index = report["write_index"]
    mapping = es_client.indices.get_mapping(index=write_index)[write_index]["mappings"]
    assert mapping["_meta"]["traceur_analysis"] == report["analysis"]


@pytest.mark.parametrize(
    ("data_nodes", "shards", "replicas", "expected"),
    [
        (1, None, None, (1, 0)),
        (2, None, None, (2, 1)),
        (3, None, None, (3, 1)),
        (7, None, None, (3, 1)),
        (3, 1, None, (1, 1)),
        (3, None, 2, (3, 2)),
        (1, 2, 0, (2, 0)),
    ],
)
def test_shards_follow_the_data_nodes_up_to_three_and_one_replica_from_two_nodes_on(
    data_nodes: int, shards: int | None, replicas: int | None, expected: tuple[int, int]
) -> None:
    layout = shard_layout(data_nodes, shards, replicas)
    assert (layout.shards, layout.replicas) == expected
    assert layout.warning is None


def test_more_replicas_than_the_nodes_can_hold_is_set_but_warned_about() -> None:
    layout = shard_layout(2, None, 2)
    assert layout.replicas == 2
    assert layout.warning is not None and "at most 1" in layout.warning
    with pytest.raises(ConfigError, match="at least 1 primary shard"):
        shard_layout(3, 0, None)


def test_setup_on_one_node_makes_one_shard_and_no_replica_so_the_cluster_is_green(
    es_client: Elasticsearch, es_settings: Any, open_store: Any
) -> None:
    store: ElasticsearchStore = open_store(es_settings)
    report = store.setup()
    assert (report["data_nodes"], report["shards"], report["replicas"]) == (1, 1, 0)
    found = es_client.indices.get_settings(
        index=[report["write_index"], *report["side_indices"]]
    ).body
    for index, body in found.items():
        assert body["settings"]["index"]["number_of_replicas"] == "0", index
    assert found[report["write_index"]]["settings"]["index"]["number_of_shards"] == "1"
    health = es_client.cluster.health(index=store.names.pattern, wait_for_status="green")
    assert health["status"] == "green"


def test_setup_twice_leaves_the_same_state(
    es_client: Elasticsearch, es_settings: Any, open_store: Any
) -> None:
    store: ElasticsearchStore = open_store(es_settings)
    names = store.names

    def state() -> dict[str, Any]:
        return {
            "template": es_client.indices.get_index_template(name=names.template).body,
            "components": es_client.cluster.get_component_template(
                name=f"{names.prefix}-docs@*"
            ).body,
            "aliases": es_client.indices.get_alias(index=names.pattern).body,
            "mappings": es_client.indices.get_mapping(index=names.pattern).body,
            "indices": sorted(es_client.indices.get(index=names.pattern).body),
        }

    first_report = store.setup()
    first = state()
    second_report = store.setup()
    assert state() == first
    assert second_report == first_report
    assert list(first["aliases"]) == [first_report["write_index"]]
    aliases = first["aliases"][first_report["write_index"]]["aliases"]
    assert aliases == {names.read_alias: {}, names.write_alias: {"is_write_index": True}}


def test_a_store_without_setup_keeps_the_documents_and_says_to_run_setup(
    es_settings: Any, open_store: Any
) -> None:
    from traceur.errors import StoreError

    from .corpus import corpus

    store: ElasticsearchStore = open_store(es_settings)
    documents = corpus(3)
    with pytest.raises(StoreError, match="traceur es setup"):
        store.upsert(documents)
    assert store.spool.pending() == 3
    store.setup()
    result = store.replay()
    assert sorted(result.new) == sorted(d.id for d in documents)
    assert store.spool.pending() == 0


def test_setup_repairs_a_write_alias_lost_half_way_through_a_rollover(
    es_client: Elasticsearch, es_settings: Any, open_store: Any
) -> None:
    store: ElasticsearchStore = open_store(es_settings)
    write_index = store.setup()["write_index"]
    # The month's index exists but no alias points at it any more (a crash between the two steps).
    es_client.indices.delete_alias(index=write_index, name=store.names.write_alias)
    assert store.setup()["write_index"] == write_index
    aliases = es_client.indices.get_alias(index=write_index)[write_index]["aliases"]
    assert aliases[store.names.write_alias] == {"is_write_index": True}
