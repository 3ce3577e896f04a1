"""A crawled page that carries markup and scripts is shown as text: no dialog ever opens,
no attribute handler or javascript: link reaches the page. Run on both stores."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import BOTH_STORES, WebServer, guard_of, login, screenshot

HANDLERS = "[onerror], [onload], [onmouseover], [onclick], [onfocus]"


def assert_nothing_injected(page: Page) -> None:
    assert page.locator('a[href^="javascript:" i], iframe, embed, object').count() == 0
    assert page.locator(HANDLERS).count() == 0
    scripts = page.locator("script").all_text_contents()
    assert not any("alert" in script for script in scripts)
    assert guard_of(page).problems() == []


@BOTH_STORES
def test_hostile_title_author_and_text_are_shown_as_text_in_the_list_of_documents(
    web: WebServer, page: Page, store_kind: str
) -> None:
    login(page, web, "lea")
    page.goto(web.url + "/recherche")
    expect(page.get_by_text('<script>alert("titre")</script>').first).to_be_visible()
    expect(page.get_by_text("<img src=x onerror=alert(1)>").first).to_be_visible()
    expect(page.get_by_text("<script>alert('auteur')</script>").first).to_be_visible()
    assert_nothing_injected(page)
    # Other documents of the corpus are listed around it: the page did not stop at it.
    expect(page.get_by_text("Débat des municipales").first).to_be_visible()
    screenshot(page, f"liste-document-hostile-{store_kind}")


def test_an_account_name_made_of_markup_is_shown_as_text_on_the_admin_page(
    web: WebServer, page: Page
) -> None:
    login(page, web, "camille")
    page.goto(web.url + "/admin/utilisateurs")
    hostile = "<img/src=x/onerror=alert(3)>"
    page.get_by_label("Nom d'utilisateur (sans espace)").fill(hostile)
    page.get_by_label("Mot de passe provisoire").fill("un-mot-de-passe-correct")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("row").filter(has_text=hostile)).to_contain_text("actif")
    assert_nothing_injected(page)
    # Its disable button posts to its own, escaped address.
    page.get_by_role("row").filter(has_text=hostile).get_by_role("button").click()
    expect(page.get_by_role("row").filter(has_text=hostile)).to_contain_text("désactivé")
    assert_nothing_injected(page)
