"""Retention on the real Elasticsearch: a monthly index whose documents have all expired is
deleted whole, expired documents in a kept index are deleted by query, and the triage and
versions indices follow their documents; ``--dry-run`` deletes nothing and counts the same.

Documents land in the monthly index of the month they are first written (the store's
clock), so the test writes some "in" January 2024 and March 2025 by setting that clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from traceur.cli.app import main
from traceur.config import Settings
from traceur.document import Document, content_hash, document_id
from traceur.privacy.purge import purge
from traceur.store import SearchQuery
from traceur.store.elasticsearch import ElasticsearchStore

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
JANUARY_2024 = datetime(2024, 1, 15, tzinfo=UTC)
MARCH_2025 = datetime(2025, 3, 10, tzinfo=UTC)


def document(
    key: str, kind: str, text: str, published: datetime | None, fetched: datetime
) -> Document:
    url = f"https://forum.riviere-basse.example/{kind}/{key}"
    return Document(
        id=document_id(url),
        url=url,
        canonical_url=url,
        domain="forum.riviere-basse.example",
        kind=kind,
        source_id="riviere",
        title=f"Sujet : {key}",
        text=text,
        author="Anonyme du quai",
        published_at=published,
        fetched_at=fetched,
        lang="fr",
        content_hash=content_hash("", text),
    )


# Written in January 2024: all expired (24 and 6 months).
IN_2024 = [
    document(
        "digue-2024",
        "article",
        "La digue de la Rivière-Basse sera rehaussée avant l’hiver, annonce le maire ÉPERVIER.",
        JANUARY_2024 - 3 * DAY,
        JANUARY_2024,
    ),
    document(
        "crue-2024",
        "forum_post",
        "Chez nous la cave a encore pris l’eau, la crue MARTINET était prévisible depuis lundi.",
        JANUARY_2024,
        JANUARY_2024,
    ),
]
# Written in March 2025: the article is kept (24 months), the forum post has expired.
IN_2025 = [
    document(
        "budget-2025",
        "article",
        "Budget 2025 : la commune emprunte pour rénover l’école PASSEREAU et le gymnase.",
        MARCH_2025,
        MARCH_2025,
    ),
    document(
        "ecole-2025",
        "forum_post",
        "Les travaux de l’école ont commencé, bravo, mais le bruit des MOINEAUX de chantier...",
        MARCH_2025,
        MARCH_2025,
    ),
]
# Written this month: an old comment collected long ago expires; the others stay.
RECENT = [
    document(
        "vieux-commentaire",
        "comment",
        "Commentaire sous l’article : le candidat FAUCON n’a pas répondu sur la voirie.",
        None,
        NOW - 200 * DAY,
    ),
    document(
        "fil-2019-collecte-hier",
        "forum_post",
        "Un fil de 2019 remonté hier : le pont ROITELET devait être refait, toujours rien.",
        datetime(2019, 5, 4, tzinfo=UTC),
        NOW - DAY,
    ),
]


def _setup(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> ElasticsearchStore:
    now = [JANUARY_2024]
    store = open_store(es_settings)
    store.clock = lambda: now[0]
    store.setup()
    store.upsert(IN_2024)
    now[0] = MARCH_2025
    store.upsert(IN_2025)
    now[0] = NOW
    store.upsert(RECENT)
    store.refresh()
    post_2024, post_2025 = IN_2024[1], IN_2025[1]
    for doc in (post_2024, post_2025, RECENT[1]):
        store.update_triage(
            doc.id,
            by="margot",
            expected_revision=0,
            state="vu",
            comment="À suivre : riverains inquiets.",
        )
    # An edit of the 2025 forum post: its earlier version goes with it.
    store.upsert([Document.from_dict({**post_2025.to_dict(), "text": post_2025.text + " (édité)"})])
    store.refresh()
    assert len(store.versions(post_2025.id)) == 1
    return store


def _indices(store: ElasticsearchStore) -> set[str]:
    return set(store.client.indices.get_alias(name=store.names.read_alias).body)


def test_a_monthly_index_past_retention_is_deleted_whole_and_expired_documents_by_query(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    store = _setup(es_settings, open_store)
    names = store.names
    january, march, current = (names.monthly(m) for m in (JANUARY_2024, MARCH_2025, NOW))
    assert _indices(store) == {january, march, current}

    dry = purge(es_settings, store, dry_run=True)
    assert _indices(store) == {january, march, current} and store.count() == 6
    report = purge(es_settings, store)
    for counted in (dry, report):
        assert dict(counted.store.documents) == {
            "article": 1,
            "forum_post": 2,
            "comment": 1,
            "blog_post": 0,
            "video": 0,
        }
        assert counted.store.indices == [january]
        assert (counted.store.triage, counted.store.triage_events) == (2, 4)
        assert counted.store.versions == 1

    store.refresh()
    assert _indices(store) == {march, current}
    assert not store.client.indices.exists(index=january)
    kept = {IN_2025[0].id, RECENT[1].id}
    assert {d.id for d in store.iter_documents()} == kept
    for word in ("ÉPERVIER", "MARTINET", "MOINEAUX", "FAUCON"):
        assert store.count(SearchQuery(text=word)) == 0, word
    assert store.count(SearchQuery(text="PASSEREAU")) == 1
    # Triage and versions followed their documents; the kept post keeps its own.
    assert store.triage([IN_2025[1].id])[IN_2025[1].id].revision == 0
    assert store.triage_history(IN_2024[1].id) == [] and store.versions(IN_2025[1].id) == []
    assert store.triage([RECENT[1].id])[RECENT[1].id].state == "vu"
    # Nothing is left to purge; the write index stays even when it empties.
    assert sum(purge(es_settings, store).store.documents.values()) == 0
    assert current in _indices(store)


def test_purge_command_on_elasticsearch_dry_run_then_real_print_the_same_counts(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    store = _setup(es_settings, open_store)
    runner = CliRunner()
    dry = runner.invoke(main, ["purge", "--dry-run"], env=es_settings.to_env())
    assert dry.exit_code == 0, dry.output
    assert store.count() == 6
    real = runner.invoke(main, ["purge"], env=es_settings.to_env())
    assert real.exit_code == 0, real.output
    assert real.stdout.splitlines()[1:] == dry.stdout.splitlines()[1:]
    whole = next(line for line in real.stdout.splitlines() if "index mensuels entiers" in line)
    assert store.names.monthly(JANUARY_2024) in whole and " 1 " in whole
    assert "ÉPERVIER" not in real.output
    store.refresh()
    assert store.count() == 2


def test_a_purge_of_a_store_never_set_up_finds_nothing_and_creates_nothing(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    store = open_store(es_settings)
    report = purge(es_settings, store)
    assert sum(report.store.documents.values()) == 0 and report.store.indices == []
    # A wildcard matching nothing "exists"; what it resolves to is what counts.
    assert dict(store.client.indices.get(index=store.names.pattern)) == {}
    assert not store.client.indices.exists(index=store.names.triage)
