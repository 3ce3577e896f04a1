"""Pseudonymised authors in the volunteers' app, in a real browser, on both stores: a
forum member shows as "auteur·rice #3f9a", never by name, and the "Auteur·rice" filter
finds their messages from the name typed as it appears on the forum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.web.conftest import BOTH_STORES, WebServer, login
from traceur.document import Document, content_hash, document_id
from traceur.privacy.pseudonyms import display_author, pseudonyms_for

MEMBER = "Tatie_Danielle_36"
THREAD = "http://forum.citoyens-du-val.example/viewtopic.php?t=402"
POSTS = (
    (
        "402-1",
        "La piscine des Aubiers fermée tout l'hiver : encore une promesse de campagne qui "
        "tombe à l'eau. Les enfants du quartier vont nager à vingt kilomètres.",
    ),
    (
        "402-4",
        "Je maintiens : la piscine devait rouvrir en octobre, c'était écrit noir sur blanc "
        "dans le bulletin municipal de juin. Qu'on nous explique ce retard.",
    ),
)


def _store_member_posts(web: WebServer) -> tuple[str, list[Document]]:
    """Two posts of ``MEMBER`` stored as a crawl stores them: the author hashed with the
    installation's key."""
    stored = pseudonyms_for(web.settings).pseudonym(MEMBER)
    now = datetime.now(UTC).replace(microsecond=0)
    docs = [
        Document(
            id=document_id(THREAD, post_id),
            url=f"{THREAD}#p{post_id}",
            canonical_url=THREAD,
            domain="forum.citoyens-du-val.example",
            kind="forum_post",
            source_id="forum-citoyens",
            title="Piscine des Aubiers : fermeture prolongée",
            text=text,
            author=stored,
            published_at=now - timedelta(hours=3 - position),
            fetched_at=now,
            lang="fr",
            thread_url=THREAD,
            post_id=post_id,
            position=position,
            content_hash=content_hash("Piscine des Aubiers", text),
        )
        for position, (post_id, text) in enumerate(POSTS, 1)
    ]
    result = web.store.upsert(docs)
    assert not result.failed and not result.spooled, result
    refresh = getattr(web.store, "refresh", None)
    if refresh is not None:
        refresh()
    return stored, docs


@BOTH_STORES
def test_a_pseudonymised_member_shows_as_auteur_rice_and_is_found_by_name(
    web: WebServer, page: Page
) -> None:
    stored, docs = _store_member_posts(web)
    shown = display_author(stored)
    assert shown is not None and shown.startswith("auteur·rice #") and len(shown) == 17

    login(page, web, "lea")
    page.get_by_label("Mots cherchés").fill('"piscine des Aubiers"')
    page.get_by_role("button", name="Chercher").click()
    authors = page.locator(".resultat .auteur, .auteur")
    expect(authors.first).to_be_visible()
    assert shown in authors.all_inner_texts()
    content = page.content()
    assert MEMBER not in content and stored not in page.inner_text("body")

    # The name as typed on the forum, in other case: the filter hashes it the same way.
    page.get_by_label("Pseudo ou nom, tel qu'écrit sur le site").fill(MEMBER.lower())
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text(f"Auteur·rice : {MEMBER.lower()}")).to_be_visible()
    for doc in docs:
        expect(page.locator(f"a[href='/document/{doc.id}']").first).to_be_visible()
    assert set(page.locator(".auteur").all_inner_texts()) == {shown}

    # From a result, the pseudonym leads to the member's other messages.
    page.goto(web.url + "/recherche?q=%22piscine+des+Aubiers%22")
    page.get_by_role("link", name=shown).first.click()
    expect(page.get_by_text(f"Auteur·rice : {shown}")).to_be_visible()
    assert set(page.locator(".auteur").all_inner_texts()) == {shown}

    page.goto(f"{web.url}/document/{docs[0].id}")
    expect(page.get_by_text(shown).first).to_be_visible()
    assert MEMBER not in page.content()


def test_the_api_finds_a_member_by_name_and_gives_the_short_pseudonym(web: WebServer) -> None:
    stored, docs = _store_member_posts(web)
    token = web.token("lea")
    status, found = web.get_json(f"/api/search?author={MEMBER.upper()}", token)
    assert status == 200, found
    assert {doc["id"] for doc in found["documents"]} == {doc.id for doc in docs}
    assert {doc["author"] for doc in found["documents"]} == {display_author(stored)}
    status, one = web.get_json(f"/api/documents/{docs[0].id}", token)
    assert status == 200 and one["author"] == display_author(stored)
    status, nobody = web.get_json("/api/search?author=Personne_Inconnue", token)
    assert status == 200 and nobody["total"] == 0
