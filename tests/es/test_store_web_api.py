"""The store API of the web app gives the same answers on SQLite and on Elasticsearch.

Every test runs on both stores (``store`` is parametrised) over the same French documents:
a wire story about the northern tramway reprinted on three sites (one story cluster), a
forum thread, a comment under the first article, a housing blog post and an Italian
reprint. Dates are in July, when Paris is two hours ahead of UTC: the reprint stored at
23:30 UTC on 14 July belongs to the 15th in Paris.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from traceur.config import Settings
from traceur.document import Document, content_hash, document_id
from traceur.enrich.tagging import Tagger
from traceur.errors import StoreError, TriageConflict
from traceur.orchestra.retag import retag_store
from traceur.store import UNSET, SearchQuery, Store, Triage
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.sqlite import SCHEMA_VERSION, SqliteStore
from traceur.watchlist.loader import load_watchlist

FETCHED = datetime(2026, 7, 16, 20, 0, tzinfo=UTC)
THREAD = "https://forum.velo-lyon.fr/t/tramway-nord-enfin-2481"
ARTICLE_URL = "https://www.journal-du-rhone.fr/metropole/tramway-nord-valide.html"

WIRE = (
    "La Métropole a validé mardi le tracé du tramway nord, qui reliera la gare de Vaise "
    "aux Tilleuls d'ici 2029. Élodie Arnaud, adjointe aux mobilités, parle d'un « projet "
    "attendu depuis vingt ans ». Les commerçants de la Grande-Rue craignent deux années "
    "de travaux."
)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, day, hour, minute, tzinfo=UTC)


def doc(
    url: str,
    title: str,
    text: str,
    published: datetime,
    *,
    kind: str = "article",
    source_id: str = "journal",
    candidates: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
    lang: str = "fr",
    **extra: object,
) -> Document:
    post_id = extra.get("post_id")
    return Document(
        id=document_id(url, post_id if isinstance(post_id, str) else None),
        url=url,
        canonical_url=url,
        domain=url.split("/")[2],
        kind=kind,
        source_id=source_id,
        title=title,
        text=text,
        author="Rédaction",
        published_at=published,
        fetched_at=FETCHED,
        lang=lang,
        candidates=list(candidates),
        topics=list(topics),
        content_hash=content_hash(title, text),
        **extra,  # type: ignore[arg-type]
    )


TRAM = doc(
    ARTICLE_URL,
    "Le tramway nord validé par la Métropole",
    WIRE,
    utc(14, 9),
    candidates=("elodie-arnaud",),
    topics=("transports",),
    cluster_id="tram-nord",
)
# Reprinted at 01:30 in Paris on the 15th.
TRAM_ECHO = doc(
    "https://www.echo-des-pentes.fr/actu/tram-nord.html",
    "Tramway nord : le tracé est validé",
    WIRE,
    utc(14, 23, 30),
    source_id="echo",
    candidates=("elodie-arnaud",),
    topics=("transports",),
    cluster_id="tram-nord",
)
TRAM_GAZETTE = doc(
    "https://www.gazette-croix-rousse.fr/2026/07/15/tramway-nord",
    "Le tramway nord passera par Vaise",
    WIRE + " La gazette publiera le plan des travaux rue par rue.",
    utc(15, 6),
    source_id="gazette",
    candidates=("elodie-arnaud",),
    topics=("transports",),
    cluster_id="tram-nord",
)
POST_1 = doc(
    THREAD,
    "Tramway nord : enfin !",
    "Vingt ans qu'on l'attend. Marc Lefort promettait déjà ce tramway en 2008, "
    "qu'on me pardonne d'être sceptique sur la date de 2029.",
    utc(13, 18),
    kind="forum_post",
    source_id="forum",
    candidates=("marc-lefort",),
    topics=("transports",),
    thread_url=THREAD,
    post_id="p1",
    position=1,
)
POST_2 = doc(
    THREAD,
    "Re: Tramway nord : enfin !",
    "Les pistes cyclables de la Grande-Rue vont disparaître pendant les travaux, personne "
    "n'en parle.",
    utc(13, 19),
    kind="forum_post",
    source_id="forum",
    topics=("transports",),
    thread_url=THREAD,
    post_id="p2",
    position=2,
    parent_id="p1",
)
POST_3 = doc(
    THREAD,
    "Re: Tramway nord : enfin !",
    "Élodie Arnaud a répondu sur ce point en conseil : une piste provisoire est prévue "
    "quai Arloing.",
    utc(14, 7),
    kind="forum_post",
    source_id="forum",
    candidates=("elodie-arnaud",),
    thread_url=THREAD,
    post_id="p3",
    position=3,
    parent_id="p2",
)
# 23:45 in Paris: still the 14th.
COMMENT = doc(
    ARTICLE_URL,
    "",
    "Marc Lefort n'a rien fait pendant douze ans, qu'il ne vienne pas s'en attribuer le mérite.",
    utc(14, 21, 45),
    kind="comment",
    candidates=("marc-lefort",),
    thread_url=ARTICLE_URL,
    post_id="c12",
)
LOGEMENT = doc(
    "https://blog.quartiers-solidaires.fr/2026/07/logements-vaise",
    "Logements sociaux à Vaise : où en est-on ?",
    "Marc Lefort propose de transformer l'ancienne caserne en cent vingt logements sociaux. "
    "Les associations du quartier demandent un calendrier.",
    utc(12, 10),
    kind="blog_post",
    source_id="carnet",
    candidates=("marc-lefort",),
    topics=("logement",),
)
ITALIEN = doc(
    "https://www.corriere-delle-alpi.it/lione-tram-nord",
    "Lione, via libera al tram nord",
    "La Metropoli di Lione ha approvato il tracciato del tram nord. Élodie Arnaud parla di "
    "un progetto atteso da vent'anni.",
    utc(16, 12),
    source_id="corriere",
    candidates=("elodie-arnaud",),
    topics=("transports",),
    lang="it",
)
CORPUS = [TRAM, TRAM_ECHO, TRAM_GAZETTE, POST_1, POST_2, POST_3, COMMENT, LOGEMENT, ITALIEN]
NAMES = {
    TRAM.id: "tram",
    TRAM_ECHO.id: "echo",
    TRAM_GAZETTE.id: "gazette",
    POST_1.id: "post1",
    POST_2.id: "post2",
    POST_3.id: "post3",
    COMMENT.id: "comment",
    LOGEMENT.id: "logement",
    ITALIEN.id: "italien",
}
# Newest first.
BY_DATE = ["italien", "gazette", "echo", "comment", "tram", "post3", "post2", "post1", "logement"]


@dataclasses.dataclass
class Stores:
    """Opens stores of one kind for a test (a second one to play a second volunteer)."""

    kind: str
    open: Callable[[], Store]

    def settle(self, store: Store) -> None:
        """Make the last writes visible to searches (Elasticsearch refreshes each second)."""
        refresh = getattr(store, "refresh", None)
        if refresh is not None:
            refresh()


@pytest.fixture
def side_indices_removed(es_settings: Settings, es_client: Elasticsearch) -> Iterator[None]:
    """Removes the test's triage and versions indices afterwards (the shared fixture
    removes its document indices)."""
    yield
    for suffix in ("triage", "versions"):
        es_client.options(ignore_status=404).indices.delete(
            index=f"{es_settings.es_index_prefix}-{suffix}"
        )


@pytest.fixture(params=["sqlite", "es"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    opened: list[Store] = []
    if request.param == "sqlite":

        def open_sqlite() -> Store:
            store = SqliteStore(tmp_path / "traceur.db")
            opened.append(store)
            return store

        yield Stores("sqlite", open_sqlite)
    else:
        settings: Settings = request.getfixturevalue("es_settings")
        request.getfixturevalue("side_indices_removed")

        def open_es() -> Store:
            store = ElasticsearchStore.from_settings(settings)
            store.setup()
            opened.append(store)
            return store

        yield Stores("es", open_es)
    for store in opened:
        store.close()


@pytest.fixture
def store(stores: Stores) -> Store:
    store = stores.open()
    store.upsert(CORPUS)
    stores.settle(store)
    return store


def names(documents: list[Document]) -> list[str]:
    return [NAMES[document.id] for document in documents]


def page_names(store: Store, **query: object) -> list[str]:
    page = store.search_page(SearchQuery(limit=50, **query))  # type: ignore[arg-type]
    return names([hit.document for hit in page.hits])


# -- search pages ------------------------------------------------------------------------


def test_filters_select_the_same_documents_newest_first(store: Store) -> None:
    assert page_names(store) == BY_DATE
    assert page_names(store, candidate="elodie-arnaud") == [
        "italien",
        "gazette",
        "echo",
        "tram",
        "post3",
    ]
    assert page_names(store, topic="logement") == ["logement"]
    assert page_names(store, kind="forum_post") == ["post3", "post2", "post1"]
    assert page_names(store, source_id="echo") == ["echo"]
    assert page_names(store, domain="www.journal-du-rhone.fr") == ["comment", "tram"]
    assert page_names(store, lang="it") == ["italien"]
    assert page_names(store, since=utc(14, 0), until=utc(15, 0)) == [
        "echo",
        "comment",
        "tram",
        "post3",
    ]
    assert page_names(store, ids=(POST_2.id, LOGEMENT.id, "inconnu")) == ["post2", "logement"]
    assert page_names(store, ids=()) == []


def test_text_search_sorts_by_relevance_or_by_date_and_highlights(store: Store) -> None:
    relevant = store.search_page(SearchQuery(text="tramway", limit=50))
    by_date = store.search_page(SearchQuery(text="tramway", sort="date", limit=50))

    expected = {"tram", "echo", "gazette", "post1", "post2", "post3"}
    assert set(names([hit.document for hit in relevant.hits])) == expected
    assert relevant.total == by_date.total == 6
    scores = [hit.score for hit in relevant.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert names([hit.document for hit in by_date.hits]) == [
        "gazette",
        "echo",
        "tram",
        "post3",
        "post2",
        "post1",
    ]
    assert all(hit.fragments for hit in by_date.hits)
    assert any("\x02tramway\x03" in "".join(hit.fragments).lower() for hit in by_date.hits)


def test_offset_and_limit_page_through_the_results_with_the_full_total(store: Store) -> None:
    page = store.search_page(SearchQuery(sort="date", offset=2, limit=3))

    assert names([hit.document for hit in page.hits]) == BY_DATE[2:5]
    assert page.total == len(CORPUS)
    last = store.search_page(SearchQuery(sort="date", offset=8, limit=3))
    assert names([hit.document for hit in last.hits]) == ["logement"]


def test_collapsed_results_show_a_wire_story_once_with_its_cluster_size(store: Store) -> None:
    page = store.search_page(
        SearchQuery(candidate="elodie-arnaud", sort="date", collapse_clusters=True)
    )

    assert [(NAMES[hit.document.id], hit.cluster_size) for hit in page.hits] == [
        ("italien", 1),
        ("gazette", 3),
        ("post3", 1),
    ]
    assert page.total == 3
    # Only the matching members count: the gazette's copy speaks of itself.
    narrow = store.search_page(
        SearchQuery(text='"Grande-Rue" NOT gazette', sort="date", collapse_clusters=True)
    )
    assert [(NAMES[hit.document.id], hit.cluster_size) for hit in narrow.hits] == [
        ("echo", 2),
        ("post2", 1),
    ]
    offset = store.search_page(SearchQuery(sort="date", collapse_clusters=True, offset=1, limit=2))
    assert [(NAMES[hit.document.id], hit.cluster_size) for hit in offset.hits] == [
        ("gazette", 3),
        ("comment", 1),
    ]
    assert offset.total == 7


def test_a_malformed_query_or_an_unknown_sort_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="quotes"):
        store.search_page(SearchQuery(text='"tramway nord'))
    with pytest.raises(StoreError, match="relevance"):
        store.search_page(SearchQuery(sort="pertinence"))


# -- facets and daily counts -------------------------------------------------------------


def test_facets_count_values_among_matching_documents(store: Store) -> None:
    store.update_triage(TRAM.id, by="camille", expected_revision=0, state="traite")
    store.update_triage(POST_1.id, by="camille", expected_revision=0, assignee="yanis")
    store.update_triage(COMMENT.id, by="camille", expected_revision=0, state="a_traiter")
    store.update_triage(
        COMMENT.id, by="camille", expected_revision=1, assignee="yanis", state="nouveau"
    )

    facets = store.facets(
        SearchQuery(),
        [
            "candidates",
            "topics",
            "kind",
            "source_id",
            "domain",
            "lang",
            "triage_state",
            "assignee",
            "cluster_id",
        ],
    )

    assert facets == {
        "candidates": [("elodie-arnaud", 5), ("marc-lefort", 3)],
        "topics": [("transports", 6), ("logement", 1)],
        "kind": [("article", 4), ("forum_post", 3), ("blog_post", 1), ("comment", 1)],
        "source_id": [
            ("forum", 3),
            ("journal", 2),
            ("carnet", 1),
            ("corriere", 1),
            ("echo", 1),
            ("gazette", 1),
        ],
        "domain": [
            ("forum.velo-lyon.fr", 3),
            ("www.journal-du-rhone.fr", 2),
            ("blog.quartiers-solidaires.fr", 1),
            ("www.corriere-delle-alpi.it", 1),
            ("www.echo-des-pentes.fr", 1),
            ("www.gazette-croix-rousse.fr", 1),
        ],
        "lang": [("fr", 8), ("it", 1)],
        "triage_state": [("nouveau", 8), ("traite", 1)],
        "assignee": [("yanis", 2)],
        "cluster_id": [("tram-nord", 3)],
    }
    filtered = store.facets(SearchQuery(text="tramway", kind="article"), ["source_id"], size=2)
    assert filtered == {"source_id": [("echo", 1), ("gazette", 1)]}


def test_daily_counts_use_paris_days(store: Store) -> None:
    counts = store.daily_counts(SearchQuery(), "candidates")

    assert counts == [
        (date(2026, 7, 12), "marc-lefort", 1),
        (date(2026, 7, 13), "marc-lefort", 1),
        # tram (11:00), post3 (09:00), and the comment at 23:45 in Paris.
        (date(2026, 7, 14), "elodie-arnaud", 2),
        (date(2026, 7, 14), "marc-lefort", 1),
        # The reprint at 01:30 in Paris on the 15th, and the gazette.
        (date(2026, 7, 15), "elodie-arnaud", 2),
        (date(2026, 7, 16), "elodie-arnaud", 1),
    ]
    in_utc = store.daily_counts(SearchQuery(kind="article"), "domain", tz="UTC")
    assert in_utc == [
        (date(2026, 7, 14), "www.echo-des-pentes.fr", 1),
        (date(2026, 7, 14), "www.journal-du-rhone.fr", 1),
        (date(2026, 7, 15), "www.gazette-croix-rousse.fr", 1),
        (date(2026, 7, 16), "www.corriere-delle-alpi.it", 1),
    ]
    assert store.daily_counts(SearchQuery(topic="logement"), "kind") == [
        (date(2026, 7, 12), "blog_post", 1)
    ]
    with pytest.raises(StoreError, match="Europe/Paris"):
        store.daily_counts(SearchQuery(), "kind", tz="Europe/Lutece")


# -- clusters, threads, versions ---------------------------------------------------------


def test_cluster_members_and_threads_come_in_reading_order(store: Store) -> None:
    assert names(store.cluster_members("tram-nord")) == ["gazette", "echo", "tram"]
    assert names(store.cluster_members("tram-nord", limit=1)) == ["gazette"]
    assert store.cluster_members("inconnu") == []
    assert names(store.thread(THREAD)) == ["post1", "post2", "post3"]
    assert names(store.thread(ARTICLE_URL)) == ["comment"]


def test_an_edited_page_keeps_its_earlier_versions_newest_first(
    stores: Stores, store: Store
) -> None:
    first_text = TRAM.text
    edited = dataclasses.replace(
        TRAM,
        text=first_text + " Mise à jour : le calendrier a été confirmé.",
        fetched_at=utc(17, 8),
    )
    store.upsert([edited])
    again = dataclasses.replace(
        edited, title="Le tramway nord validé (calendrier confirmé)", fetched_at=utc(18, 8)
    )
    store.upsert([again])
    # A new fetch time or new tags alone are no new version.
    store.upsert([dataclasses.replace(again, fetched_at=utc(19, 8), topics=["mobilite"])])
    stores.settle(store)

    versions = store.versions(TRAM.id)

    assert [(v.title, v.text, v.fetched_at) for v in versions] == [
        (edited.title, edited.text, utc(17, 8)),
        (TRAM.title, first_text, FETCHED),
    ]
    assert versions[1].content_hash == TRAM.content_hash
    assert versions[0].replaced_at >= versions[1].replaced_at
    assert store.versions(POST_1.id) == []


# -- triage ------------------------------------------------------------------------------


def test_triage_changes_are_recorded_with_who_and_when(store: Store) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    assert store.triage([TRAM.id, POST_1.id]) == {
        TRAM.id: Triage(TRAM.id),
        POST_1.id: Triage(POST_1.id),
    }

    seen = store.update_triage(TRAM.id, by="camille", expected_revision=0, state="vu")
    assigned = store.update_triage(
        TRAM.id,
        by="camille",
        expected_revision=1,
        state="a_traiter",
        assignee="yanis",
        comment="Réponse à préparer pour le forum des riverains.",
    )
    same = store.update_triage(TRAM.id, by="yanis", expected_revision=2, state="a_traiter")
    unassigned = store.update_triage(TRAM.id, by="yanis", expected_revision=2, assignee=None)

    assert (seen.state, seen.revision, seen.updated_by) == ("vu", 1, "camille")
    assert (assigned.state, assigned.assignee, assigned.revision) == ("a_traiter", "yanis", 2)
    assert same == assigned
    assert (unassigned.assignee, unassigned.state, unassigned.revision) == (None, "a_traiter", 3)
    assert store.triage([TRAM.id]) == {TRAM.id: unassigned}
    history = store.triage_history(TRAM.id)
    assert [(e.by, e.action, e.value) for e in history] == [
        ("camille", "state", "vu"),
        ("camille", "state", "a_traiter"),
        ("camille", "assignee", "yanis"),
        ("camille", "comment", "Réponse à préparer pour le forum des riverains."),
        ("yanis", "assignee", None),
    ]
    assert all(event.at >= before and event.at.tzinfo is not None for event in history)
    assert store.triage_history(POST_1.id) == []
    with pytest.raises(StoreError, match="a_traiter"):
        store.update_triage(TRAM.id, by="yanis", expected_revision=3, state="urgent")
    with pytest.raises(StoreError, match="empty"):
        store.update_triage(TRAM.id, by="yanis", expected_revision=3, comment="  ")
    assert store.triage([TRAM.id])[TRAM.id].revision == 3


def test_a_change_based_on_a_stale_revision_is_refused(stores: Stores, store: Store) -> None:
    other = stores.open()
    camille_saw = store.triage([POST_3.id])[POST_3.id].revision
    yanis_saw = other.triage([POST_3.id])[POST_3.id].revision

    store.update_triage(POST_3.id, by="camille", expected_revision=camille_saw, state="traite")
    with pytest.raises(TriageConflict) as refused:
        other.update_triage(
            POST_3.id, by="yanis", expected_revision=yanis_saw, state="ignore", assignee=UNSET
        )

    assert (refused.value.expected_revision, refused.value.stored_revision) == (0, 1)
    assert "reload" in str(refused.value)
    assert other.triage([POST_3.id])[POST_3.id].state == "traite"
    assert [e.value for e in other.triage_history(POST_3.id)] == ["traite"]


def test_search_filters_on_triage_state_and_assignee(stores: Stores, store: Store) -> None:
    store.update_triage(TRAM.id, by="camille", expected_revision=0, state="traite")
    store.update_triage(ITALIEN.id, by="camille", expected_revision=0, state="ignore")
    store.update_triage(POST_2.id, by="camille", expected_revision=0, assignee="yanis")
    store.update_triage(LOGEMENT.id, by="camille", expected_revision=0, state="vu")
    store.update_triage(LOGEMENT.id, by="camille", expected_revision=1, state="nouveau")
    stores.settle(store)

    assert page_names(store, triage_state="traite") == ["tram"]
    assert page_names(store, triage_state="nouveau") == [
        "gazette",
        "echo",
        "comment",
        "post3",
        "post2",
        "post1",
        "logement",
    ]
    assert page_names(store, assignee="yanis") == ["post2"]
    assert page_names(store, assignee="yanis", triage_state="vu") == []
    assert store.count(SearchQuery(triage_state="ignore")) == 1


def test_triage_survives_recrawl_with_changed_text_and_retag(
    stores: Stores, store: Store, tmp_path: Path
) -> None:
    store.update_triage(
        LOGEMENT.id, by="camille", expected_revision=0, state="traite", comment="Déjà relayé."
    )
    kept = store.triage([LOGEMENT.id])[LOGEMENT.id]
    store.upsert(
        [
            dataclasses.replace(
                LOGEMENT,
                text=LOGEMENT.text + " Sophie Garnier soutient le projet.",
                fetched_at=utc(20, 9),
            )
        ]
    )
    stores.settle(store)
    watchlist = tmp_path / "veille.yaml"
    watchlist.write_text(
        textwrap.dedent(
            """\
            candidates:
              - id: sophie-garnier
                name: Sophie Garnier
            sources: []
            """
        ),
        encoding="utf-8",
    )

    summary = retag_store(store, Tagger(load_watchlist(watchlist)))
    stores.settle(store)

    recrawled = store.get(LOGEMENT.id)
    assert recrawled is not None and recrawled.candidates == ["sophie-garnier"]
    assert LOGEMENT.id in summary.written.updated
    assert store.triage([LOGEMENT.id]) == {LOGEMENT.id: kept}
    assert [e.action for e in store.triage_history(LOGEMENT.id)] == ["state", "comment"]
    assert page_names(store, triage_state="traite") == ["logement"]
    assert store.facets(SearchQuery(candidate="sophie-garnier"), ["triage_state"]) == {
        "triage_state": [("traite", 1)]
    }


# -- upgrades ----------------------------------------------------------------------------

# The tables of a store written by Traceur before the web app (schema version 1).
V1_SCHEMA = """
CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    source_id TEXT NOT NULL, domain TEXT, sort_at TEXT, content_hash TEXT, cluster_id TEXT,
    fingerprint TEXT NOT NULL, seq INTEGER NOT NULL, stored_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX documents_sort_at ON documents (sort_at);
CREATE INDEX documents_seq ON documents (seq);
CREATE TABLE document_tags (
    doc_rowid INTEGER NOT NULL REFERENCES documents (rowid) ON DELETE CASCADE,
    tag_kind TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (tag_kind, tag, doc_rowid)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text, tokenize = "unicode61 remove_diacritics 2"
);
PRAGMA user_version = 1;
"""


def write_v1_file(path: Path, documents: list[Document]) -> None:
    """A store file as version 1 wrote it: no lang, thread or triage columns or tables."""
    import json

    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    for seq, document in enumerate(documents, start=1):
        data = document.to_dict()
        cursor = db.execute(
            "INSERT INTO documents (id, kind, source_id, domain, sort_at, content_hash,"
            " cluster_id, fingerprint, seq, stored_at, updated_at, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document.id,
                document.kind,
                document.source_id,
                document.domain,
                data["published_at"],
                document.content_hash,
                document.cluster_id,
                # Version 1 kept the document minus its fetch time, as JSON.
                json.dumps(
                    {key: value for key, value in data.items() if key != "fetched_at"},
                    sort_keys=True,
                    ensure_ascii=False,
                ),
                seq,
                "2026-07-16T20:00:00.000000Z",
                "2026-07-16T20:00:00.000000Z",
                json.dumps(data, ensure_ascii=False),
            ),
        )
        db.execute(
            "INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
            (cursor.lastrowid, document.title, document.text),
        )
        db.executemany(
            "INSERT INTO document_tags VALUES (?, ?, ?)",
            [(cursor.lastrowid, "candidate", c) for c in document.candidates]
            + [(cursor.lastrowid, "topic", t) for t in document.topics],
        )
    db.commit()
    db.close()


def test_a_version_1_sqlite_file_is_upgraded_in_place_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "ancien.db"
    write_v1_file(path, CORPUS)

    store = SqliteStore(path)
    try:
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.count() == len(CORPUS)
        assert page_names(store) == BY_DATE
        # Columns the upgrade filled from the stored documents.
        assert page_names(store, lang="it") == ["italien"]
        assert names(store.thread(THREAD)) == ["post1", "post2", "post3"]
        assert page_names(store, text="tramway", candidate="marc-lefort") == ["post1"]
        # Tags got their document's date: the period's counts read them alone.
        assert store.facets(SearchQuery(since=utc(14, 0)), ["candidates"]) == {
            "candidates": [("elodie-arnaud", 5), ("marc-lefort", 1)]
        }
        store.update_triage(TRAM.id, by="camille", expected_revision=0, state="vu")
        # A re-crawl finds the same pages unchanged (alerts see no change), an edited one
        # updated, its earlier text kept.
        edited = dataclasses.replace(POST_2, text=POST_2.text + " Édit : c'est réglé.")
        again = store.upsert([TRAM, edited])
        assert (again.unchanged, again.updated) == ([TRAM.id], [POST_2.id])
        assert [v.text for v in store.versions(POST_2.id)] == [POST_2.text]
    finally:
        store.close()

    reopened = SqliteStore(path)
    try:
        assert reopened.triage([TRAM.id])[TRAM.id].state == "vu"
        assert reopened.get(TRAM.id) == TRAM
    finally:
        reopened.close()


def test_a_file_from_a_newer_traceur_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "futur.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()

    with pytest.raises(StoreError, match="upgrade Traceur"):
        SqliteStore(path)


def test_es_triage_and_versions_survive_a_template_upgrade_and_a_new_monthly_index(
    es_settings: Settings,
    open_store: Callable[[Settings], ElasticsearchStore],
    es_client: Elasticsearch,
    side_indices_removed: None,
) -> None:
    now = [datetime(2026, 7, 20, tzinfo=UTC)]
    store = open_store(es_settings)
    store.clock = lambda: now[0]
    report = store.setup()
    store.upsert(CORPUS)
    store.refresh()
    store.update_triage(
        TRAM.id, by="camille", expected_revision=0, state="a_traiter", assignee="yanis"
    )
    names = store.names
    assert report["side_indices"] == [names.triage, names.versions]
    mapping = es_client.indices.get_mapping(index=names.triage).body[names.triage]["mappings"]
    assert mapping["properties"]["state"]["type"] == "keyword"

    # A newer Traceur installs its template again; a store set up before versions existed
    # has no versions index; then August begins, and the article is edited.
    store.setup()
    es_client.indices.delete(index=names.versions)
    now[0] = datetime(2026, 8, 3, tzinfo=UTC)
    edited = dataclasses.replace(TRAM, text=TRAM.text + " Correctif : 2030.", fetched_at=utc(30, 9))
    late = doc(
        "https://www.echo-des-pentes.fr/actu/tram-nord-travaux.html",
        "Tramway nord : premiers coups de pioche",
        "Les travaux du tramway nord commencent lundi quai Arloing.",
        datetime(2026, 8, 2, 8, tzinfo=UTC),
        source_id="echo",
    )
    result = store.upsert([edited, late])
    store.refresh()

    assert result.updated == [TRAM.id] and result.new == [late.id]
    assert es_client.indices.exists(index=names.monthly(now[0]))
    assert store.triage([TRAM.id])[TRAM.id].state == "a_traiter"
    assert page_names(store, assignee="yanis") == ["tram"]
    assert [(v.text, v.fetched_at) for v in store.versions(TRAM.id)] == [(TRAM.text, FETCHED)]
    assert store.search_page(SearchQuery(triage_state="nouveau")).total == len(CORPUS)
