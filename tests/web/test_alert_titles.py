"""The web dashboard lists alert rules by their titles: a rule without ``name`` shows what
it watches in names ("Alerte immédiate — Claire Martin"), never its id."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import WebServer, login

UNNAMED_RULES = """alerts:
  - id: claire-direct
    kind: immediate
    to: [equipe-numerique@example.org]
    candidates: [claire-martin]
  - id: sante-sources
    kind: source_health
    to: [astreinte@example.org]
"""


def test_the_dashboard_lists_unnamed_rules_by_what_they_watch_not_by_id(
    web: WebServer, page: Page
) -> None:
    watchlist = web.settings.watchlist
    text = watchlist.read_text(encoding="utf-8")
    assert "alerts: []" in text
    watchlist.write_text(text.replace("alerts: []\n", UNNAMED_RULES), encoding="utf-8")
    login(page, web, "lea")
    page.goto(web.url + "/tableau-de-bord")
    rules = page.locator(".regles")
    expect(rules).to_contain_text("Alerte immédiate — Claire Martin")
    expect(rules).to_contain_text("Santé des sources")
    assert "claire-direct" not in rules.inner_text()
    assert "sante-sources" not in rules.inner_text()
