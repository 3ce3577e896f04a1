"""Logging in and out, in a real browser, and what a session cookie is made of."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import WebServer, login, screenshot


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
