"""Alert emails and digests link each document to its page in the volunteers' web app when
``web_base_url`` is set, beside the original page; without it they link to the page only.

Messages go through the real SMTP server of the alert tests (``tests/mailsink.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.mailsink import MailSink
from traceur.alerts.smtp import deliver_due
from traceur.config import Settings, load_settings
from traceur.errors import ConfigError

from .test_alerts import IMMEDIATE, NOW, Bench
from .test_alerts_smtp import mail_settings

pytestmark = pytest.mark.integration

DIGEST = """\
  - id: synthese-soir
    kind: digest
    name: Synthèse du soir
    to: [equipe-numerique@example.org]
    at: ["19:00"]
"""


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


def _send_immediate(tmp_path: Path, settings: Settings, sink: MailSink) -> tuple[str, str, str]:
    """One immediate alert on a new document; its id, and the plain and HTML parts received."""
    bench = Bench(tmp_path, settings, IMMEDIATE)
    try:
        bench.evaluate("claire-immediat", NOW - dt.timedelta(minutes=5))
        document = bench.document(
            "Claire Martin inaugure la médiathèque",
            "Samedi, Claire Martin a inauguré la médiathèque Simone-Veil devant les écoliers.",
            slug="mediatheque",
        )
        bench.store_docs(document)
        bench.evaluate("claire-immediat")
        report = deliver_due(settings, bench.state, NOW)
        assert len(report.sent) == 1, report
    finally:
        bench.close()
    [received] = sink.wait_for(1)
    return document.id, received.part("plain"), received.part("html")


def test_immediate_alert_links_the_document_page_of_the_web_app_and_the_original_page(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings = mail_settings(
        make_settings, sink, web_base_url="https://veille.example.org/traceur/"
    )
    doc_id, plain, html = _send_immediate(tmp_path, settings, sink)
    page = f"https://veille.example.org/traceur/document/{doc_id}"
    # The trailing slash of the setting does not double in the link.
    assert f"Dans Traceur : {page}\n" in plain
    assert "http://www.actu-val.example/mediatheque.html" in plain
    assert f'<a href="{page}"' in html and "Ouvrir dans Traceur" in html
    assert '<a href="http://www.actu-val.example/mediatheque.html"' in html


def test_without_web_base_url_alerts_link_only_the_original_page(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings = mail_settings(make_settings, sink)
    assert settings.web_base_url is None
    doc_id, plain, html = _send_immediate(tmp_path, settings, sink)
    assert "Dans Traceur" not in plain and "Ouvrir dans Traceur" not in html
    assert f"/document/{doc_id}" not in plain + html
    assert '<a href="http://www.actu-val.example/mediatheque.html"' in html


def test_digest_links_every_document_to_its_page_in_the_web_app(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings = mail_settings(make_settings, sink, web_base_url="http://127.0.0.1:8080")
    bench = Bench(tmp_path, settings, DIGEST)
    try:
        bench.evaluate("synthese-soir", NOW - dt.timedelta(days=1))
        documents = [
            bench.document(
                "Claire Martin au conseil municipal",
                "Claire Martin a défendu le tramway devant le conseil municipal.",
                published=NOW - dt.timedelta(hours=3),
            ),
            bench.document(
                "Le marché de Noël selon Jean-Baptiste Lefort",
                "Jean-Baptiste Lefort promet un marché de Noël plus long.",
                source="gazette",
                published=NOW - dt.timedelta(hours=2),
            ),
            bench.document(
                "Élodie Arnaud et les logements sociaux",
                "Élodie Arnaud réclame des logements sociaux rue des Tanneurs.",
                source="forum",
                kind="forum_post",
                published=NOW - dt.timedelta(hours=1),
            ),
        ]
        bench.store_docs(*documents)
        bench.evaluate("synthese-soir", NOW + dt.timedelta(hours=10))
        report = deliver_due(settings, bench.state, NOW + dt.timedelta(hours=10))
        assert len(report.sent) == 1, report
    finally:
        bench.close()
    [received] = sink.wait_for(1)
    plain, html = received.part("plain"), received.part("html")
    for document in documents:
        page = f"http://127.0.0.1:8080/document/{document.id}"
        assert plain.count(page) == 1, document.title
        assert html.count(f'<a href="{page}"') == 1, document.title
        assert f'<a href="{document.url}"' in html


def test_web_base_url_must_be_a_web_address(tmp_path: Path) -> None:
    refused = "web_base_url: 'veille.example.org' must be the app's public http"
    with pytest.raises(ConfigError, match=refused):
        load_settings(environ={"TRACEUR_WEB_BASE_URL": "veille.example.org"})
    assert (
        load_settings(environ={"TRACEUR_WEB_BASE_URL": "https://veille.example.org"}).web_base_url
        == "https://veille.example.org"
    )
