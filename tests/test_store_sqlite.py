"""The embedded SQLite store: idempotent upserts, full-text search with filters and
highlights, persistence, and the `export` / `search --json` commands on top of it."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from traceur.cli import main
from traceur.document import Document, Mention, Snippet, content_hash, document_id
from traceur.errors import StoreError
from traceur.store import HIGHLIGHT_END, HIGHLIGHT_START, SearchQuery
from traceur.store.sqlite import SqliteStore

# The document fields DESIGN.md promises (section "The document").
DESIGN_FIELDS = {
    "id",
    "url",
    "canonical_url",
    "domain",
    "kind",
    "source_id",
    "title",
    "text",
    "author",
    "published_at",
    "fetched_at",
    "lang",
    "thread_url",
    "post_id",
    "position",
    "parent_id",
    "candidates",
    "topics",
    "mentions",
    "content_hash",
    "cluster_id",
    "video",
}

FETCHED = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def utc(day: int, hour: int = 8) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def make_doc(
    key: str,
    title: str,
    text: str,
    *,
    kind: str = "article",
    source_id: str = "courrier",
    published: datetime | None = None,
    candidates: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
    **extra: object,
) -> Document:
    url = f"https://www.{source_id}.example/{key}.html"
    return Document(
        id=document_id(url),
        url=url,
        canonical_url=url,
        domain=f"{source_id}.example",
        kind=kind,
        source_id=source_id,
        title=title,
        text=text,
        author="Rédaction",
        published_at=published,
        fetched_at=FETCHED,
        lang="fr",
        candidates=list(candidates),
        topics=list(topics),
        content_hash=content_hash(title, text),
        **extra,  # type: ignore[arg-type]
    )


TRAM_TITLE = make_doc(
    "tramway-tilleuls",
    "Le tramway passera par les Tilleuls",
    "Le conseil municipal a voté le tracé nord. Claire Martin s'en félicite devant la presse.",
    published=utc(10),
    candidates=("claire-martin",),
    topics=("transports",),
)
TRAM_TEXT = make_doc(
    "reunion-mardi",
    "Réunion publique de mardi",
    "Beaucoup de questions sur le tramway et sur les loyers. "
    "Élodie Arnaud était présente au fond de la salle.",
    kind="forum_post",
    source_id="forum",
    published=utc(12, 20),
    candidates=("elodie-arnaud",),
    topics=("transports", "logement"),
    thread_url="https://www.forum.example/t/1842",
    post_id="p7",
    position=3,
)
LOGEMENT = make_doc(
    "logements-glycines",
    "Les logements sociaux du quartier",
    "Élodie Arnaud propose de racheter trois immeubles "
    "rue des Glycines pour en faire des logements sociaux.",
    kind="blog_post",
    source_id="carnet",
    published=utc(5),
    candidates=("elodie-arnaud",),
    topics=("logement",),
)
BUDGET = make_doc(
    "budget-2027",
    "Budget 2027 : la taxe foncière augmente",
    "Jean-Baptiste Lefort dénonce une hausse de deux points. "
    "Les logements de fonction, eux, ne sont pas sociaux.",
    published=utc(20),
    candidates=("jean-baptiste-lefort",),
)
TRAMPOLINE = make_doc(
    "fete-du-sport",
    "Fête du sport",
    "Un trampoline géant est installé place du Marché pour les enfants.",
    source_id="gazette",
    published=utc(15),
)
ALL = [TRAM_TITLE, TRAM_TEXT, LOGEMENT, BUDGET, TRAMPOLINE]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "t.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(db_path)
    yield opened
    opened.close()


@pytest.fixture
def filled(store: SqliteStore) -> SqliteStore:
    store.upsert(ALL)
    return store


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [hit.document.id for hit in hits]


def search_ids(store: SqliteStore, text: str = "", **filters: object) -> set[str]:
    return set(ids(store.search(SearchQuery(text, **filters))))  # type: ignore[arg-type]


# -- upserts --------------------------------------------------------------------------


def test_first_upsert_of_a_document_is_new(store: SqliteStore) -> None:
    result = store.upsert([TRAM_TITLE])

    assert result.new == [TRAM_TITLE.id]
    assert (result.updated, result.unchanged, result.failed, result.spooled) == ([], [], {}, [])
    assert store.count() == 1


def test_same_document_again_is_unchanged(store: SqliteStore) -> None:
    store.upsert([TRAM_TITLE])

    result = store.upsert([dataclasses.replace(TRAM_TITLE)])

    assert result.unchanged == [TRAM_TITLE.id]
    assert result.new == [] and result.updated == []
    assert store.count() == 1


def test_document_fetched_again_later_is_unchanged(store: SqliteStore) -> None:
    store.upsert([TRAM_TITLE])

    result = store.upsert(
        [dataclasses.replace(TRAM_TITLE, fetched_at=datetime(2026, 11, 22, 6, 30, tzinfo=UTC))]
    )

    assert result.unchanged == [TRAM_TITLE.id]


def test_changed_text_updates_in_place(store: SqliteStore) -> None:
    store.upsert(ALL)
    corrected = dataclasses.replace(
        TRAM_TITLE,
        text="Rectificatif : le conseil a reporté le vote du tracé nord au mois de janvier.",
        candidates=[],
    )

    result = store.upsert([corrected])

    assert result.updated == [TRAM_TITLE.id]
    assert result.new == [] and result.unchanged == []
    assert store.count() == len(ALL)
    stored = store.get(TRAM_TITLE.id)
    assert stored is not None and stored.text.startswith("Rectificatif")
    # The full-text index and the tags follow the new version, not the old one.
    assert TRAM_TITLE.id in search_ids(store, "rectificatif")
    assert TRAM_TITLE.id not in search_ids(store, "félicite")
    assert TRAM_TITLE.id not in search_ids(store, candidate="claire-martin")


def test_mixed_batch_reports_each_outcome(store: SqliteStore) -> None:
    store.upsert([TRAM_TITLE, TRAM_TEXT])
    changed = dataclasses.replace(TRAM_TEXT, title="Réunion publique de mardi (compte rendu)")

    result = store.upsert([TRAM_TITLE, changed, LOGEMENT])

    assert (result.new, result.updated, result.unchanged) == (
        [LOGEMENT.id],
        [TRAM_TEXT.id],
        [TRAM_TITLE.id],
    )


def test_get_returns_the_document_as_stored(store: SqliteStore) -> None:
    document = dataclasses.replace(
        TRAM_TEXT,
        mentions={
            "elodie-arnaud": Mention(
                1, (Snippet("…loyers. Élodie Arnaud était présente…", 9, 22, "text"),)
            )
        },
        cluster_id="c-42",
        video={"channel": "Val TV", "duration": 312, "views": 1200},
    )
    store.upsert([document])

    assert store.get(document.id) == document
    assert store.get("no-such-id") is None


def test_stored_tells_which_ids_are_stored_without_reading_them(store: SqliteStore) -> None:
    store.upsert([TRAM_TEXT])
    unknown = document_id("https://www.courrier.example/jamais-publie.html")

    assert store.stored([unknown, TRAM_TEXT.id, TRAM_TEXT.id]) == {TRAM_TEXT.id}
    assert store.stored([unknown]) == set()
    assert store.stored([]) == set()


# -- search ---------------------------------------------------------------------------


def test_search_ignores_accents_and_case(filled: SqliteStore) -> None:
    assert search_ids(filled, "elodie") == {TRAM_TEXT.id, LOGEMENT.id}
    assert search_ids(filled, "ÉLODIE arnaud") == {TRAM_TEXT.id, LOGEMENT.id}
    assert search_ids(filled, "fete") == {TRAMPOLINE.id}


def test_all_words_are_required(filled: SqliteStore) -> None:
    assert search_ids(filled, "elodie loyers") == {TRAM_TEXT.id}


def test_quoted_words_are_a_phrase(filled: SqliteStore) -> None:
    assert search_ids(filled, "logements sociaux") == {LOGEMENT.id, BUDGET.id}
    assert search_ids(filled, '"logements sociaux"') == {LOGEMENT.id}


def test_trailing_star_is_a_prefix(filled: SqliteStore) -> None:
    assert search_ids(filled, "tram*") == {TRAM_TITLE.id, TRAM_TEXT.id, TRAMPOLINE.id}
    assert search_ids(filled, "tram") == set()


def test_or_combines_terms(filled: SqliteStore) -> None:
    assert search_ids(filled, "trampoline OR taxe") == {TRAMPOLINE.id, BUDGET.id}


def test_not_excludes_a_term(filled: SqliteStore) -> None:
    assert search_ids(filled, "tramway NOT loyers") == {TRAM_TITLE.id}


def test_punctuation_in_a_query_does_not_break_it(filled: SqliteStore) -> None:
    assert search_ids(filled, "Jean-Baptiste") == {BUDGET.id}
    assert search_ids(filled, "taxe: foncière!") == {BUDGET.id}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"candidate": "elodie-arnaud"}, {"reunion-mardi", "logements-glycines"}),
        ({"topic": "logement"}, {"reunion-mardi", "logements-glycines"}),
        ({"topic": "transports"}, {"tramway-tilleuls", "reunion-mardi"}),
        ({"kind": "forum_post"}, {"reunion-mardi"}),
        ({"source_id": "courrier"}, {"tramway-tilleuls", "budget-2027"}),
        ({"since": utc(12)}, {"reunion-mardi", "budget-2027", "fete-du-sport"}),
        ({"until": utc(12)}, {"tramway-tilleuls", "logements-glycines"}),
        ({"since": utc(10), "until": utc(15)}, {"tramway-tilleuls", "reunion-mardi"}),
        ({"candidate": "elodie-arnaud", "kind": "blog_post"}, {"logements-glycines"}),
    ],
    ids=[
        "candidate",
        "topic-logement",
        "topic-transports",
        "kind",
        "source",
        "since",
        "until",
        "window",
        "combined",
    ],
)
def test_filters_narrow_a_listing(
    filled: SqliteStore, filters: dict[str, object], expected: set[str]
) -> None:
    found = filled.search(SearchQuery(**filters))  # type: ignore[arg-type]

    assert {hit.document.url.rsplit("/", 1)[1].removesuffix(".html") for hit in found} == expected
    assert filled.count(SearchQuery(**filters)) == len(expected)  # type: ignore[arg-type]


def test_filters_apply_to_a_text_search_too(filled: SqliteStore) -> None:
    assert search_ids(filled, "tramway", kind="forum_post") == {TRAM_TEXT.id}
    assert search_ids(filled, "elodie", candidate="elodie-arnaud", since=utc(6)) == {TRAM_TEXT.id}
    assert filled.count(SearchQuery("elodie", source_id="carnet")) == 1


def test_listing_without_text_is_newest_first_and_limited(filled: SqliteStore) -> None:
    assert ids(filled.search(SearchQuery())) == [
        BUDGET.id,
        TRAMPOLINE.id,
        TRAM_TEXT.id,
        TRAM_TITLE.id,
        LOGEMENT.id,
    ]
    assert ids(filled.search(SearchQuery(limit=2))) == [BUDGET.id, TRAMPOLINE.id]


def test_limit_applies_to_a_text_search(filled: SqliteStore) -> None:
    assert len(filled.search(SearchQuery("tram*", limit=2))) == 2


def test_title_match_ranks_above_a_text_only_match(filled: SqliteStore) -> None:
    hits = filled.search(SearchQuery("tramway"))

    assert ids(hits) == [TRAM_TITLE.id, TRAM_TEXT.id]
    assert hits[0].score > hits[1].score


def test_highlights_mark_the_matched_word(filled: SqliteStore) -> None:
    [hit] = filled.search(SearchQuery("glycines"))

    marked = f"{HIGHLIGHT_START}Glycines{HIGHLIGHT_END}"
    assert any(marked in fragment for fragment in hit.fragments)


def test_highlights_mark_a_title_match_and_an_accent_folded_match(filled: SqliteStore) -> None:
    [title_hit] = filled.search(SearchQuery("tramway", source_id="courrier"))
    assert (
        f"Le {HIGHLIGHT_START}tramway{HIGHLIGHT_END} passera par les Tilleuls"
        in title_hit.fragments
    )

    [text_hit] = filled.search(SearchQuery("elodie", kind="forum_post"))
    assert any(
        f"{HIGHLIGHT_START}Élodie{HIGHLIGHT_END}" in fragment for fragment in text_hit.fragments
    )


def test_a_listing_has_no_highlights(filled: SqliteStore) -> None:
    assert all(hit.fragments == () for hit in filled.search(SearchQuery(candidate="elodie-arnaud")))


MALFORMED = [
    '"tramway',
    '"logements sociaux',
    "(tramway",
    "tramway)",
    "(tramway OR loyers",
    "tramway AND",
    "OR",
    "NOT",
    "((",
    '"',
    "*",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_query_works_or_raises_a_clear_store_error_on_search(
    filled: SqliteStore, text: str
) -> None:
    try:
        hits = filled.search(SearchQuery(text))
    except StoreError as exc:
        assert "check quotes and parentheses" in str(exc)
        assert text in str(exc)
    except sqlite3.Error as exc:
        pytest.fail(f"raw sqlite error leaked from search({text!r}): {exc!r}")
    else:
        assert isinstance(hits, list)


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_query_works_or_raises_a_clear_store_error_on_count(
    filled: SqliteStore, text: str
) -> None:
    try:
        number = filled.count(SearchQuery(text))
    except StoreError as exc:
        assert "check quotes and parentheses" in str(exc)
    except sqlite3.Error as exc:
        pytest.fail(f"raw sqlite error leaked from count({text!r}): {exc!r}")
    else:
        assert number >= 0


def test_unbalanced_quote_is_an_error_naming_where_the_phrase_starts(filled: SqliteStore) -> None:
    # Once silently read as the bare word; a quote left open changes what the query means
    # ("logements sociaux" becomes two words), so the query language refuses it.
    with pytest.raises(StoreError, match="column 9: expected a closing"):
        filled.search(SearchQuery('tramway "logements sociaux'))


# -- reading everything, persistence --------------------------------------------------


def test_iter_documents_yields_every_document(filled: SqliteStore) -> None:
    assert sorted(d.id for d in filled.iter_documents()) == sorted(d.id for d in ALL)


def test_iter_documents_goes_past_its_page_size(store: SqliteStore) -> None:
    many = [
        make_doc(f"breve-{n}", f"Brève {n}", f"Texte de la brève numéro {n}.", published=utc(1))
        for n in range(1203)
    ]
    store.upsert(many)

    seen = [d.id for d in store.iter_documents()]

    assert len(seen) == 1203
    assert set(seen) == {d.id for d in many}


def test_documents_survive_closing_and_reopening_the_file(db_path: Path) -> None:
    first = SqliteStore(db_path)
    first.upsert(ALL)
    first.close()

    reopened = SqliteStore(db_path)
    try:
        assert reopened.count() == len(ALL)
        assert reopened.get(LOGEMENT.id) == LOGEMENT
        assert search_ids(reopened, "glycines") == {LOGEMENT.id}
        assert reopened.upsert([LOGEMENT]).unchanged == [LOGEMENT.id]
    finally:
        reopened.close()


def test_count_with_and_without_filters(filled: SqliteStore) -> None:
    assert filled.count() == 5
    assert filled.count(SearchQuery()) == 5
    assert filled.count(SearchQuery("elodie")) == 2
    assert filled.count(SearchQuery(candidate="jean-baptiste-lefort")) == 1
    assert filled.count(SearchQuery("tram*", topic="transports")) == 2
    assert filled.count(SearchQuery("licorne")) == 0


def test_count_ignores_the_limit(filled: SqliteStore) -> None:
    assert filled.count(SearchQuery(limit=1)) == 5


def test_in_memory_store_works(tmp_path: Path) -> None:
    memory = SqliteStore(":memory:")
    try:
        memory.upsert([TRAM_TITLE])
        assert search_ids(memory, "tilleuls") == {TRAM_TITLE.id}
    finally:
        memory.close()


# -- the CLI on top of the store ------------------------------------------------------


def run_cli(db_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env={"TRACEUR_STORE": f"sqlite:///{db_path}"})


def test_export_jsonl_has_every_document_field(filled: SqliteStore, db_path: Path) -> None:
    result = run_cli(db_path, "export", "--format", "jsonl")

    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(ALL)
    for record in records:
        assert set(record) >= DESIGN_FIELDS, DESIGN_FIELDS - set(record)
    by_id = {record["id"]: record for record in records}
    forum = by_id[TRAM_TEXT.id]
    assert forum["published_at"] == "2026-11-12T20:00:00Z"
    assert forum["fetched_at"] == "2026-11-21T09:00:00Z"
    assert forum["kind"] == "forum_post" and forum["post_id"] == "p7" and forum["position"] == 3
    assert forum["thread_url"] == "https://www.forum.example/t/1842"
    assert forum["candidates"] == ["elodie-arnaud"] and forum["topics"] == [
        "transports",
        "logement",
    ]
    assert forum["text"] == TRAM_TEXT.text
    assert Document.from_dict(forum) == TRAM_TEXT
    assert "5 documents exported" in result.stderr


def test_export_to_a_file(filled: SqliteStore, db_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "mentions.jsonl"

    result = run_cli(db_path, "export", "--format", "jsonl", "-o", str(output))

    assert result.exit_code == 0, result.output
    lines = output.read_text(encoding="utf-8").splitlines()
    assert {json.loads(line)["id"] for line in lines} == {d.id for d in ALL}


def test_search_json_prints_one_hit_per_line_best_first(filled: SqliteStore, db_path: Path) -> None:
    result = run_cli(db_path, "search", "tramway", "--json")

    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert [hit["id"] for hit in hits] == [TRAM_TITLE.id, TRAM_TEXT.id]
    assert hits[0]["score"] >= hits[1]["score"]
    for hit in hits:
        assert DESIGN_FIELDS - {"text"} <= set(hit)
        assert any(f"{HIGHLIGHT_START}tramway{HIGHLIGHT_END}" in h for h in hit["highlights"])


def test_search_json_applies_filters(filled: SqliteStore, db_path: Path) -> None:
    result = run_cli(
        db_path, "search", "--candidate", "elodie-arnaud", "--kind", "blog_post", "--json"
    )

    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [LOGEMENT.id]


def test_search_since_a_date(filled: SqliteStore, db_path: Path) -> None:
    result = run_cli(db_path, "search", "--since", "2026-11-14", "--json")

    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        BUDGET.id,
        TRAMPOLINE.id,
    ]


def test_search_with_a_broken_query_is_a_clean_cli_error(
    filled: SqliteStore, db_path: Path
) -> None:
    result = run_cli(db_path, "search", "(tramway")

    assert result.exit_code == 2
    assert result.stderr.startswith(
        'error: column 9: expected ")" to close the "(" of column 1, found end of query'
    )
    assert result.stderr.splitlines()[1:] == ["  (tramway", "          ^"]
    assert "Traceback" not in result.output
