"""The shortcuts of the per-request path (what an all-304 pass repeats 500 times): each
gives what the long way gave. The site decision made once per network location, the store
lookups of pages answered together, the politeness booking made without waiting, the
meta-refresh check skipped for pages whose bytes cannot hold one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.politeness import LEASE_META, HostPolitenessMiddleware
from crawler.redirect import LoopAwareMetaRefreshMiddleware, cannot_refresh
from pipelines.unchanged import MAX_IDS_PER_LOOKUP, StoredLookups
from spiders.site import SiteSpider
from traceur.document import Document, content_hash, document_id
from traceur.errors import StoreError
from traceur.orchestra.politeness import SqliteHostSlots
from traceur.store.sqlite import SqliteStore
from traceur.urls import same_site

SITE = "http://www.journal-du-plateau.example:8081/rubriques/"
# Links as a French local paper's pages carry them: its own host in every form (port, no
# www, capitals, user info, query or fragment right after the host), look-alikes, others.
LINKS = [
    "http://journal-du-plateau.example/actualites/conseil-municipal-de-mars.html",
    "http://www.journal-du-plateau.example:8081/agenda?semaine=12#fete-du-pain",
    "http://WWW.Journal-du-Plateau.example/politique/",
    "http://journal-du-plateau.example?page=2",
    "http://journal-du-plateau.example#haut-de-page",
    "https://journal-du-plateau.example/abonnement",
    "http://lecteur@journal-du-plateau.example/compte",
    "http://journal-du-plateau.example.autre-site.example/faux-article",
    "http://autre-site.example/journal-du-plateau.example/",
    "http://sports.journal-du-plateau.example/football/",
    "http://autre-site.example\\@journal-du-plateau.example/",
    "http://[2001:db8::1]:8081/",
    "mailto:redaction@journal-du-plateau.example",
    "/relative/sans-hote.html",
]


def test_site_decision_made_once_per_network_location_agrees_with_same_site() -> None:
    spider = SiteSpider.__new__(SiteSpider)
    spider.source = SimpleNamespace(url=SITE)  # type: ignore[assignment]
    for _ in range(2):  # the second round is answered from what the first remembered
        for link in LINKS:
            assert spider._on_site(link) == same_site(link, SITE), link
    # Remembered per scheme and network location, not per page address.
    assert spider._same_site_by_netloc is not None
    assert "http://journal-du-plateau.example" in spider._same_site_by_netloc
    assert not any("/" in key.partition("://")[2] for key in spider._same_site_by_netloc)


def _article(slug: str) -> Document:
    url = f"https://www.journal-du-plateau.example/actualites/{slug}.html"
    text = (
        "Le conseil municipal a voté jeudi soir le budget de la médiathèque : "
        f"les élus d’opposition ont demandé un débat sur « {slug} » avant l’été."
    )
    return Document(
        id=document_id(url),
        url=url,
        canonical_url=url,
        domain="www.journal-du-plateau.example",
        kind="article",
        source_id="plateau",
        title=f"Conseil municipal : {slug}",
        text=text,
        author="Rédaction du Plateau",
        published_at=datetime(2027, 3, 12, 14, 5, tzinfo=UTC),
        fetched_at=datetime(2027, 3, 12, 15, 0, tzinfo=UTC),
        lang="fr",
        content_hash=content_hash("", text),
    )


class CountedStore:
    """A real SQLite store, whose ``stored`` calls are counted (and can be held, so that
    pages arrive while one lookup runs)."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.calls: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()

    def stored(self, doc_ids: Sequence[str]) -> set[str]:
        self.calls.append(list(doc_ids))
        self.gate.wait(10)
        return self.store.stored(doc_ids)


def test_pages_answered_together_share_store_lookups_and_each_gets_only_its_own_ids(
    tmp_path: Path,
) -> None:
    kept = [_article(slug) for slug in ("budget-2027", "piscine", "marche-de-noel")]
    store = SqliteStore(tmp_path / "plateau.db")
    try:
        store.upsert(kept)
        counted = CountedStore(store)
        lookups = StoredLookups(counted.stored)
        missing = document_id("https://www.journal-du-plateau.example/actualites/jamais.html")
        asked = [[doc.id] for doc in kept] + [[missing], [kept[0].id, missing]]

        async def ask_all() -> list[set[str]]:
            counted.gate.clear()  # the first lookup waits until every page has asked
            first = asyncio.ensure_future(lookups.stored(asked[0]))
            await asyncio.sleep(0.05)
            rest = [asyncio.ensure_future(lookups.stored(ids)) for ids in asked[1:]]
            counted.gate.set()
            return [await first, *[await answer for answer in rest]]

        answers = asyncio.run(ask_all())
    finally:
        store.close()
    assert answers == [{kept[0].id}, {kept[1].id}, {kept[2].id}, set(), {kept[0].id}]
    # The first page alone, then the four that arrived while it ran, in one call.
    assert len(counted.calls) == 2
    assert counted.calls[1] == [doc_id for ids in asked[1:] for doc_id in ids]


def test_a_failing_store_lookup_fails_each_page_that_waited_for_it() -> None:
    def broken(doc_ids: Sequence[str]) -> set[str]:
        raise StoreError("base de données verrouillée : relancer la passe")

    lookups = StoredLookups(broken)

    async def ask() -> list[Any]:
        return list(
            await asyncio.gather(
                lookups.stored(["a"]), lookups.stored(["b"]), return_exceptions=True
            )
        )

    answers = asyncio.run(ask())
    assert all(isinstance(answer, StoreError) for answer in answers)


def test_store_lookups_are_split_under_the_ids_per_call_limit() -> None:
    calls: list[int] = []

    def stored(doc_ids: Sequence[str]) -> set[str]:
        calls.append(len(doc_ids))
        return {doc_id for doc_id in doc_ids if doc_id.endswith("0")}

    lookups = StoredLookups(stored)
    pages = [[f"page-{n}", f"commentaire-{n}"] for n in range(MAX_IDS_PER_LOOKUP)]

    async def ask() -> list[set[str]]:
        return list(await asyncio.gather(*(lookups.stored(ids) for ids in pages)))

    answers = asyncio.run(ask())
    assert sum(calls) == 2 * MAX_IDS_PER_LOOKUP
    assert len(calls) > 1 and max(calls) <= MAX_IDS_PER_LOOKUP + 1
    assert answers[10] == {"page-10", "commentaire-10"} and answers[11] == set()


@pytest.fixture
def slots(tmp_path: Path) -> SqliteHostSlots:
    return SqliteHostSlots(tmp_path / "politeness.db")


def test_free_lanes_are_booked_at_once_and_a_full_host_waits_for_a_lane_given_back(
    slots: SqliteHostSlots,
) -> None:
    middleware = HostPolitenessMiddleware(
        slots, delay=0.0, concurrency=2, lease=60.0, adaptive=False
    )
    requests = [
        Request(f"http://www.journal-du-plateau.example/actualites/{n}.html") for n in range(3)
    ]

    async def crawl() -> tuple[bool, bool]:
        # Two lanes: the first two requests pass without waiting.
        await middleware.process_request(requests[0])
        await middleware.process_request(requests[1])
        third = asyncio.ensure_future(middleware.process_request(requests[2]))
        await asyncio.sleep(0.2)
        waited = not third.done()
        middleware.process_response(requests[0], SimpleNamespace(status=304))  # type: ignore[arg-type]
        await asyncio.wait_for(third, timeout=5)
        return waited, third.done()

    try:
        waited, passed = asyncio.run(crawl())
        assert waited and passed
        assert all(LEASE_META in request.meta for request in requests[1:])
        assert LEASE_META not in requests[0].meta
        # Never more than two bookings held at once in the shared slot.
        in_flight = slots._db.execute("SELECT COUNT(*) FROM host_lease").fetchone()[0]
        assert in_flight == 2
    finally:
        middleware.close()


def _page(body: str, encoding: str = "utf-8") -> HtmlResponse:
    return HtmlResponse(
        "http://www.journal-du-plateau.example/ancienne-adresse.html",
        body=body.encode(encoding),
        headers={"Content-Type": f"text/html; charset={encoding}"},
    )


PAGE = (
    "<!DOCTYPE html><html lang='fr'><head><meta charset='{charset}'>{refresh}"
    "<title>Marché de Noël : les exposants rafraîchissent leurs stands</title></head>"
    "<body><h1>Le marché de Noël déménage place de l’Église</h1>"
    "<p>Les élus ont rafraîchi le plan des allées ; la mairie publie la carte.</p></body></html>"
)
REFRESH = "<META HTTP-EQUIV='Refresh' CONTENT='0; URL=/nouvelle-adresse.html'>"


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1252", "utf-16"])
def test_meta_refresh_is_followed_whatever_the_encoding_and_a_page_without_is_passed_on(
    encoding: str,
) -> None:
    middleware = LoopAwareMetaRefreshMiddleware.from_crawler(get_crawler())
    plain = _page(PAGE.format(charset=encoding, refresh=""), encoding)
    assert cannot_refresh(plain) is (encoding != "utf-16")  # UTF-16: Scrapy reads it
    asked = Request(plain.url)
    assert middleware.process_response(asked, plain) is plain
    moving = _page(PAGE.format(charset=encoding, refresh=REFRESH), encoding)
    assert not cannot_refresh(moving)
    redirected = middleware.process_response(asked, moving)
    assert isinstance(redirected, Request)
    assert redirected.url == "http://www.journal-du-plateau.example/nouvelle-adresse.html"
