"""The Kibana saved objects of traceur/kibana/saved_objects/, checked against the real mapping
and data.

Kibana does not run here. Instead: every field the objects name exists in the index with a
type Kibana can use that way (field_caps, as Kibana asks), and each dashboard panel's
aggregation and each saved search, translated into the query Kibana would send, returns
the buckets and documents computed independently from the indexed test documents.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from traceur.config import Settings
from traceur.document import Document, format_utc
from traceur.kibana.saved_objects import SAVED_OBJECTS_DIR as KIBANA_DIR
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.es_template import ANALYSIS_STANDARD, mappings

from .corpus import corpus

pytestmark = pytest.mark.integration


def _objects() -> list[dict[str, Any]]:
    objects = []
    for path in sorted(KIBANA_DIR.glob("*.ndjson")):
        objects += [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    return objects


def _by_type(kind: str) -> list[dict[str, Any]]:
    return [item for item in _objects() if item["type"] == kind]


def _search_source(item: dict[str, Any]) -> dict[str, Any]:
    return json.loads(item["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])


def _vis_state(item: dict[str, Any]) -> dict[str, Any]:
    return json.loads(item["attributes"]["visState"])


def _controls() -> list[dict[str, Any]]:
    """The dashboard's filter controls (its control group), in their order."""
    [dashboard] = _by_type("dashboard")
    group = dashboard["attributes"]["controlGroupInput"]
    panels = json.loads(group["panelsJSON"])
    return sorted(panels.values(), key=lambda panel: int(panel["order"]))


def test_saved_objects_reference_each_other_consistently() -> None:
    objects = _objects()
    ids = [(item["type"], item["id"]) for item in objects]
    assert len(ids) == len(set(ids))
    known = set(ids)
    assert {kind for kind, _ in ids} == {"index-pattern", "search", "visualization", "dashboard"}
    for item in objects:
        assert item["coreMigrationVersion"] and item["typeMigrationVersion"]
        for reference in item.get("references", []):
            assert (reference["type"], reference["id"]) in known, (item["id"], reference)
        if item["type"] in ("search", "visualization"):
            assert _search_source(item)["indexRefName"] in {r["name"] for r in item["references"]}
    [dashboard] = _by_type("dashboard")
    assert dashboard["attributes"]["title"] == "Veille — vue d'ensemble"
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    names = {reference["name"]: reference for reference in dashboard["references"]}
    for panel in panels:
        # Kibana 8 names a panel's reference "<panelIndex>:<panelRefName>".
        reference = names[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert reference["type"] == panel["type"]
    shown = {names[f"{p['panelIndex']}:{p['panelRefName']}"]["id"] for p in panels}
    assert shown == {
        "traceur-vis-mentions-over-time",
        "traceur-vis-mentions-by-kind",
        "traceur-vis-top-domains",
        "traceur-vis-top-authors",
        "traceur-vis-mentions-by-topic",
        "traceur-search-latest",
    }
    # Panels do not overlap on Kibana's 48-column grid.
    cells = [
        (x, y)
        for p in panels
        for x in range(p["gridData"]["x"], p["gridData"]["x"] + p["gridData"]["w"])
        for y in range(p["gridData"]["y"], p["gridData"]["y"] + p["gridData"]["h"])
    ]
    assert len(cells) == len(set(cells)) and max(x for x, _ in cells) < 48
    # Every filter control reads the data view, through a reference Kibana can resolve.
    controls = _controls()
    assert [c["explicitInput"]["fieldName"] for c in controls] == [
        "candidates",
        "topics",
        "kind",
        "domain",
    ]
    for control in controls:
        assert control["type"] == "optionsListControl"
        reference = names[f"controlGroup_{control['explicitInput']['id']}:optionsListDataView"]
        assert reference == {
            "name": f"controlGroup_{control['explicitInput']['id']}:optionsListDataView",
            "type": "index-pattern",
            "id": "traceur-docs",
        }
    [data_view] = _by_type("index-pattern")
    assert data_view["attributes"]["title"] == "traceur-docs"
    assert data_view["attributes"]["timeFieldName"] == "published_at"
    assert {s["id"] for s in _by_type("search")} >= {
        "traceur-search-latest",
        "traceur-search-candidate-claire-martin",
    }


# -- against the server -----------------------------------------------------------------


@pytest.fixture
def indexed(es_store: ElasticsearchStore) -> tuple[ElasticsearchStore, list[Document]]:
    documents = corpus(90)
    # A document no candidate is named in (a topic only): outside the "mentions" searches.
    documents[5].candidates = []
    es_store.upsert(documents)
    es_store.refresh()
    return es_store, documents


def _kql(query: str) -> dict[str, Any]:
    """The few KQL forms the saved objects use: `field : *` and `field : "value"`."""
    if not query.strip():
        return {"match_all": {}}
    exists = re.fullmatch(r"\s*([\w.]+)\s*:\s*\*\s*", query)
    if exists:
        return {"exists": {"field": exists.group(1)}}
    term = re.fullmatch(r'\s*([\w.]+)\s*:\s*"([^"]*)"\s*', query)
    if term:
        return {"term": {term.group(1): term.group(2)}}
    raise AssertionError(
        f"the test does not understand the KQL {query!r}; keep saved queries simple"
    )


def _kql_fields(query: str) -> set[str]:
    return set(re.findall(r"([\w.]+)\s*:", query))


def test_every_field_the_kibana_objects_use_exists_with_a_usable_type(
    indexed: tuple[ElasticsearchStore, list[Document]],
) -> None:
    store, _ = indexed
    caps = store.client.field_caps(index=store.names.read_alias, fields="*")["fields"]

    def capability(field: str) -> dict[str, Any]:
        assert field in caps, f"{field} is not in the mapping"
        [(_, cap)] = caps[field].items()
        return cap

    aggregated: set[str] = set()
    shown: set[str] = set()
    queried: set[str] = set()
    [data_view] = _by_type("index-pattern")
    aggregated.add(data_view["attributes"]["timeFieldName"])
    shown |= set(json.loads(data_view["attributes"]["fieldFormatMap"]))
    for vis in _by_type("visualization"):
        for agg in _vis_state(vis)["aggs"]:
            if "field" in agg["params"]:
                aggregated.add(agg["params"]["field"])
        queried |= _kql_fields(_search_source(vis)["query"]["query"])
    for search in _by_type("search"):
        shown |= set(search["attributes"]["columns"])
        aggregated |= {field for field, _ in search["attributes"]["sort"]}
        queried |= _kql_fields(_search_source(search)["query"]["query"])
    # An options list fetches its values with a terms aggregation and filters on the choice.
    aggregated |= {control["explicitInput"]["fieldName"] for control in _controls()}
    assert aggregated >= {
        "published_at",
        "candidates",
        "topics",
        "kind",
        "domain",
        "author.keyword",
    }
    assert shown >= {"title", "author", "domain", "topics", "snippets", "url"}
    for field in aggregated:
        assert capability(field)["aggregatable"], f"{field} cannot be aggregated or sorted on"
    for field in shown | queried:
        assert capability(field)["searchable"], field
    assert capability("published_at")["type"] == "date"


def _aggregation(agg: dict[str, Any]) -> dict[str, Any]:
    params = agg["params"]
    if agg["type"] == "date_histogram":
        interval = {"d": "1d", "w": "1w", "M": "1M", "h": "1h"}[params["interval"]]
        return {
            "date_histogram": {
                "field": params["field"],
                "calendar_interval": interval,
                "min_doc_count": params["min_doc_count"],
            }
        }
    if agg["type"] == "terms":
        assert params["orderBy"] == "1", "ordered by the count metric"
        return {
            "terms": {
                "field": params["field"],
                "size": params["size"],
                "order": {"_count": params["order"]},
            }
        }
    raise AssertionError(f"no translation for the {agg['type']} aggregation")


def _panel_request(vis: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The aggregation request of a legacy visualization: its bucket aggregations nested in
    order."""
    state = _vis_state(vis)
    buckets = [agg for agg in state["aggs"] if agg["enabled"] and agg["schema"] != "metric"]
    assert all(agg["type"] == "count" for agg in state["aggs"] if agg["schema"] == "metric")
    request: dict[str, Any] = {}
    inner = request
    for agg in buckets:
        inner[agg["id"]] = _aggregation(agg)
        inner = inner[agg["id"]].setdefault("aggs", {})
    return request, [agg["id"] for agg in buckets]


def _flatten(
    result: dict[str, Any], path: list[str], prefix: tuple[Any, ...] = ()
) -> Counter[tuple[Any, ...]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for bucket in result[path[0]]["buckets"]:
        key = bucket.get("key_as_string", bucket["key"])
        if len(path) == 1:
            counts[prefix + (key,)] = bucket["doc_count"]
        else:
            counts.update(_flatten(bucket, path[1:], prefix + (key,)))
    return counts


def _day(document: Document) -> str:
    assert document.published_at is not None
    return document.published_at.strftime("%Y-%m-%dT00:00:00.000Z")


def test_each_dashboard_panel_returns_the_expected_buckets(
    indexed: tuple[ElasticsearchStore, list[Document]],
) -> None:
    store, documents = indexed
    expected = {
        "traceur-vis-mentions-over-time": Counter(
            (_day(d), c) for d in documents for c in d.candidates
        ),
        "traceur-vis-mentions-by-kind": Counter((d.kind,) for d in documents),
        "traceur-vis-top-domains": Counter((d.domain,) for d in documents),
        "traceur-vis-top-authors": Counter((d.author,) for d in documents if d.author),
        "traceur-vis-mentions-by-topic": Counter((t,) for d in documents for t in d.topics),
    }
    for vis in _by_type("visualization"):
        request, path = _panel_request(vis)
        query = _kql(_search_source(vis)["query"]["query"])
        found = store.client.search(index=store.names.read_alias, size=0, query=query, aggs=request)
        got = _flatten(found["aggregations"], path)
        assert got == expected[vis["id"]], vis["id"]
        # Buckets come biggest first, as the panel shows them.
        counts = [bucket["doc_count"] for bucket in found["aggregations"][path[0]]["buckets"]]
        if len(path) == 1:
            assert counts == sorted(counts, reverse=True), vis["id"]


def test_saved_searches_list_the_latest_mentions_newest_first_with_links(
    indexed: tuple[ElasticsearchStore, list[Document]],
) -> None:
    store, documents = indexed
    for search in _by_type("search"):
        source = _search_source(search)
        query = _kql(source["query"]["query"])
        sort = [{field: {"order": order}} for field, order in search["attributes"]["sort"]]
        columns = search["attributes"]["columns"]
        found = store.client.search(
            index=store.names.read_alias,
            size=20,
            query=query,
            sort=sort,
            source_includes=[*columns, "published_at"],
        )
        hits = found["hits"]["hits"]
        if search["id"] == "traceur-search-latest":
            wanted = [d for d in documents if d.candidates]
        else:
            candidate = search["id"].removeprefix("traceur-search-candidate-")
            wanted = [d for d in documents if candidate in d.candidates]
        newest = sorted((format_utc(d.published_at) for d in wanted), reverse=True)[:20]
        # Documents published at the same time may come in either order: compare the times.
        assert [hit["_source"]["published_at"] for hit in hits] == newest, search["id"]
        assert {hit["_source"]["url"] for hit in hits} <= {d.url for d in wanted}
        by_url = {d.url: d for d in wanted}
        for hit in hits:
            assert set(columns) <= set(hit["_source"])
            assert hit["_source"]["url"].startswith("https://")
            # The columns a reader judges a mention by: author, topics and its snippets.
            document = by_url[hit["_source"]["url"]]
            assert hit["_source"]["author"] == document.author
            assert sorted(hit["_source"]["topics"]) == sorted(document.topics)
            assert set(hit["_source"]["snippets"]) == _snippets(document)
        assert any(hit["_source"]["snippets"] for hit in hits), search["id"]


def _snippets(document: Document) -> set[str]:
    return {
        " ".join(snippet.text.split())
        for mention in document.mentions.values()
        for snippet in mention.snippets
    }


def _phrases(field: str, values: list[str]) -> dict[str, Any]:
    """The filter an options list adds for the values chosen (Kibana's "phrases" filter)."""
    return {
        "bool": {
            "should": [{"match_phrase": {field: value}} for value in values],
            "minimum_should_match": 1,
        }
    }


def _options(store: ElasticsearchStore, field: str, filters: list[dict[str, Any]]) -> list[str]:
    """The values an options list offers: a terms aggregation on its field, biggest first,
    under the filters of the controls before it (the control group is hierarchical)."""
    found = store.client.search(
        index=store.names.read_alias,
        size=0,
        query={"bool": {"filter": filters}},
        aggs={"options": {"terms": {"field": field, "size": 100}}},
    )
    return [bucket["key"] for bucket in found["aggregations"]["options"]["buckets"]]


def _values(document: Document, field: str) -> list[str]:
    value = getattr(document, field)
    return list(value) if isinstance(value, list) else [value]


def test_filter_controls_offer_the_indexed_values_and_narrow_the_latest_mentions_to_them(
    indexed: tuple[ElasticsearchStore, list[Document]],
) -> None:
    store, documents = indexed
    [latest] = [s for s in _by_type("search") if s["id"] == "traceur-search-latest"]
    query = _kql(_search_source(latest)["query"]["query"])
    chosen: list[dict[str, Any]] = []
    remaining = documents
    for control in _controls():
        field = control["explicitInput"]["fieldName"]
        offered = _options(store, field, chosen)
        # Only the values left by the controls before it, each once.
        assert sorted(offered) == sorted({v for d in remaining for v in _values(d, field)}), field
        assert offered, field
        # Choose the most frequent value, as a volunteer would click the top of the list.
        choice = offered[0]
        chosen.append(_phrases(field, [choice]))
        remaining = [d for d in remaining if choice in _values(d, field)]
        found = store.client.search(
            index=store.names.read_alias,
            size=200,
            query={"bool": {"must": [query], "filter": chosen}},
            source_includes=["url", "snippets"],
        )
        wanted = {d.url for d in remaining if d.candidates}
        assert {hit["_source"]["url"] for hit in found["hits"]["hits"]} == wanted, field
    # Four filters in a row still leave something to read on this corpus.
    assert remaining


def test_setup_maps_the_snippets_column_on_a_monthly_index_made_before_it(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    store = open_store(es_settings)
    older = store.names.monthly(datetime(2026, 1, 15, tzinfo=UTC))
    # An index as the template made it before the snippets field existed (made before this
    # version's template is installed, so nothing adds the field behind the test's back).
    before = mappings(ANALYSIS_STANDARD)
    del before["properties"]["snippets"]
    store.client.indices.create(index=older, mappings=before)
    store.client.indices.put_alias(index=older, name=store.names.read_alias)

    def mapped() -> dict[str, Any]:
        found = store.client.indices.get_mapping(index=older)
        return dict(found[older]["mappings"]["properties"])

    assert "snippets" not in mapped()
    store.setup(ANALYSIS_STANDARD)
    assert mapped()["snippets"] == {"type": "text", "analyzer": "standard"}
    # Documents of that month written again are found by their snippets.
    document = next(d for d in corpus(5) if _snippets(d))
    store.client.index(
        index=older,
        id=document.id,
        document={**document.to_dict(), "snippets": sorted(_snippets(document))},
        refresh=True,
    )
    word = max(next(iter(_snippets(document))).split(), key=len)
    found = store.client.search(index=older, query={"match": {"snippets": word}})
    assert [hit["_id"] for hit in found["hits"]["hits"]] == [document.id]
