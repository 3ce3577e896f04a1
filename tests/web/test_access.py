"""Roles, CSRF and the admin page, in a real browser against the real app."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.web.conftest import PASSWORD, PHONE, WebServer, guard_of, login, screenshot
from traceur.web.accounts import find_user, open_accounts


def test_a_benevole_sees_no_admin_link_and_gets_a_french_403_on_admin_pages(
    web: WebServer, page: Page
) -> None:
    login(page, web, "lea")
    expect(page.get_by_role("link", name="Recherche", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)
    response = page.goto(web.url + "/admin/utilisateurs")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    expect(page.locator("table")).to_have_count(0)
    # Posting the admin form directly is refused just the same, with a valid CSRF token.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    answer = page.request.post(
        web.url + "/admin/utilisateurs",
        form={"csrf_token": token, "nom": "intrus", "role": "admin", "mot_de_passe": "x" * 12},
    )
    assert answer.status == 403
    db = open_accounts(web.settings.data_dir)
    assert find_user(db, "intrus") is None
    db.close()


def test_coordination_cannot_manage_accounts_either(web: WebServer, page: Page) -> None:
    login(page, web, "sami")
    response = page.goto(web.url + "/admin/utilisateurs")
    assert response is not None and response.status == 403


def test_an_admin_adds_then_disables_an_account_and_the_disabled_account_is_shut_out(
    web: WebServer, new_page: Callable[..., Page]
) -> None:
    admin = new_page()
    login(admin, web, "camille")
    admin.get_by_role("link", name="Administration").click()
    admin.get_by_label("Nom d'utilisateur (sans espace)").fill("noemie")
    admin.get_by_label("Rôle").select_option("benevole")
    admin.get_by_label("Mot de passe provisoire").fill("premier-jour-de-veille")
    admin.get_by_role("button", name="Créer le compte").click()
    expect(admin.get_by_role("status")).to_have_text("Le compte a été créé.")
    row = admin.get_by_role("row").filter(has_text="noemie")
    expect(row).to_contain_text("bénévole")
    expect(row).to_contain_text("actif")
    screenshot(admin, "admin-utilisateurs")

    volunteer = new_page()
    login(volunteer, web, "noemie", password="premier-jour-de-veille")
    expect(volunteer).to_have_url(web.url + "/recherche")

    row.get_by_role("button", name="Désactiver").click()
    expect(admin.get_by_role("status")).to_have_text("Le compte a été désactivé.")
    expect(admin.get_by_role("row").filter(has_text="noemie")).to_contain_text("désactivé")
    # Her open session ends at once, and she cannot log in again.
    volunteer.goto(web.url + "/recherche")
    expect(volunteer).to_have_url(web.url + "/connexion?suivant=%2Frecherche")
    login(volunteer, web, "noemie", password="premier-jour-de-veille")
    expect(volunteer.get_by_role("alert")).to_contain_text("incorrect")


def test_adding_an_existing_name_or_a_short_password_explains_the_problem_in_french(
    web: WebServer, page: Page
) -> None:
    login(page, web, "camille")
    page.goto(web.url + "/admin/utilisateurs")
    page.get_by_label("Nom d'utilisateur (sans espace)").fill("lea")
    page.get_by_label("Mot de passe provisoire").fill("un-mot-de-passe-correct")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("alert")).to_have_text("Le compte « lea » existe déjà.")


def test_a_post_without_this_sessions_csrf_token_is_refused_and_changes_nothing(
    web: WebServer, page: Page
) -> None:
    login(page, web, "camille")
    form = {"nom": "sans-jeton", "role": "benevole", "mot_de_passe": "x" * 12}
    missing = page.request.post(web.url + "/admin/utilisateurs", form=form)
    forged = page.request.post(
        web.url + "/admin/utilisateurs", form={**form, "csrf_token": "jeton-invente"}
    )
    assert missing.status == 403 and forged.status == 403
    assert "Formulaire expiré" in forged.text()
    # A token of another session (another browser) is no better.
    other = page.context.browser.new_context()  # type: ignore[union-attr]
    other_page = other.new_page()
    other_page.goto(web.url + "/connexion")
    foreign = other_page.locator("input[name=csrf_token]").get_attribute("value")
    other.close()
    stolen = page.request.post(
        web.url + "/admin/utilisateurs", form={**form, "csrf_token": foreign or ""}
    )
    assert stolen.status == 403
    # Logging out is a POST too: without the token the session stays open.
    assert page.request.post(web.url + "/deconnexion").status == 403
    page.goto(web.url + "/admin/utilisateurs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comptes des bénévoles")
    expect(page.get_by_role("row").filter(has_text="sans-jeton")).to_have_count(0)
    # And the same form through the page, with its token, works.
    page.get_by_label("Nom d'utilisateur (sans espace)").fill("avec-jeton")
    page.get_by_label("Mot de passe provisoire").fill(PASSWORD)
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("status")).to_have_text("Le compte a été créé.")


def test_the_login_form_itself_needs_its_csrf_token(web: WebServer, page: Page) -> None:
    page.goto(web.url + "/connexion")
    answer = page.request.post(
        web.url + "/connexion", form={"nom": "camille", "mot_de_passe": PASSWORD}
    )
    assert answer.status == 403
    page.goto(web.url + "/recherche")
    expect(page).to_have_url(web.url + "/connexion?suivant=%2Frecherche")


def test_an_unknown_page_is_a_french_404(web: WebServer, page: Page) -> None:
    login(page, web, "lea")
    response = page.goto(web.url + "/nulle-part")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    assert guard_of(page).problems() == []


def test_the_header_and_admin_page_fit_a_phone_screen_without_sideways_scrolling(
    web: WebServer, new_page: Callable[..., Page]
) -> None:
    phone = new_page(viewport=PHONE)
    login(phone, web, "camille")
    phone.goto(web.url + "/admin/utilisateurs")
    expect(phone.get_by_role("button", name="Déconnexion")).to_be_visible()
    expect(phone.get_by_role("link", name="Administration")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
    # Keyboard users see where they are: the first Tab lands on the skip link, shown.
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="Aller au contenu")).to_be_focused()
    expect(phone.get_by_role("link", name="Aller au contenu")).to_be_in_viewport()
    screenshot(phone, "admin-utilisateurs-telephone")
