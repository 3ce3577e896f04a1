"""The query language: parsing (precedence, implicit AND, phrases, prefixes, NEAR/n),
clear parse errors, evaluation on one document, the FTS5 translation run against a real
in-memory FTS5 table, the Elasticsearch translation as data, topic queries in watchlists
and `traceur search` errors. Agreement with a real Elasticsearch:
tests/es/test_query_agreement.py."""

from __future__ import annotations

import random
import sqlite3
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from traceur.cli import main
from traceur.enrich.query import (
    And,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    evaluate,
    format_query,
    parse,
    words_of,
)
from traceur.enrich.tagging import matches_topic
from traceur.errors import QueryError, TraceurError, WatchlistError
from traceur.store.es_query import to_elasticsearch
from traceur.store.fts5_query import fts5_expressible, to_fts5, to_fts5_plan
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Topic

a, b, c = Term("a"), Term("b"), Term("c")


# -- parsing ----------------------------------------------------------------------------


def test_a_word_is_folded() -> None:
    assert parse("Élodie") == Term("elodie")
    assert parse("CŒUR") == Term("coeur")


def test_words_side_by_side_are_anded() -> None:
    assert parse("a b c") == And((a, b, c))
    assert parse("a AND b AND c") == parse("a b c")
    assert parse("a AND b c") == And((a, b, c))


def test_not_binds_tighter_than_and_and_and_tighter_than_or() -> None:
    assert parse("a b OR c") == Or((And((a, b)), c))
    assert parse("a OR b c") == Or((a, And((b, c))))
    assert parse("NOT a b") == And((Not(a), b))
    assert parse("a NOT b OR c") == Or((And((a, Not(b))), c))
    assert parse("a OR NOT b") == Or((a, Not(b)))


def test_parentheses_group() -> None:
    assert parse("(a OR b) c") == And((Or((a, b)), c))
    assert parse("NOT (a OR b)") == Not(Or((a, b)))
    assert parse("((a))") == a
    # Nested ANDs and ORs are one level: the same query.
    assert parse("(a b) c") == parse("a (b c)") == And((a, b, c))


def test_operators_are_capitals_and_a_quoted_operator_is_a_word() -> None:
    assert parse("a or b") == And((a, Term("or"), b))
    assert parse('"NOT" "AND"') == And((Term("not"), Term("and")))
    assert parse("near/5") == Phrase(("near", "5"))


def test_quoted_words_are_a_phrase() -> None:
    assert parse('"Logements sociaux"') == Phrase(("logements", "sociaux"))
    assert parse('"tramway"') == Term("tramway")


def test_hyphens_apostrophes_and_dots_make_a_phrase_of_a_word() -> None:
    assert parse("Saint-Martin") == Phrase(("saint", "martin"))
    assert parse("l'adjoint") == parse("l’adjoint") == Phrase(("l", "adjoint"))
    assert parse("J.-B.") == Phrase(("j", "b"))


def test_a_trailing_star_is_a_prefix() -> None:
    assert parse("vidéo*") == Prefix("video")
    assert parse("tram**") == Prefix("tram")
    assert parse('"saint mart"*') == Phrase(("saint", "mart"), prefix=True)
    assert parse("Saint-Mart*") == Phrase(("saint", "mart"), prefix=True)


def test_near_joins_two_words_or_phrases_with_a_distance() -> None:
    assert parse("tramway NEAR/5 Martin") == Near((Term("tramway"), Term("martin")), 5)
    assert parse('"claire martin" NEAR/0 tram*') == Near(
        (Phrase(("claire", "martin")), Prefix("tram")), 0
    )


def test_near_binds_tighter_than_not_and_and() -> None:
    assert parse("NOT a NEAR/2 b c") == And((Not(Near((a, b), 2)), c))
    assert parse("c OR a NEAR/2 b") == Or((c, Near((a, b), 2)))


def test_punctuation_alone_is_ignored_like_a_space() -> None:
    assert parse("tramway - Martin") == And((Term("tramway"), Term("martin")))
    assert parse("taxe: foncière!") == And((Term("taxe"), Term("fonciere")))


ROUND_TRIP = [
    "a b OR c",
    "NOT (a OR b) c",
    '"saint mart"* NEAR/3 x',
    "NOT NOT a",
    "a OR NOT b c",
    "(a OR b) (c OR d)",
    "x*",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_a_formatted_query_parses_back_to_the_same_tree(text: str) -> None:
    assert parse(format_query(parse(text))) == parse(text)


# -- parse errors -----------------------------------------------------------------------


MALFORMED = [
    # (query, column, expected, found)
    ("tramway AND", 12, 'a word, a "phrase" or "(" after AND', "end of query"),
    ("tramway AND OR bus", 13, 'a word, a "phrase" or "(" after AND', "OR"),
    ("OR tramway", 1, 'a word, a "phrase" or "(" at the start of the query', "OR"),
    ("tramway OR", 11, 'a word, a "phrase" or "(" after OR', "end of query"),
    ("tramway NOT", 12, 'a word, a "phrase" or "(" after NOT', "end of query"),
    ("", 1, 'a word, a "phrase" or "(" at the start of the query', "end of query"),
    ("(tramway OR loyers", 19, '")" to close the "(" of column 1', "end of query"),
    ("tramway)", 8, "end of query", '")" that closes no "("'),
    ("()", 2, 'a word, a "phrase" or "(" after "("', '")"'),
    (
        'tramway "logements sociaux',
        9,
        "a closing '\"' for the phrase that starts here",
        "end of query",
    ),
    ('tramway ""', 9, "words between the quotes", 'the empty phrase ""'),
    ("tramway NEAR Martin", 9, "a distance after NEAR, as in NEAR/5", "NEAR"),
    ("tramway NEAR/x Martin", 9, "a distance after NEAR, as in NEAR/5", "NEAR/x"),
    ("a NEAR/5000 b", 8, "a distance from 0 to 1000", "5000"),
    ("(a OR b) NEAR/3 c", 1, 'a word or a "phrase" before NEAR/3', "a group in parentheses"),
    ("a NEAR/3 (b OR c)", 10, 'a word or a "phrase" after NEAR/3', '"("'),
    ("a NEAR/3 NOT b", 10, 'a word or a "phrase" after NEAR/3', "NOT"),
    ("a NEAR/2 b NEAR/3 c", 12, 'AND, OR, ")" or the end after a NEAR/2 b', "NEAR/3"),
    ("tr*m", 3, '"*" only at the end of a word (a prefix)', '"*" inside tr*m'),
    ("tramway *", 9, 'a word before "*"', "*"),
]


@pytest.mark.parametrize(
    ("text", "column", "expected", "found"), MALFORMED, ids=[m[0] or "empty" for m in MALFORMED]
)
def test_a_malformed_query_is_reported_with_its_column_and_the_expected_token(
    text: str, column: int, expected: str, found: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)

    error = caught.value
    assert (error.column, error.expected, error.found) == (column, expected, found)
    assert str(error).startswith(f"column {column}: expected {expected}, found {found}")


def test_a_parse_error_reads_as_one_sentence_with_a_caret_under_the_column() -> None:
    with pytest.raises(QueryError) as caught:
        parse("Claire Martin AND")

    assert (
        str(caught.value)
        == 'column 18: expected a word, a "phrase" or "(" after AND, found end of query'
    )
    assert caught.value.caret() == "Claire Martin AND\n" + " " * 17 + "^"
    assert isinstance(caught.value, TraceurError) and caught.value.exit_code == 2


def test_a_chained_near_error_shows_how_to_write_it() -> None:
    with pytest.raises(QueryError, match=r"write \(a NEAR/2 b\) AND \(b NEAR/3 \.\.\.\)"):
        parse("a NEAR/2 b NEAR/3 c")


# -- evaluation on one document -------------------------------------------------------


def matches(query: str, text: str, title: str = "") -> bool:
    return evaluate(parse(query), title, text)


def test_words_match_whatever_their_case_accents_and_ligatures() -> None:
    assert matches("elodie", "Élodie Arnaud était là.")
    assert matches("ÉLODIE", "elodie arnaud")
    assert matches("coeur", "au cœur de la campagne")
    assert matches("cœur", "au coeur de la campagne")


def test_words_match_whole_words_only() -> None:
    assert not matches("tram", "le tramway")
    assert matches("tram", "le tram, enfin")
    assert matches("2027", "budget 2027 voté")


def test_apostrophes_and_hyphens_split_words() -> None:
    text = "Samedi, l’adjoint J.-B. Lefort a visité Saint-Martin-sur-Loire."
    assert matches("adjoint", text)
    assert matches("l'adjoint", text)
    assert matches('"l\'adjoint J.-B. Lefort"', text)
    assert matches("Saint-Martin", text)
    assert matches("martin", text)
    assert not matches("Saint-Martin", "Martin Saint")


def test_all_words_are_required_and_may_stand_in_either_field() -> None:
    assert matches("tramway martin", "Claire Martin s'exprime.", title="Le tramway")
    assert not matches("tramway martin", "Claire Martin s'exprime.", title="Le budget")


def test_a_phrase_needs_its_words_side_by_side_in_order_within_one_field() -> None:
    assert matches('"logements sociaux"', "des logements sociaux neufs")
    assert matches(
        '"logements sociaux"', "des logements, sociaux"
    )  # punctuation is no word: still side by side
    assert not matches('"sociaux logements"', "des logements sociaux neufs")
    assert not matches('"logements sociaux"', "des logements très sociaux")
    assert not matches('"claire martin"', "Martin parle.", title="Claire")


def test_a_prefix_matches_the_start_of_a_word() -> None:
    assert matches("vidéo*", "la vidéoprotection")
    assert matches("vidéo*", "une vidéo")
    assert not matches("vidéo*", "la télévidéo")
    assert matches('"saint mart"*', "à Saint-Martinville")
    assert not matches('"saint mart"*', "saint et martyr")


def test_or_and_not() -> None:
    assert matches("trampoline OR taxe", "la taxe foncière")
    assert not matches("trampoline OR taxe", "le tramway")
    assert matches("tramway NOT loyers", "le tramway passe")
    assert not matches("tramway NOT loyers", "le tramway et les loyers")
    assert matches("NOT tramway", "les loyers")
    assert not matches("NOT tramway", "le tramway")
    assert matches("NOT NOT tramway", "le tramway")
    assert matches("tramway OR NOT bus", "les loyers")


def test_near_counts_the_words_between_in_either_order() -> None:
    text = "le tramway de Claire Martin passera"  # two words between tramway and Martin
    assert matches("tramway NEAR/2 martin", text)
    assert matches("martin NEAR/2 tramway", text)
    assert not matches("tramway NEAR/1 martin", text)
    assert not matches("martin NEAR/1 tramway", text)
    assert matches("claire NEAR/0 martin", text)
    assert matches("martin NEAR/0 claire", text)
    assert not matches("tramway NEAR/0 claire", text)


def test_near_measures_from_the_end_of_a_phrase() -> None:
    text = "tramway et Claire Martin"
    assert matches('"claire martin" NEAR/1 tramway', text)
    assert matches('tramway NEAR/1 "claire martin"', text)
    assert not matches('"claire martin" NEAR/0 tramway', text)
    assert matches('"claire martin" NEAR/1 tram*', text)


def test_near_stays_within_one_field() -> None:
    assert not matches("tramway NEAR/50 martin", "Claire Martin", title="Le tramway")
    assert matches("tramway NEAR/50 martin", "Claire Martin et le tramway", title="Le tramway")


def test_near_accepts_overlapping_occurrences_as_fts5_and_lucene_do() -> None:
    assert matches("martin NEAR/3 martin", "Claire Martin")
    assert matches('"claire martin" NEAR/0 martin', "Claire Martin")


def test_words_of_cuts_like_unicode61() -> None:
    assert words_of("L’élection, à Val-sur-Loire : 3,5 % (www.val.example) a_b") == [
        "l",
        "election",
        "a",
        "val",
        "sur",
        "loire",
        "3",
        "5",
        "www",
        "val",
        "example",
        "a",
        "b",
    ]


# -- topics -----------------------------------------------------------------------------


def test_a_topic_with_a_query_is_about_the_documents_its_query_matches() -> None:
    topic = Topic(
        "transports", "Transports", ("tramway",), query="tramway NOT (Saint-Martin OR trampoline)"
    )

    assert matches_topic(topic, "Le tramway", "Le tracé est voté.")
    assert not matches_topic(topic, "Le tramway", "à Saint-Martin", by_keywords=True)
    assert not matches_topic(topic, "", "ligne de bus")


def test_a_topic_without_a_query_is_decided_by_its_keywords() -> None:
    topic = Topic("transports", "Transports", ("tramway",))

    assert matches_topic(topic, "", "rien à voir", by_keywords=True)
    assert not matches_topic(topic, "", "le tramway", by_keywords=False)


def test_a_topic_query_keeps_to_the_topics_languages() -> None:
    topic = Topic("logement", "Logement", ("loyers",), lang=("fr",), query="loyers")

    assert matches_topic(topic, "", "les loyers", lang="fr")
    assert matches_topic(topic, "", "les loyers", lang=None)
    assert not matches_topic(topic, "", "les loyers", lang="en")


WATCHLIST = """\
candidates:
  - id: claire-martin
    name: Claire Martin
topics:
  - id: transports
    keywords: ["tramway"]
    query: 'tramway NEAR/5 "Claire Martin" OR "ligne de bus"'
  - id: securite
    query: vidéo* OR caméras
sources:
  - {id: gazette, kind: feed, url: "https://www.gazette.example/rss.xml", every: 10m}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_watchlist_topic_may_have_a_query_with_or_without_keywords(tmp_path: Path) -> None:
    watchlist = load_watchlist(write(tmp_path, WATCHLIST))

    transports, securite = watchlist.topics
    assert transports.keywords == ("tramway",)
    assert transports.query == 'tramway NEAR/5 "Claire Martin" OR "ligne de bus"'
    assert securite.keywords == () and securite.query == "vidéo* OR caméras"
    assert matches_topic(securite, "", "80 caméras de vidéoprotection")


def test_a_malformed_topic_query_is_reported_with_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, WATCHLIST.replace("vidéo* OR caméras", "(vidéo* OR caméras"))

    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)

    [problem] = caught.value.problems
    assert problem == (
        f"{path}:9: topics[1].query: column 19 of '(vidéo* OR caméras': "
        'expected ")" to close the "(" of column 1, found end of query'
    )


def test_an_empty_topic_query_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, WATCHLIST.replace("query: vidéo* OR caméras", "query:"))

    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)

    assert caught.value.problems == [
        (
            f"{path}:9: topics[1].query: is empty; write a query "
            'such as "tramway NEAR/5 Martin", or remove the key'
        )
    ]


def test_a_topic_without_keywords_or_query_is_still_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, WATCHLIST.replace("    query: vidéo* OR caméras\n", ""))

    with pytest.raises(WatchlistError, match='topics\\[1\\]: missing "keywords"'):
        load_watchlist(path)


# -- FTS5, for real ---------------------------------------------------------------------


CORPUS = {
    1: (
        "Le tramway passera par les Tilleuls",
        "Le conseil a voté le tracé nord. Claire Martin s'en félicite.",
    ),
    2: (
        "Réunion publique de mardi",
        "Questions sur le tramway et les loyers. Élodie Arnaud était au fond de la salle.",
    ),
    3: (
        "Les logements sociaux du quartier",
        "Élodie Arnaud propose de racheter trois immeubles pour des logements sociaux.",
    ),
    4: (
        "Budget 2027",
        "L’adjoint J.-B. Lefort dénonce une hausse. Les logements de fonction ne sont pas sociaux.",
    ),
    5: ("Fête du sport", "Un trampoline géant est installé place du Marché."),
    6: (
        "Saint-Martin-sur-Loire vote son budget",
        "Au cœur du débat, la vidéoprotection et le tram.",
    ),
    7: ("Claire", "Martin"),
}

FTS5_QUERIES = [
    "tramway",
    "elodie",
    "ÉLODIE arnaud",
    "coeur",
    "cœur",
    "co*",
    "Saint-Martin",
    "l'adjoint",
    "vidéo*",
    "tram*",
    '"logements sociaux"',
    "logements sociaux",
    "tramway OR budget",
    "tramway NOT loyers",
    "NOT tramway",
    "NOT (tramway OR budget)",
    "tramway OR NOT budget",
    "budget (NOT Saint-Martin OR trampoline)",
    "NOT NOT tramway",
    "tramway NEAR/3 loyers",
    "loyers NEAR/3 tramway",
    "tramway NEAR/2 loyers",
    '"claire martin"',
    "claire NEAR/5 martin",
    '"Élodie Arnaud" NEAR/2 logements',
    '"saint mart"*',
    "fete",
    "2027 OR trampoline",
]


@pytest.fixture
def fts5() -> Iterator[sqlite3.Connection]:
    """An in-memory FTS5 table tokenised as the SQLite store's, holding CORPUS."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE docs "
        'USING fts5(title, text, tokenize = "unicode61 remove_diacritics 2")'
    )
    connection.executemany(
        "INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)",
        [(k, *v) for k, v in CORPUS.items()],
    )
    yield connection
    connection.close()


def run_fts5(connection: sqlite3.Connection, node: Node) -> set[int]:
    plan = to_fts5_plan(node, "docs", "docs.rowid")
    clauses: list[str] = []
    params: list[str] = []
    if plan.match is not None:
        clauses.append("docs MATCH ?")
        params.append(plan.match)
    if plan.condition is not None:
        clauses.append(plan.condition)
        params.extend(plan.params)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    return {row[0] for row in connection.execute(f"SELECT rowid FROM docs{where}", params)}


def by_python(node: Node) -> set[int]:
    return {key for key, (title, text) in CORPUS.items() if evaluate(node, title, text)}


@pytest.mark.parametrize("text", FTS5_QUERIES)
def test_fts5_finds_what_the_python_evaluator_finds(fts5: sqlite3.Connection, text: str) -> None:
    node = parse(text)
    assert run_fts5(fts5, node) == by_python(node), (
        f"{text!r} -> {to_fts5_plan(node, 'docs', 'docs.rowid')}"
    )


def test_fts5_results_of_a_few_queries_are_the_expected_documents(fts5: sqlite3.Connection) -> None:
    assert run_fts5(fts5, parse("tram*")) == {1, 2, 5, 6}
    assert run_fts5(fts5, parse("coeur")) == {6}
    assert run_fts5(fts5, parse("NOT tramway")) == {3, 4, 5, 6, 7}
    assert run_fts5(fts5, parse("tramway NEAR/3 loyers")) == {2}
    assert run_fts5(fts5, parse('"claire martin"')) == {1}
    assert run_fts5(fts5, parse("claire martin")) == {1, 7}


def test_fts5_expressions_quote_words_and_spell_ligatures_both_ways() -> None:
    assert to_fts5(parse("tramway NEAR/5 Martin")) == 'NEAR("tramway" "martin", 5)'
    assert to_fts5(parse('"Logements sociaux" OR loyer*')) == '("logements sociaux" OR "loyer"*)'
    assert to_fts5(parse('"saint mart"*')) == '"saint mart"*'
    assert to_fts5(parse("a b NOT c")) == '(("a" AND "b") NOT "c")'
    assert to_fts5(parse("cœur")) == '("coeur" OR "cœur")'


def test_a_not_without_a_positive_term_runs_as_documents_minus_matches() -> None:
    for text in ["NOT tramway", "NOT (a OR b)", "a OR NOT b", "NOT NOT a"]:
        node = parse(text)
        assert not fts5_expressible(node)
        with pytest.raises(ValueError, match="to_fts5_plan"):
            to_fts5(node)
    plan = to_fts5_plan(parse("NOT tramway"), "docs", "d.rowid")
    assert plan.match is None
    assert plan.condition == "NOT (d.rowid IN (SELECT rowid FROM docs WHERE docs MATCH ?))"
    assert plan.params == ('"tramway"',)
    # With a positive term beside it, a NOT stays in the ranked MATCH.
    assert (
        to_fts5_plan(parse("budget NOT tramway"), "docs", "d.rowid").match
        == '("budget" NOT "tramway")'
    )


def _random_query(rng: random.Random, depth: int = 0) -> str:
    words = ["a", "b", "ab", "coeur", "co", "l'a", "b-c"]
    if depth > 2 or rng.random() < 0.3:
        pick = rng.random()
        if pick < 0.45:
            return rng.choice(words)
        if pick < 0.6:
            return rng.choice(words)[:1] + "*"
        if pick < 0.75:
            return f'"{rng.choice(words)} {rng.choice(words)}"'
        left = rng.choice(words + ['"a b"', "ab*", '"a b"*'])
        return f"{left} NEAR/{rng.randint(0, 3)} {rng.choice(words + ['c*'])}"
    operator = rng.choice(["AND", "OR", "NOT", "", "OR NOT"])
    if operator == "NOT":
        return "NOT " + _random_query(rng, depth + 1)
    return f"({_random_query(rng, depth + 1)} {operator} {_random_query(rng, depth + 1)})"


def test_generated_queries_find_the_same_rows_in_python_and_in_fts5() -> None:
    # Small vocabulary, many collisions: phrases, overlapping NEARs, prefixes, ligatures.
    rng = random.Random(20261203)
    vocabulary = ["a", "b", "c", "ab", "abc", "cœur", "coeur", "d", "l'a", "b-c"]
    corpus = {
        row: (
            " ".join(rng.choices(vocabulary, k=rng.randint(0, 4))),
            " ".join(rng.choices(vocabulary, k=rng.randint(0, 12))),
        )
        for row in range(1, 201)
    }
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(
            "CREATE VIRTUAL TABLE docs "
            'USING fts5(title, text, tokenize = "unicode61 remove_diacritics 2")'
        )
        connection.executemany(
            "INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)",
            [(k, *v) for k, v in corpus.items()],
        )
        disagreements = []
        for _ in range(400):
            text = _random_query(rng)
            node = parse(text)
            expected = {row for row, (title, body) in corpus.items() if evaluate(node, title, body)}
            if run_fts5(connection, node) != expected:
                disagreements.append(text)
    finally:
        connection.close()
    assert disagreements == []


# -- Elasticsearch, as data -------------------------------------------------------------


def test_elasticsearch_query_of_each_operator() -> None:
    fields = ["title_folded^5", "text_folded"]
    assert to_elasticsearch(parse("tramway"), ["text_folded"]) == {
        "match_phrase": {"text_folded": {"query": "tramway", "boost": 1.0}}
    }
    assert to_elasticsearch(parse("vidéo*"), ["text_folded"]) == {
        "prefix": {"text_folded": {"value": "video", "boost": 1.0}}
    }
    assert to_elasticsearch(parse("a NEAR/3 b*"), ["f"]) == {
        "span_near": {
            "clauses": [
                {"span_term": {"f": "a"}},
                {"span_multi": {"match": {"prefix": {"f": {"value": "b"}}}}},
            ],
            "slop": 3,
            "in_order": False,
            "boost": 1.0,
        }
    }
    assert to_elasticsearch(parse('"saint mart"*'), ["f"]) == {
        "span_near": {
            "clauses": [
                {"span_term": {"f": "saint"}},
                {"span_multi": {"match": {"prefix": {"f": {"value": "mart"}}}}},
            ],
            "slop": 0,
            "in_order": True,
            "boost": 1.0,
        }
    }
    assert to_elasticsearch(parse("NOT a"), ["f"]) == {
        "bool": {"must_not": [{"match_phrase": {"f": {"query": "a", "boost": 1.0}}}]}
    }
    both = to_elasticsearch(parse("a"), fields)
    assert both == {
        "bool": {
            "should": [
                {"match_phrase": {"title_folded": {"query": "a", "boost": 5.0}}},
                {"match_phrase": {"text_folded": {"query": "a", "boost": 1.0}}},
            ],
            "minimum_should_match": 1,
        }
    }
    mixed = to_elasticsearch(parse("a b NOT c OR d"), ["f"])
    assert mixed["bool"]["minimum_should_match"] == 1
    first = mixed["bool"]["should"][0]["bool"]
    assert len(first["must"]) == 2 and len(first["must_not"]) == 1


# -- the command line -------------------------------------------------------------------


def test_search_prints_a_parse_error_with_a_caret_and_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["search", "tramway NEAR/5 (Martin OR Arnaud)"],
        env={"TRACEUR_STORE": f"sqlite:///{tmp_path / 't.db'}"},
    )

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        (
            'error: column 16: expected a word or a "phrase" after '
            'NEAR/5, found "("; NEAR/n joins two words or phrases'
        ),
        "  tramway NEAR/5 (Martin OR Arnaud)",
        "                 ^",
    ]
    # Checked before the store is opened: no database file for a typo.
    assert not (tmp_path / "t.db").exists()


def test_search_help_explains_the_operators() -> None:
    result = CliRunner().invoke(main, ["search", "--help"])

    assert result.exit_code == 0
    for operator in ("AND", "OR", "NOT", "NEAR/n", "prefix", "phrase"):
        assert operator in result.output


def test_elasticsearch_highlights_keep_the_punctuation_the_folded_copy_turned_into_spaces() -> None:
    from traceur.store.base import HIGHLIGHT_END, HIGHLIGHT_START
    from traceur.store.es_query import _place, folded_copy

    title = "« Tramway » : qui paiera ?"
    # Elasticsearch highlights the folded copy and trims the fragment's ends.
    fragment = (
        folded_copy(title).strip().replace("tramway", f"{HIGHLIGHT_START}tramway{HIGHLIGHT_END}")
    )

    assert (
        _place(title, fragment, folded=True, whole=True)
        == f"« {HIGHLIGHT_START}Tramway{HIGHLIGHT_END} » : qui paiera ?"
    )


# -- limits: hostile queries --------------------------------------------------------------


HOSTILE = [
    # (query, column, expected)
    ("NOT " * 10000 + "tramway", 2001, "a query of at most 2000 characters"),
    ("(" * 5000 + "tramway" + ")" * 5000, 2001, "a query of at most 2000 characters"),
    ("tramway NEAR/" + "9" * 5000 + " Martin", 2001, "a query of at most 2000 characters"),
    ("NOT " * 250 + "tramway", 81, "at most 20 nested parentheses and NOTs"),
    ("(" * 250 + "tramway" + ")" * 250, 21, "at most 20 nested parentheses and NOTs"),
    ("tramway NEAR/" + "9" * 1500 + " Martin", 14, "a distance from 0 to 1000"),
    (" OR ".join(f"quartier{n}" for n in range(101)), 1391, "at most 100 words and phrases"),
]


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    HOSTILE,
    ids=[
        "not-x10000",
        "5000-parentheses",
        "5000-digit-near",
        "not-x250",
        "250-parentheses",
        "1500-digit-near",
        "101-words",
    ],
)
def test_a_hostile_query_is_refused_fast_with_its_column_and_no_recursion_error(
    text: str, column: int, expected: str
) -> None:
    started = time.monotonic()
    with pytest.raises(QueryError) as caught:
        parse(text)

    assert time.monotonic() - started < 1
    assert (caught.value.column, caught.value.expected) == (column, expected)
    assert len(str(caught.value)) < 300  # what it found is quoted short, never whole
    shown, caret = caught.value.caret().splitlines()
    assert len(shown) < 100 and shown[caret.index("^")] == text[column - 1]


def test_queries_at_the_limits_still_parse() -> None:
    deepest = "(" * 10 + "NOT " * 10 + "tramway" + ")" * 10
    widest = " OR ".join(f"quartier{n}" for n in range(100))

    assert parse(deepest) == Not(Not(Not(Not(Not(Not(Not(Not(Not(Not(Term("tramway")))))))))))
    assert isinstance(parse(widest), Or) and len(parse(widest).children) == 100  # type: ignore[union-attr]
    assert parse("tramway NEAR/0001000 Martin") == Near((Term("tramway"), Term("martin")), 1000)


def test_a_topic_query_with_250_parentheses_is_a_file_line_column_problem(
    tmp_path: Path,
) -> None:
    deep = "(" * 250 + "vidéo*" + ")" * 250
    path = write(tmp_path, WATCHLIST.replace("vidéo* OR caméras", deep))

    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)

    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:9: topics[1].query: column 21 of '((((((")
    assert "(506 characters): expected at most 20 nested parentheses and NOTs" in problem
    assert len(problem) < 400


def test_search_refuses_ten_thousand_nots_on_one_line_and_a_short_caret(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["search", "NOT " * 10000 + "tramway"],
        env={"TRACEUR_STORE": f"sqlite:///{tmp_path / 't.db'}"},
    )

    assert result.exit_code == 2
    message, shown, caret = result.stderr.splitlines()
    assert message == (
        "error: column 2001: expected a query of at most 2000 characters, found 40007"
        " characters; shorten it, or split it into several searches or topics"
    )
    assert len(shown) < 100 and caret.endswith("^")
    assert "Traceback" not in result.output and not (tmp_path / "t.db").exists()
