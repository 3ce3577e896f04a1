"""`traceur retag`: an edited watchlist applied to stored documents, without crawling,
on the SQLite store (the Elasticsearch store implements the same protocol)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from traceur.cli import main
from traceur.document import Document
from traceur.enrich.clusters import ClusterIndex
from traceur.enrich.tagging import Tagger
from traceur.orchestra.retag import retag_store
from traceur.store import SearchQuery
from traceur.store.sqlite import SqliteStore
from traceur.watchlist.loader import load_watchlist

BEFORE = """\
candidates:
  - id: jean-baptiste-roy
    name: Jean-Baptiste Roy
sources: []
"""
AFTER = """\
candidates:
  - id: jean-baptiste-roy
    name: Jean-Baptiste Roy
    aliases: [JBR]
  - id: agathe-royal
    name: Agathe Royal
    aliases: [{alias: Royal, ambiguous: true}]
sources: []
"""
STORY = (
    "Le conseil municipal de Brennac a adopté lundi soir le budget primitif présenté par le "
    "maire sortant, Jean-Baptiste Roy. La mesure la plus commentée est une hausse de quatre "
    "pour cent de la taxe foncière, la première depuis 2019. Agathe Royal, "
    "tête de liste du Renouveau républicain, a voté contre par principe et promis de ne pas "
    "augmenter les impôts locaux si elle est élue. Pour Royal, la hausse paiera surtout les "
    "affiches du maire. Le budget sera transmis à la préfecture d'ici la fin du mois."
)
TEXTS = {
    "budget": STORY,
    "budget-copie": STORY.replace("a adopté lundi soir", "a voté lundi"),
    "forum": (
        "JBR a raison sur un point : l'État se désengage. "
        "Mais quatre pour cent d'un coup, c'est beaucoup."
    ),
    "meteo": "Du soleil toute la semaine sur la vallée de la Brenne, et des gelées le matin.",
}


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def fill(store: SqliteStore, watchlist: Path) -> None:
    tagger = Tagger(load_watchlist(watchlist))
    documents = []
    for ident, text in TEXTS.items():
        url = f"https://www.echo.example/{ident}"
        documents.append(
            tagger.apply(
                Document(
                    id=ident,
                    url=url,
                    canonical_url=url,
                    domain="www.echo.example",
                    kind="article",
                    source_id="echo",
                    title="",
                    text=text,
                    lang="fr",
                )
            )
        )
    store.upsert(documents)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    sqlite = SqliteStore(tmp_path / "traceur.db")
    fill(sqlite, write(tmp_path / "before.yaml", BEFORE))
    return sqlite


def candidates(store: SqliteStore) -> dict[str, list[str]]:
    return {doc.id: doc.candidates for doc in store.iter_documents()}


def test_retag_writes_back_only_documents_whose_tags_changed(
    store: SqliteStore, tmp_path: Path
) -> None:
    tagger = Tagger(load_watchlist(write(tmp_path / "after.yaml", AFTER)))

    summary = retag_store(store, tagger)

    assert candidates(store) == {
        "budget": ["jean-baptiste-roy", "agathe-royal"],
        "budget-copie": ["jean-baptiste-roy", "agathe-royal"],
        "forum": ["jean-baptiste-roy"],
        "meteo": [],
    }
    assert (summary.examined, summary.changed) == (4, 3)
    assert sorted(summary.written.updated) == ["budget", "budget-copie", "forum"]
    assert summary.before == {"jean-baptiste-roy": 2}
    assert summary.after == {"jean-baptiste-roy": 3, "agathe-royal": 2}
    budget = store.get("budget")
    assert budget is not None and budget.mentions["agathe-royal"].count == 2
    assert store.count(SearchQuery(candidate="agathe-royal")) == 2


def test_retag_twice_changes_nothing_the_second_time(store: SqliteStore, tmp_path: Path) -> None:
    tagger = Tagger(load_watchlist(write(tmp_path / "after.yaml", AFTER)))
    retag_store(store, tagger)

    again = retag_store(store, tagger)

    assert (again.changed, again.written.updated) == (0, [])


def test_dry_run_reports_changes_and_writes_nothing(store: SqliteStore, tmp_path: Path) -> None:
    tagger = Tagger(load_watchlist(write(tmp_path / "after.yaml", AFTER)))
    before = candidates(store)

    summary = retag_store(store, tagger, ClusterIndex(tmp_path / "clusters.db"), dry_run=True)

    assert summary.changed == 4  # three retagged, and the copies of the budget story clustered
    assert candidates(store) == before
    assert ClusterIndex(tmp_path / "clusters.db").cluster_of("budget") is None


def test_retag_with_clusters_rebuilds_them_oldest_first(store: SqliteStore, tmp_path: Path) -> None:
    index = ClusterIndex(tmp_path / "clusters.db")
    try:
        retag_store(store, Tagger(load_watchlist(write(tmp_path / "after.yaml", AFTER))), index)
    finally:
        index.close()

    clusters = {doc.id: doc.cluster_id for doc in store.iter_documents()}
    assert clusters["budget"] == clusters["budget-copie"]
    assert clusters["budget"] in ("budget", "budget-copie")
    assert clusters["forum"] == "forum" and clusters["meteo"] == "meteo"


def test_retag_command_prints_a_summary_per_candidate(store: SqliteStore, tmp_path: Path) -> None:
    store.close()
    after = write(tmp_path / "after.yaml", AFTER)
    env = {
        "TRACEUR_STORE": f"sqlite:///{tmp_path / 'traceur.db'}",
        "TRACEUR_DATA_DIR": str(tmp_path / "data"),
    }

    result = CliRunner().invoke(main, ["retag", "--watchlist", str(after)], env=env)

    assert result.exit_code == 0, result.output
    assert "Re-tagged 4 documents: 3 changed (3 updated" in result.stdout
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "Jean-Baptiste Roy 2 → 3 (+1)" in lines
    assert "Agathe Royal 0 → 2 (+2)" in lines
    reopened = SqliteStore(tmp_path / "traceur.db")
    try:
        assert reopened.count(SearchQuery(candidate="agathe-royal")) == 2
    finally:
        reopened.close()


def test_retag_command_reports_an_invalid_watchlist_and_changes_nothing(
    store: SqliteStore, tmp_path: Path
) -> None:
    store.close()
    broken = write(
        tmp_path / "broken.yaml", AFTER.replace("ambiguous: true", "ambiguous: peut-être")
    )
    env = {
        "TRACEUR_STORE": f"sqlite:///{tmp_path / 'traceur.db'}",
        "TRACEUR_DATA_DIR": str(tmp_path / "data"),
    }

    result = CliRunner().invoke(main, ["retag", "--watchlist", str(broken)], env=env)

    assert result.exit_code == 2
    assert f"{broken}:7: candidates[1].aliases[0].ambiguous: must be true or false" in result.stderr
    reopened = SqliteStore(tmp_path / "traceur.db")
    try:
        assert candidates(reopened)["forum"] == []
    finally:
        reopened.close()
