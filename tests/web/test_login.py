"""Logging in and out, in a real browser, and what a session cookie is made of."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import PASSWORD, WebServer, login, screenshot


def test_volunteer_logs_in_lands_on_search_sees_their_name_and_logs_out(
    web: WebServer, page: Page
) -> None:
    page.goto(web.url + "/")
    expect(page).to_have_url(web.url + "/connexion?suivant=%2F")
    screenshot(page, "connexion")
    login(page, web, "lea")
    expect(page).to_have_url(web.url + "/recherche")
    expect(page.locator(".compte-nom")).to_contain_text("lea")
    expect(page.locator(".compte-nom")).to_contain_text("bénévole")
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté·e.")
    page.goto(web.url + "/recherche")
    expect(page).to_have_url(web.url + "/connexion?suivant=%2Frecherche")


def test_wrong_password_shows_a_french_message_and_opens_no_session(
    web: WebServer, page: Page
) -> None:
    login(page, web, "lea", password="pas-le-bon-mot-de-passe")
    expect(page.get_by_role("alert")).to_have_text("Nom d'utilisateur ou mot de passe incorrect.")
    # The name stays typed, the password does not.
    expect(page.get_by_label("Nom d'utilisateur")).to_have_value("lea")
    expect(page.get_by_label("Mot de passe")).to_have_value("")
    page.goto(web.url + "/recherche")
    expect(page).to_have_url(web.url + "/connexion?suivant=%2Frecherche")


def test_unknown_name_gets_the_same_message_as_a_wrong_password(web: WebServer, page: Page) -> None:
    login(page, web, "personne-de-ce-nom")
    expect(page.get_by_role("alert")).to_have_text("Nom d'utilisateur ou mot de passe incorrect.")


def test_after_five_failures_a_name_is_refused_even_with_the_right_password(
    web: WebServer, page: Page
) -> None:
    assert web.settings.web_login_attempts_per_name == 5
    for _ in range(5):
        login(page, web, "hugo", password="essai-au-hasard")
        expect(page.get_by_role("alert")).to_contain_text("incorrect")
    login(page, web, "hugo")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Trop de tentatives de connexion infructueuses")
    expect(alert).to_contain_text("réessayez dans 15 minutes")
    screenshot(page, "connexion-trop-de-tentatives")
    page.goto(web.url + "/recherche")
    expect(page).to_have_url(web.url + "/connexion?suivant=%2Frecherche")
    # Another volunteer on another name is not locked out by hugo's failures.
    login(page, web, "lea")
    expect(page).to_have_url(web.url + "/recherche")


def test_login_returns_to_the_page_first_asked_but_never_to_another_site(
    web: WebServer, page: Page
) -> None:
    page.goto(web.url + "/admin/utilisateurs")
    login_url = page.url
    page.get_by_label("Nom d'utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert login_url.endswith("/connexion?suivant=%2Fadmin%2Futilisateurs")
    expect(page).to_have_url(web.url + "/admin/utilisateurs")
    page.get_by_role("button", name="Déconnexion").click()
    page.goto(web.url + "/connexion?suivant=//ailleurs.example/piege")
    page.get_by_label("Nom d'utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(web.url + "/recherche")


def test_session_cookie_is_signed_httponly_and_samesite_lax(web: WebServer, page: Page) -> None:
    login(page, web, "lea")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["traceur_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    # Tampered with, the cookie is worth nothing: the volunteer is sent to the login page.
    page.context.clear_cookies()
    page.context.add_cookies(
        [{**session, "value": session["value"][:-4] + "AAAA"}]  # type: ignore[typeddict-item]
    )
    page.goto(web.url + "/recherche")
    expect(page).to_have_url(web.url + "/connexion?suivant=%2Frecherche")


def test_every_page_carries_a_strict_content_security_policy(web: WebServer) -> None:
    status, headers, _ = web.get("/connexion")
    assert status == 200
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
