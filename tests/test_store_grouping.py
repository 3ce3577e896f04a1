"""The store step groups its writes: documents that reach it while a write is under way
go together in the next one, and each item still learns what became of its own document
(new, updated, refused), only once that document is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import PageItem
from pipelines.store import StorePipeline
from traceur.document import Document, content_hash, document_id
from traceur.errors import StoreError
from traceur.store.base import UpsertResult
from traceur.store.sqlite import SqliteStore

WATCHLIST = Path(__file__).resolve().parent.parent / "watchlists" / "example.yaml"
SITE = "https://www.lecho-des-vallons.example"


class RecordingStore(SqliteStore):
    """The real SQLite store, noting the ids of each write; it refuses (as a full disk
    would) any write that holds one of ``refused``."""

    def __init__(self, path: Path, refused: Iterable[str] = ()) -> None:
        super().__init__(path)
        self.writes: list[list[str]] = []
        self.refused = set(refused)

    def upsert(self, documents: Iterable[Document]) -> UpsertResult:
        documents = list(documents)
        self.writes.append([document.id for document in documents])
        if self.refused & {document.id for document in documents}:
            raise StoreError(f"cannot write to the SQLite store {self.path}: disk I/O error")
        return super().upsert(documents)


def article(slug: str, text: str) -> Document:
    url = f"{SITE}/actualites/{slug}.html"
    title = f"Conseil municipal : {slug.replace('-', ' ')}"
    return Document(
        id=document_id(url),
        url=url,
        canonical_url=url,
        domain="www.lecho-des-vallons.example",
        kind="article",
        source_id="echo",
        title=title,
        text=text,
        fetched_at=datetime(2027, 3, 12, 14, 5, tzinfo=UTC),
        content_hash=content_hash(title, text),
    )


def page_item(document: Document) -> PageItem:
    return PageItem(
        url=document.url,
        source_id=document.source_id,
        kind=document.kind,
        fetched_at="2027-03-12T14:05:00Z",
        document=document,
    )


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[tuple[StorePipeline, Path]]:
    crawler = get_crawler(
        settings_dict={
            "TRACEUR_STORE": f"sqlite:///{tmp_path / 'traceur.db'}",
            "TRACEUR_WATCHLIST": str(WATCHLIST),
            "TRACEUR_DATA_DIR": str(tmp_path / "data"),
        }
    )
    step = StorePipeline.from_crawler(crawler)
    step.open_spider()
    try:
        yield step, tmp_path
    finally:
        step.close_spider()


def run_together(step: StorePipeline, items: list[PageItem]) -> list[PageItem | BaseException]:
    async def together() -> list[PageItem | BaseException]:
        return await asyncio.gather(
            *(step.process_item(item) for item in items), return_exceptions=True
        )

    return asyncio.run(together())


def use_store(step: StorePipeline, store: RecordingStore) -> None:
    step.runtime.store.close()
    step.runtime.store = store


def test_documents_arriving_during_a_write_are_committed_together_with_their_own_outcomes(
    pipeline: tuple[StorePipeline, Path],
) -> None:
    step, folder = pipeline
    store = RecordingStore(folder / "traceur.db")
    use_store(step, store)
    first = article("budget-primitif", "Le budget primitif de la commune a été voté à l'unanimité.")
    (stored,) = run_together(step, [page_item(first)])
    assert isinstance(stored, PageItem) and stored.outcome == "new"

    edited = article("budget-primitif", "Le budget primitif a été voté, l'opposition s'abstient.")
    others = [
        article(f"seance-{n}", f"Séance n° {n} : la délibération sur l'école Émile-Zola.")
        for n in range(12)
    ]
    results = run_together(step, [page_item(edited), *map(page_item, others)])

    assert [getattr(r, "outcome", r) for r in results] == ["updated"] + ["new"] * 12
    # Thirteen items, fewer writes: those that waited together went in one transaction.
    assert len(store.writes) < 1 + 13
    assert sum(len(write) for write in store.writes) == 1 + 13
    assert store.get(first.id) is not None
    assert store.get(first.id).text == edited.text  # type: ignore[union-attr]
    for document in others:
        assert store.get(document.id) is not None
        # Recorded once committed, as when documents went one by one.
        assert [r.content_hash for r in step.runtime.state.revisions(document.id)] == [
            document.content_hash
        ]
    assert len(step.runtime.state.revisions(first.id)) == 2


def test_two_versions_of_one_document_in_flight_go_in_separate_writes_in_their_order(
    pipeline: tuple[StorePipeline, Path],
) -> None:
    step, folder = pipeline
    store = RecordingStore(folder / "traceur.db")
    use_store(step, store)
    before = article(
        "marche-couvert", "Le marché couvert rouvrira au printemps, annonce la mairie."
    )
    after = article("marche-couvert", "Le marché couvert rouvrira en juin, précise la mairie.")
    neighbour = article("piscine", "La piscine intercommunale ferme deux semaines pour travaux.")

    results = run_together(step, [page_item(before), page_item(neighbour), page_item(after)])

    assert [getattr(r, "outcome", r) for r in results] == ["new", "new", "updated"]
    assert all(write.count(before.id) <= 1 for write in store.writes)
    assert store.get(before.id).text == after.text  # type: ignore[union-attr]


def test_a_document_the_store_refuses_in_a_group_fails_its_own_item_only(
    pipeline: tuple[StorePipeline, Path],
) -> None:
    step, folder = pipeline
    documents = [
        article(f"tribune-{n}", f"Tribune n° {n} de l'opposition municipale sur la voirie.")
        for n in range(5)
    ]
    refused = documents[2]
    store = RecordingStore(folder / "traceur.db", refused=[refused.id])
    use_store(step, store)

    results = run_together(step, [page_item(document) for document in documents])

    failure = results[2]
    assert isinstance(failure, DropItem) and "not stored" in str(failure)
    assert [getattr(r, "outcome", None) for r in results] == ["new", "new", None, "new", "new"]
    assert store.get(refused.id) is None
    assert all(store.get(d.id) is not None for d in documents if d is not refused)
    assert step.stats.get_value("traceur/errors/store") == 1
    assert step.stats.get_value("traceur/documents/new") == 4
    assert step.runtime.state.revisions(refused.id) == []
