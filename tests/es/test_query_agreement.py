"""The query language's three evaluators find the same demo documents.

`traceur demo` fills a SQLite store; its documents are then loaded into Elasticsearch (the
stripped test server: folded copies with the standard analyzer). For every query below,
the Python evaluator run over each stored document, SQLite FTS5 and Elasticsearch must
return exactly the same set of document ids.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from traceur.config import load_settings
from traceur.document import Document
from traceur.enrich.query import (
    And,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    evaluate,
    format_query,
    parse,
    words_of,
)
from traceur.store import SearchQuery
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.sqlite import SqliteStore

from .conftest import _cleanup, quick

pytestmark = pytest.mark.integration

# French queries about the demo web (traceur/demo/sites/): the candidates, the tramway, the
# housing and the Saint-Martin traps, elisions, prefixes, proximity.
QUERIES = [
    # words: case, accents, ligatures
    "tramway",
    "TRAMWAY",
    "élodie",
    "cœur",
    "coeur",
    "referendum OR référendum",
    # implicit and explicit AND
    "elodie arnaud",
    "logements sociaux",
    "Mme Martin",
    "lefort AND (tramway OR bus) AND NOT tram",
    # phrases, and words that are phrases (hyphens, apostrophes, dots)
    '"Claire Martin"',
    '"logements sociaux"',
    '"saint martin sur loire"',
    "Saint-Martin",
    "l'adjoint",
    '"l\'adjoint J.-B. Lefort"',
    "J.-B.",
    '"600 000"',
    # prefixes
    "vidéo*",
    "logement*",
    '"saint mart"*',
    "élection* NOT (sondage OR budget)",
    # OR, NOT, and NOT that FTS5 cannot say in one MATCH
    "tramway OR tram",
    '"ligne de bus" OR "transports en commun"',
    'Pont-Arnaud OR "Martin Luther King"',
    "tram* NOT tramway",
    '"claire martin" NOT tramway',
    'Martin NOT "Claire Martin"',
    "budget AND NOT Saint-Martin",
    "(Lefort OR Arnaud) AND (budget OR caméras)",
    "NOT tramway",
    "NOT (tramway OR bus)",
    "NOT NOT tramway",
    "tramway OR NOT bus",
    # NEAR/n: unordered, at most n words between
    "tramway NEAR/5 Martin",
    "Martin NEAR/0 Claire",
    "Lefort NEAR/0 Jean",
    "Lefort NEAR/1 Jean",
    "caméras NEAR/6 Arnaud",
    "Arnaud NEAR/6 caméras",
    "infirmière NEAR/8 Arnaud",
    '"réunion publique" NEAR/8 Martin',
    '"Jean-Baptiste Lefort" NEAR/10 logement*',
    'tramway NEAR/2 "Val-sur-Loire"',
    "quartier* NEAR/4 Pont*",
    "budget NEAR/2 2027",
]


@pytest.fixture(scope="module")
def stores(
    es_url: str, es_client: Elasticsearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Document], SqliteStore, ElasticsearchStore]]:
    """The demo's documents, in SQLite (from `traceur demo`) and in Elasticsearch (loaded from
    SQLite)."""
    home = tmp_path_factory.mktemp("agreement")
    prefix = f"query-agreement-{uuid.uuid4().hex[:6]}"
    base = load_settings(environ={}).replace(
        data_dir=home / "data",
        allow_networks=("127.0.0.1/32",),
        download_delay=0.0,
        retry_times=0,
        download_timeout=10,
    )
    lite_settings = base.replace(store=f"sqlite:///{home / 'lite.db'}")
    completed = subprocess.run(
        [sys.executable, "-m", "traceur", "demo"],
        env={**os.environ, **lite_settings.to_env()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lite = SqliteStore(home / "lite.db")
    es = quick(
        ElasticsearchStore.from_settings(
            base.replace(store=f"es+{es_url}", es_index_prefix=prefix, data_dir=home / "es")
        )
    )
    try:
        es.setup()
        documents = list(lite.iter_documents())
        result = es.upsert(documents)
        assert len(result.new) == len(documents) and not result.failed and not result.spooled
        es.refresh()
        yield documents, lite, es
    finally:
        es.close()
        lite.close()
        _cleanup(es_client, prefix)


def _kinds(node: Node) -> Iterator[str]:
    if isinstance(node, Phrase):
        yield "phrase prefix" if node.prefix else "phrase"
    elif isinstance(node, Near):
        yield "near"
        for operand in node.operands:
            yield from _kinds(operand)
    elif isinstance(node, Not):
        yield "not"
        yield from _kinds(node.child)
    elif isinstance(node, (And, Or)):
        yield type(node).__name__.lower()
        for child in node.children:
            yield from _kinds(child)
    else:
        yield type(node).__name__.lower()


def test_the_queries_cover_every_operator() -> None:
    assert len(QUERIES) >= 30
    used = {kind for text in QUERIES for kind in _kinds(parse(text))}
    assert used == {"term", "prefix", "phrase", "phrase prefix", "near", "and", "or", "not"}


@pytest.mark.parametrize("text", QUERIES)
def test_python_sqlite_and_elasticsearch_find_the_same_documents(
    text: str, stores: tuple[list[Document], SqliteStore, ElasticsearchStore]
) -> None:
    documents, lite, es = stores
    node = parse(text)
    by_python = {d.id for d in documents if evaluate(node, d.title, d.text)}
    query = SearchQuery(text=text, limit=1000)
    by_sqlite = {hit.document.id for hit in lite.search(query)}
    by_elasticsearch = {hit.document.id for hit in es.search(query)}

    titles = {d.id: d.title for d in documents}

    def show(ids: set[str]) -> list[str]:
        return sorted(f"{i[:8]} {titles[i]}" for i in ids)

    assert by_sqlite == by_python, (
        f"query {text!r} ({format_query(node)}): SQLite only "
        f"{show(by_sqlite - by_python)}, Python only {show(by_python - by_sqlite)}"
    )
    assert by_elasticsearch == by_python, (
        f"query {text!r} ({format_query(node)}): "
        f"Elasticsearch only {show(by_elasticsearch - by_python)},"
        f" Python only {show(by_python - by_elasticsearch)}"
    )
    assert lite.count(query) == es.count(query) == len(by_python), text


def test_most_queries_select_some_documents_but_not_all(
    stores: tuple[list[Document], SqliteStore, ElasticsearchStore],
) -> None:
    # Agreement on empty sets would prove nothing.
    documents = stores[0]
    sizes = [sum(evaluate(parse(text), d.title, d.text) for d in documents) for text in QUERIES]
    assert sum(0 < size < len(documents) for size in sizes) >= len(QUERIES) - 2, sizes


def _fts5_words(database: Path) -> dict[tuple[str, str], list[str]]:
    connection = sqlite3.connect(str(database))
    try:
        connection.execute(
            "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, documents_fts, instance)"
        )
        rows = connection.execute(
            "SELECT d.id, v.col, v.term FROM temp.vocabulary v JOIN "
            "documents d ON d.rowid = v.doc ORDER BY v.doc, v.col, v.offset"
        ).fetchall()
    finally:
        connection.close()
    words: dict[tuple[str, str], list[str]] = {}
    for doc_id, column, term in rows:
        words.setdefault((doc_id, column), []).append(term)
    return words


def test_the_three_indexes_cut_the_demo_documents_into_the_same_words(
    stores: tuple[list[Document], SqliteStore, ElasticsearchStore],
) -> None:
    documents, lite, es = stores
    in_fts5 = _fts5_words(Path(str(lite.path)))
    for document in documents:
        for field in ("title", "text"):
            expected = words_of(getattr(document, field))
            # FTS5 keeps the ligatures (the queries send both spellings), and its Unicode 6.1
            # tables take a character they do not know, such as a recent emoji, for a word:
            # the documented limits of the SQLite store.
            fts5 = [
                term.replace("œ", "oe").replace("æ", "ae")
                for term in in_fts5.get((document.id, field), [])
                if any(ch.isalnum() for ch in term)
            ]
            assert fts5 == expected, (document.id, field)
            vectors = es.client.termvectors(
                index=es.names.read_alias,
                id=document.id,
                fields=[f"{field}_folded"],
                positions=True,
                offsets=False,
                term_statistics=False,
                field_statistics=False,
            )
            terms = vectors["term_vectors"].get(f"{field}_folded", {}).get("terms", {})
            by_position = {
                token["position"]: term for term, info in terms.items() for token in info["tokens"]
            }
            assert [by_position[p] for p in sorted(by_position)] == expected, (document.id, field)
            assert sorted(by_position) == list(range(len(expected))), (document.id, field)
