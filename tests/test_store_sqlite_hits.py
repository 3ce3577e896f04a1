"""The SQLite store reuses the table of a search's matches across the calls of one page
view: never once the store has changed, by this store or by another process, and also on a
store opened read-only (the web app's)."""

from __future__ import annotations

from pathlib import Path

from tests.test_store_sqlite import make_doc, utc
from traceur.store import SearchQuery
from traceur.store.sqlite import SqliteStore

MARCHE = make_doc(
    "marche-couvert",
    "Le marché couvert rouvrira en mars",
    "Les commerçants du marché couvert attendent la fin des travaux. Noël Chastel promet"
    " une réouverture avant les municipales.",
    published=utc(14),
    candidates=("noel-chastel",),
    topics=("commerce",),
)
HALLE = make_doc(
    "halle-aux-grains",
    "Halle aux grains : le marché du samedi déménage",
    "Le marché du samedi quittera la halle pendant l'été, annonce la mairie.",
    kind="blog_post",
    source_id="carnet",
    published=utc(16),
    topics=("commerce",),
)
PISCINE = make_doc(
    "piscine-nord",
    "Piscine Nord : un marché public relancé",
    "Le marché public de la piscine Nord est relancé après un appel d'offres infructueux.",
    source_id="gazette",
    published=utc(18),
    candidates=("noel-chastel",),
    topics=("sport",),
)
SEARCH = SearchQuery(text="marché", collapse_clusters=True, limit=20)
FACETS = ["candidates", "topics", "kind", "source_id"]


def test_facets_after_a_page_count_the_same_matches(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db")
    store.upsert([MARCHE, HALLE, PISCINE])

    page = store.search_page(SEARCH)
    counts = store.facets(SearchQuery(text="marché", limit=0), FACETS, size=8)

    assert page.total == 3
    assert counts["candidates"] == [("noel-chastel", 2)]
    assert counts["topics"] == [("commerce", 2), ("sport", 1)]
    assert counts["kind"] == [("article", 2), ("blog_post", 1)]
    assert dict(counts["source_id"]) == {"courrier": 1, "carnet": 1, "gazette": 1}
    store.close()


def test_a_document_written_between_two_calls_is_counted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db")
    store.upsert([MARCHE, HALLE])
    assert store.search_page(SEARCH).total == 2

    store.upsert([PISCINE])

    assert store.search_page(SEARCH).total == 3
    assert store.count(SearchQuery(text="marché")) == 3
    counts = store.facets(SearchQuery(text="marché", limit=0), ["candidates"], size=8)
    assert counts["candidates"] == [("noel-chastel", 2)]
    store.close()


def test_a_write_by_another_process_is_seen_by_a_read_only_store(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    writer = SqliteStore(path)
    writer.upsert([MARCHE])
    reader = SqliteStore(path, read_only=True)
    first = reader.search_page(SEARCH)
    assert [hit.document.id for hit in first.hits] == [MARCHE.id]

    writer.upsert([HALLE, PISCINE])

    again = reader.search_page(SEARCH)
    assert again.total == 3
    assert {hit.document.id for hit in again.hits} == {MARCHE.id, HALLE.id, PISCINE.id}
    counts = reader.facets(SearchQuery(text="marché", limit=0), ["kind"], size=8)
    assert counts["kind"] == [("article", 2), ("blog_post", 1)]
    writer.close()
    reader.close()


def test_searches_with_other_filters_each_get_their_own_matches(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db")
    store.upsert([MARCHE, HALLE, PISCINE])
    # More distinct searches than the store keeps tables for, then the first again.
    filters = [
        {"candidate": "noel-chastel"},
        {"topic": "commerce"},
        {"kind": "blog_post"},
        {"source_id": "gazette"},
        {"topic": "sport"},
        {},
    ]
    totals = [
        store.search_page(SearchQuery(text="marché", limit=20, **f)).total  # type: ignore[arg-type]
        for f in filters
    ]
    assert totals == [2, 2, 1, 1, 1, 3]
    first_again = store.search_page(SearchQuery(text="marché", limit=20, candidate="noel-chastel"))
    assert {hit.document.id for hit in first_again.hits} == {MARCHE.id, PISCINE.id}
    store.close()


def test_a_page_of_big_clusters_still_fills(tmp_path: Path) -> None:
    # Two stories reprinted on 300 sites each, newer than thirty single documents: by date,
    # the page reads past the first rows it asks for until it has its twenty groups.
    documents = []
    for story in ("tramway", "budget"):
        for site in range(300):
            documents.append(
                make_doc(
                    f"{story}-{site}",
                    f"Dépêche {story}",
                    f"Le marché de la ville et le {story}, repris par le site {site}.",
                    source_id=f"site{site}",
                    published=utc(20, site % 20),
                    cluster_id=f"c-{story}",
                )
            )
    for n in range(30):
        documents.append(
            make_doc(
                f"seul-{n}",
                f"Brève {n}",
                f"Un marché de quartier, brève numéro {n}.",
                published=utc(5, n % 20),
            )
        )
    store = SqliteStore(tmp_path / "store.db")
    store.upsert(documents)

    page = store.search_page(
        SearchQuery(text="marché", collapse_clusters=True, limit=20, sort="date")
    )

    assert page.total == 32
    assert len(page.hits) == 20
    assert [hit.cluster_size for hit in page.hits[:2]] == [300, 300]
    assert all(hit.cluster_size == 1 for hit in page.hits[2:])
    assert len({hit.document.cluster_id or hit.document.id for hit in page.hits}) == 20
    store.close()
