"""The Elasticsearch store behaves like the SQLite store: same outcomes, same search results."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from traceur.config import Settings
from traceur.errors import ConfigError, StoreError
from traceur.store import HIGHLIGHT_END, HIGHLIGHT_START, SearchQuery, UpsertResult
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.es_query import text_query
from traceur.store.sqlite import SqliteStore

from .conftest import duplicated_ids
from .corpus import FETCHED, corpus, revised

pytestmark = pytest.mark.integration


def _outcomes(result: UpsertResult) -> dict[str, Any]:
    return {
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "failed": result.failed,
        "spooled": result.spooled,
    }


@pytest.fixture
def sqlite_store() -> Any:
    store = SqliteStore(":memory:")
    yield store
    store.close()


def test_upsert_reports_new_updated_and_unchanged_exactly_like_sqlite(
    es_store: ElasticsearchStore, sqlite_store: SqliteStore
) -> None:
    documents = corpus(120)
    # Batches of 50: the same document twice within a batch and across batches, changed or not.
    rounds = [
        documents[:80],
        documents[:80],
        [
            revised(documents[3]),
            documents[4],
            revised(documents[3]),
            *documents[80:],
            revised(documents[60]),
        ],
        [documents[3], revised(documents[3], "Autre mise à jour."), documents[119]],
    ]
    for number, documents_of_round in enumerate(rounds):
        expected = sqlite_store.upsert(documents_of_round)
        got = es_store.upsert(documents_of_round)
        assert _outcomes(got) == _outcomes(expected), f"round {number}"
    es_store.refresh()
    assert es_store.count() == sqlite_store.count() == 120
    assert duplicated_ids(es_store.client, es_store.names.read_alias) == {}


def test_a_stored_document_reads_back_equal(es_store: ElasticsearchStore) -> None:
    documents = corpus(10)
    es_store.upsert(documents)
    for document in documents:
        assert es_store.get(document.id) == document
    assert es_store.get("0" * 32) is None
    es_store.refresh()
    assert sorted(d.id for d in es_store.iter_documents()) == sorted(d.id for d in documents)


def test_stored_ids_are_those_sqlite_stores_even_just_written(
    es_store: ElasticsearchStore, sqlite_store: SqliteStore
) -> None:
    documents = corpus(6)
    asked = [d.id for d in documents] + ["0" * 32]
    assert es_store.stored(asked) == set()

    es_store.upsert(documents[:4])
    sqlite_store.upsert(documents[:4])

    # Not refreshed yet: the real-time read sees them, as a pass right after a store does.
    assert es_store.stored(asked) == sqlite_store.stored(asked) == {d.id for d in documents[:4]}
    es_store.refresh()
    assert es_store.stored(asked[3:]) == {documents[3].id}


QUERIES = [
    "elodie",
    "Élodie Arnaud",
    '"claire martin"',
    '"jean-baptiste lefort"',
    "jean-baptiste",
    "tramway",
    "election",
    "l'élection",
    "logements sociaux",
    "lef*",
    "munic*",
    "tramway OR loyers",
    "martin NOT tramway",
    "(tramway OR bus) AND arnaud",
    "sondage",
    "programme",
    "inexistant",
]


@pytest.mark.parametrize("text", QUERIES)
def test_text_search_finds_the_same_documents_as_sqlite(
    text: str, es_store: ElasticsearchStore, sqlite_store: SqliteStore
) -> None:
    documents = corpus(80)
    es_store.upsert(documents)
    sqlite_store.upsert(documents)
    es_store.refresh()
    query = SearchQuery(text=text, limit=1000)
    expected = {hit.document.id for hit in sqlite_store.search(query)}
    assert {hit.document.id for hit in es_store.search(query)} == expected
    assert es_store.count(query) == sqlite_store.count(query) == len(expected)


def test_filters_select_the_same_documents_in_the_same_order_as_sqlite(
    es_store: ElasticsearchStore, sqlite_store: SqliteStore
) -> None:
    documents = corpus(80)
    es_store.upsert(documents)
    sqlite_store.upsert(documents)
    es_store.refresh()
    since = datetime(2026, 10, 23, tzinfo=UTC)
    for query in [
        SearchQuery(limit=1000),
        SearchQuery(candidate="elodie-arnaud", limit=1000),
        SearchQuery(topic="logement", kind="article", limit=1000),
        SearchQuery(source_id="forum-citoyens", limit=1000),
        SearchQuery(since=since, until=since + timedelta(days=3), limit=1000),
        SearchQuery(text="tramway", candidate="claire-martin", since=since, limit=1000),
        SearchQuery(limit=5),
    ]:
        expected = [hit.document.id for hit in sqlite_store.search(query)]
        got = [hit.document.id for hit in es_store.search(query)]
        if query.text:
            assert set(got) == set(expected), query
        else:
            assert got == expected, query
        assert es_store.count(dataclasses.replace(query, limit=20)) == sqlite_store.count(query), (
            query
        )


def test_search_marks_matches_with_control_characters_on_the_original_text(
    es_store: ElasticsearchStore,
) -> None:
    documents = corpus(40)
    es_store.upsert(documents)
    es_store.refresh()
    hits = es_store.search(SearchQuery(text="elodie arnaud", limit=3))
    assert hits
    for hit in hits:
        assert hit.score > 0
        for fragment in hit.fragments:
            assert fragment.count(HIGHLIGHT_START) == fragment.count(HIGHLIGHT_END) >= 1
            marked = [part.split(HIGHLIGHT_END)[0] for part in fragment.split(HIGHLIGHT_START)[1:]]
            # Accents and capitals as written, although the search was "elodie".
            assert set(marked) <= {"Élodie", "Arnaud", "Élodie Arnaud"}, fragment
            plain = fragment.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "").strip("…")
            assert plain in hit.document.title or plain in hit.document.text
    # A title match is the whole title, marked.
    titled = [hit for hit in hits if "Élodie Arnaud" in hit.document.title]
    if titled:
        assert (
            titled[0].fragments[0].replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")
            == titled[0].document.title
        )


def test_a_fragment_that_starts_with_the_match_keeps_both_marks(
    es_store: ElasticsearchStore,
) -> None:
    # Elasticsearch trims fragments with Java's trim(), which eats a leading control character.
    document = dataclasses.replace(
        corpus(1)[0],
        title="Conseil municipal",
        text="Tramway : le tracé définitif sera connu en mars.",
    )
    es_store.upsert([document])
    es_store.refresh()
    [hit] = es_store.search(SearchQuery(text="tramway"))
    assert hit.fragments == (
        f"{HIGHLIGHT_START}Tramway{HIGHLIGHT_END} : le tracé définitif sera connu en mars.",
    )


def test_title_matches_rank_first(es_store: ElasticsearchStore) -> None:
    base = corpus(2)
    in_title = dataclasses.replace(
        base[0],
        title="Le tramway divise le conseil",
        text="Un long débat a eu lieu hier soir. " * 5,
    )
    in_text = dataclasses.replace(
        base[1],
        title="Conseil municipal",
        text="Un long débat a eu lieu sur le tramway hier soir. " * 5,
    )
    es_store.upsert([in_title, in_text])
    es_store.refresh()
    assert [hit.document.id for hit in es_store.search(SearchQuery(text="tramway"))] == [
        in_title.id,
        in_text.id,
    ]


def test_a_malformed_query_is_a_store_error_with_the_fix() -> None:
    # "NOT tramway" was refused once (FTS5 has no lone NOT); the query language allows it.
    for text in ["(tramway", "tramway OR", "tramway NOT", "tramway )", '"tramway']:
        with pytest.raises(StoreError, match="check quotes and parentheses"):
            text_query(text)
    assert text_query("") is None


def test_stored_at_moves_when_a_document_changes_and_not_when_it_is_unchanged(
    es_store: ElasticsearchStore,
) -> None:
    documents = corpus(3)

    def stamps() -> dict[str, str]:
        return {
            d.id: es_store.client.get(index=es_store.names.write_alias, id=d.id)["_source"][
                "stored_at"
            ]
            for d in documents
        }

    es_store.upsert(documents)
    first = stamps()
    es_store.upsert(documents)
    assert stamps() == first
    es_store.upsert([revised(documents[1])])
    second = stamps()
    assert second[documents[1].id] > first[documents[1].id]
    assert second[documents[0].id] == first[documents[0].id]


def test_changed_since_returns_each_change_once_in_stored_order(
    es_store: ElasticsearchStore,
) -> None:
    es_store.changes_settle = 0.0
    documents = corpus(7)
    es_store.upsert(documents[:5])
    es_store.refresh()
    seen, mark = es_store.changed_since(None, limit=3)
    more, mark = es_store.changed_since(mark, limit=3)
    assert sorted(d.id for d in seen + more) == sorted(d.id for d in documents[:5])
    assert es_store.changed_since(mark) == ([], mark)
    es_store.upsert([revised(documents[0]), documents[5], documents[1]])
    es_store.refresh()
    later, _ = es_store.changed_since(mark)
    assert sorted(d.id for d in later) == sorted([documents[0].id, documents[5].id])


def test_changed_since_waits_until_writes_have_settled(es_store: ElasticsearchStore) -> None:
    es_store.upsert(corpus(2))
    es_store.refresh()
    assert es_store.changed_since(None) == ([], None)


def test_a_new_month_gets_a_new_index_and_updates_stay_where_the_document_is(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    now = [datetime(2026, 10, 30, tzinfo=UTC)]
    store = open_store(es_settings)
    store.clock = lambda: now[0]
    store.setup()
    documents = corpus(6)
    store.upsert(documents[:3])
    now[0] = datetime(2026, 11, 2, tzinfo=UTC)
    result = store.upsert([revised(documents[0]), documents[1], *documents[3:]])
    assert result.updated == [documents[0].id] and result.unchanged == [documents[1].id]
    assert sorted(result.new) == sorted(d.id for d in documents[3:])
    names = store.names
    october, november = names.monthly(datetime(2026, 10, 1)), names.monthly(now[0])
    aliases = store.client.indices.get_alias(index=names.pattern).body
    assert aliases[november]["aliases"][names.write_alias] == {"is_write_index": True}
    assert names.write_alias not in aliases[october]["aliases"]
    store.refresh()
    where = {
        hit["_id"]: hit["_index"]
        for hit in store.client.search(index=names.read_alias, size=100)["hits"]["hits"]
    }
    assert {where[d.id] for d in documents[:3]} == {october}
    assert {where[d.id] for d in documents[3:]} == {november}
    assert store.count() == 6 and duplicated_ids(store.client, names.read_alias) == {}
    assert store.get(documents[0].id) == revised(documents[0])


def test_a_refetch_cannot_overwrite_a_newer_version(es_store: ElasticsearchStore) -> None:
    document = corpus(1)[0]
    newer = revised(document)
    es_store.upsert([newer])
    older_but_different = dataclasses.replace(document, fetched_at=FETCHED - timedelta(days=1))
    result = es_store.upsert([older_but_different])
    assert result.unchanged == [document.id]
    assert es_store.get(document.id) == newer


def test_a_store_url_listing_three_nodes_makes_a_client_that_knows_them_and_sniffs(
    tmp_path: Path,
) -> None:
    from traceur.config import load_settings

    settings = load_settings(
        environ={
            "TRACEUR_STORE": "es+http://es01:9200,es02:9200,es03:9201",
            "TRACEUR_DATA_DIR": str(tmp_path),
        }
    )
    store = ElasticsearchStore.from_settings(settings)
    try:
        transport = store.client.transport
        hosts = sorted(
            f"{node.config.host}:{node.config.port}" for node in transport.node_pool.all()
        )
        assert hosts == ["es01:9200", "es02:9200", "es03:9201"]
        assert store.display_url == "http://es01:9200,http://es02:9200,http://es03:9201"
        # A request to a node that is down goes on to the others, then the cluster is asked
        # for its nodes; never on start, so the store opens while the cluster is down.
        assert transport.max_retries >= 3
        assert transport._sniff_on_node_failure and not transport._sniff_on_start
    finally:
        store.close()
    single = ElasticsearchStore.from_settings(settings.replace(store="es+http://es01:9200"))
    try:
        assert not single.client.transport._sniff_on_node_failure
    finally:
        single.close()


@pytest.mark.parametrize(
    "store, environ, message",
    [
        (
            "es+https://elastic:secret@es.example.org:9200",
            {},
            "no user name or password in the Elasticsearch URL",
        ),
        ("es+https://es.example.org:9200", {"TRACEUR_ES_USERNAME": "veille"}, "go together"),
        (
            "es+https://es.example.org:9200",
            {"TRACEUR_ES_CA_CERTS": "/nonexistent/ca.pem"},
            "is not a file",
        ),
        ("es+ftp://es.example.org", {}, "not an Elasticsearch URL"),
        ("es+https://:9200", {}, "names no host"),
        ("es+http://es.example.org", {}, "not a usable Elasticsearch URL"),
        ("es+http://es.example.org:port", {}, "not a valid URL"),
    ],
)
def test_misconfigured_elasticsearch_settings_are_config_errors(
    store: str, environ: dict[str, str], message: str, tmp_path: Path
) -> None:
    from traceur.config import load_settings

    # A malformed URL is refused when the settings are read, the rest when the store opens.
    with pytest.raises(ConfigError, match=message):
        settings = load_settings(
            environ={"TRACEUR_STORE": store, "TRACEUR_DATA_DIR": str(tmp_path), **environ}
        )
        ElasticsearchStore.from_settings(settings)


def test_credentials_and_tls_options_reach_the_client(tmp_path: Path) -> None:
    from traceur.config import load_settings

    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = load_settings(
        environ={
            "TRACEUR_STORE": "es+https://es.example.org:9200",
            "TRACEUR_ES_API_KEY": "a2V5OnNlY3JldA==",
            "TRACEUR_DATA_DIR": str(tmp_path),
        }
    )
    store = ElasticsearchStore.from_settings(settings)
    try:
        headers = store.client._headers
        assert headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="
        node = store.client.transport.node_pool.all()[0].config
        assert node.scheme == "https" and node.verify_certs is True
        assert store.spool.path == tmp_path / "es-spool" / "spool.db"
        assert "secret" not in repr(store) and "a2V5" not in repr(store)
    finally:
        store.close()


def test_documents_without_fetch_time_are_stored_without_versions(
    es_store: ElasticsearchStore,
) -> None:
    document = dataclasses.replace(corpus(1)[0], fetched_at=None)
    assert es_store.upsert([document]).new == [document.id]
    changed = dataclasses.replace(document, title="Nouveau titre")
    assert es_store.upsert([changed]).updated == [document.id]
    assert es_store.get(document.id) == changed
