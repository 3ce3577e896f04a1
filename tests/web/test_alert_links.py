"""An alert email's link to the web app opens that document's page, in a real browser: after
the login form when the volunteer is not logged in yet, at once when they are.

The email goes through the real alert path (rule evaluation, outbox, SMTP to the in-process
server of ``tests/mailsink.py``) with ``web_base_url`` set to the running app's address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.mailsink import MailSink
from tests.web.conftest import PASSWORD, WebServer, guard_of
from traceur.alerts.evaluate import Evaluator
from traceur.alerts.outbox import AlertState
from traceur.alerts.smtp import deliver_due
from traceur.document import Document, content_hash, document_id
from traceur.enrich.tagging import Tagger
from traceur.watchlist.loader import load_watchlist

pytestmark = pytest.mark.integration

RULE = """
alerts:
  - id: claire-immediat
    kind: immediate
    name: Claire Martin en direct
    to: [equipe-numerique@example.org]
    candidates: [claire-martin]
"""


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


def _alert_link(web: WebServer, sink: MailSink, tmp_path: Path) -> tuple[Document, str]:
    """Store a new mention of Claire Martin, alert on it, and return the document and the
    web app link of the email received."""
    watchlist_file = tmp_path / "veille-alertes.yaml"
    # The web tests' watchlist, with an immediate rule in place of its empty `alerts: []`.
    base = web.settings.watchlist.read_text(encoding="utf-8")
    assert "\nalerts: []\n" in base
    watchlist_file.write_text(base.replace("\nalerts: []\n", RULE), encoding="utf-8")
    watchlist = load_watchlist(watchlist_file)
    settings = web.settings.replace(
        web_base_url=web.url,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_security="none",
        alert_batch_seconds=0,  # sent by the evaluation that finds it: the link is pinned here
    )
    now = datetime.now(UTC).replace(microsecond=0)
    url = "https://www.quotidien-du-centre.example/politique/claire-martin-piscine"
    title = "Claire Martin promet la réouverture de la piscine Jean-Bouin"
    text = (
        "Devant une cinquantaine de nageurs du club local, Claire Martin a promis jeudi soir"
        " de rouvrir la piscine Jean-Bouin avant l'été, après deux ans de travaux."
    )
    document = Tagger(watchlist).apply(
        Document(
            id=document_id(url),
            url=url,
            canonical_url=url,
            domain="www.quotidien-du-centre.example",
            kind="article",
            source_id="quotidien-politique",
            title=title,
            text=text,
            published_at=now - timedelta(minutes=20),
            fetched_at=now,
            lang="fr",
            content_hash=content_hash(title, text),
        )
    )
    assert document.candidates == ["claire-martin"]
    with AlertState(tmp_path / "alertes.db") as state:
        evaluator = Evaluator(settings, watchlist, web.store, state)
        [rule] = watchlist.alerts
        assert not evaluator.evaluate(rule, now - timedelta(minutes=5)).error
        web.store.upsert([document])
        getattr(web.store, "refresh", lambda: None)()
        outcome = evaluator.evaluate(rule, now)
        assert not outcome.error and len(outcome.queued) == 1, outcome
        assert len(deliver_due(settings, state, now).sent) == 1
    [received] = sink.wait_for(1)
    found = re.search(r"Dans Traceur : (\S+)", received.part("plain"))
    assert found, received.part("plain")
    return document, found.group(1)


def test_alert_email_link_opens_the_document_page_after_the_login(
    web: WebServer, page: Page, sink: MailSink, tmp_path: Path
) -> None:
    document, link = _alert_link(web, sink, tmp_path)
    assert link == f"{web.url}/document/{document.id}"

    # Not logged in yet: the link leads to the login form, then to the document.
    page.goto(link)
    assert "/connexion" in page.url
    page.get_by_label("Nom d'utilisateur").fill("lea")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.url == link
    assert page.get_by_role("heading", name=document.title).is_visible()
    # The original page is linked too, as the email does.
    assert page.locator(f'a[href="{document.url}"]').count() >= 1

    # Logged in: the link opens the page at once.
    page.goto(web.url + "/recherche")
    page.goto(link)
    assert page.url == link
    assert page.get_by_role("heading", name=document.title).is_visible()
    assert guard_of(page).problems() == []
