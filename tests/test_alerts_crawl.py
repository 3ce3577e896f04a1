"""Alerts end to end, without the daemon: real crawls of a local web whose feeds and
pages change during the test, then ``run_once`` (what ``traceur alerts run`` does) and a
real SMTP server in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.mailsink import MailSink
from tests.test_alerts_smtp import UNPACED
from traceur.alerts.service import run_once
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.orchestra.runs import RunLog, record_pass
from traceur.watchlist.loader import load_watchlist

pytestmark = pytest.mark.integration

HOST = "www.actu-val.example"
FEED = Path(__file__).parent / "sites" / HOST / "feeds" / "politique.xml"
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}

WATCHLIST = """\
candidates:
  - id: claire-martin
    name: Claire Martin
    aliases: ["Mme Martin"]
    exclude: ["Saint-Martin"]
  - id: elodie-arnaud
    name: Élodie Arnaud
    aliases: ["Mme Arnaud"]
topics:
  - id: transports
    keywords: ["tramway", "transports en commun"]
sources:
"""


def article(
    title: str, paragraphs: list[str], published: str = "2026-11-21T18:30:00+01:00"
) -> bytes:
    """An article page as a regional news site serves it (``title`` is HTML)."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title} | Actu du Val</title>
<meta property="article:published_time" content="{published}"></head>
<body><header><a href="/">Actu du Val</a><nav><a href="/articles/">Politique</a></nav></header>
<main><article><h1>{title}</h1>
<p class="signature">Par Nadia Belkacem</p>
{body}
</article></main><footer>© 2026 Actu du Val — Mentions légales</footer></body></html>""".encode()


def feed_with(*items: tuple[str, str, str]) -> bytes:
    """The fixture feed with new items (title, path, guid) on top; titles are XML-escaped text."""
    extra = "".join(
        f"<item><title>{title}</title><link>http://{HOST}{path}</link>"
        f'<guid isPermaLink="false">{guid}</guid>'
        "<pubDate>Sat, 21 Nov 2026 18:30:00 +0100</pubDate></item>\n"
        for title, path, guid in items
    )
    text = FEED.read_text(encoding="utf-8")
    return text.replace("<item>", extra + "<item>", 1).encode()


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


def setup(
    tmp_path: Path,
    web: LocalWeb,
    make_settings: Callable[..., Settings],
    server: MailSink,
    sources: str,
    alerts: str,
) -> tuple[Settings, Path]:
    settings = make_settings(
        web, smtp_host=server.host, smtp_port=server.port, smtp_security="none", **UNPACED
    )
    path = tmp_path / "veille.yaml"
    path.write_text(WATCHLIST + sources + "alerts:\n" + alerts, encoding="utf-8")
    return settings, path


IMMEDIATE = """\
  - id: candidates-immediat
    kind: immediate
    to: [equipe-numerique@example.org]
    candidates: [claire-martin, elodie-arnaud]
"""
FEED_SOURCE = (
    "  - {id: actu, name: 'Actu du Val', kind: feed, "
    f"url: 'http://{HOST}/feeds/politique.xml', every: 30s}}\n"
)


def test_new_feed_entry_naming_a_candidate_is_emailed_once_with_subject_snippet_and_link(
    tmp_path: Path, sites_web: LocalWeb, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings, path = setup(tmp_path, sites_web, make_settings, sink, FEED_SOURCE, IMMEDIATE)
    watchlist = load_watchlist(path)
    assert run_pass(settings, path, quiet=True).total("new") == 3
    outcomes, delivery = run_once(settings, watchlist)
    assert "started" in outcomes[0].note and delivery.sent == []  # the backlog is not news

    sites_web.set(
        HOST,
        "/articles/reunion-publique-arnaud.html",
        Response(
            200,
            article(
                "Réunion publique d’Élodie Arnaud à la salle des fêtes",
                [
                    (
                        "Plus de deux cents personnes ont assisté mardi soir à la "
                        "réunion publique d’Élodie Arnaud, candidate de la liste "
                        "Val Solidaire, à la salle des fêtes du quartier des Tanneurs."
                    ),
                    (
                        "La candidate a détaillé ses propositions pour le logement et promis une "
                        "concertation sur le tracé du futur tramway. Plusieurs habitants ont "
                        "interpellé l’équipe sortante sur les retards du chantier de la gare."
                    ),
                ],
            ),
            HTML,
        ),
    )
    sites_web.set(
        HOST,
        "/feeds/politique.xml",
        Response(
            200,
            feed_with(
                (
                    "Réunion publique d’Élodie Arnaud",
                    "/articles/reunion-publique-arnaud.html",
                    "actu-val-2026-1121-ea",
                )
            ),
            RSS,
        ),
    )
    assert run_pass(settings, path, quiet=True).total("new") == 1
    outcomes, delivery = run_once(settings, watchlist)
    assert len(outcomes[0].queued) == 1 and len(delivery.sent) == 1

    [mail] = sink.wait_for(1)
    assert mail.subject == (
        "[Traceur] Élodie Arnaud — Actu du Val : "
        "Réunion publique d’Élodie Arnaud à la salle des fêtes"
    )
    assert mail.recipients == ("equipe-numerique@example.org",)
    plain, html = mail.part("plain"), mail.part("html")
    assert "à la réunion publique d’«Élodie Arnaud», candidate de la liste" in plain
    assert f"http://{HOST}/articles/reunion-publique-arnaud.html" in plain
    assert "réunion publique d’<mark>Élodie Arnaud</mark>, candidate" in html
    assert f'<a href="http://{HOST}/articles/reunion-publique-arnaud.html"' in html

    # Evaluated again (and crawled again): nothing more.
    run_pass(settings, path, quiet=True)
    outcomes, delivery = run_once(settings, watchlist)
    assert outcomes[0].queued == [] and delivery.sent == []
    assert len(sink.messages()) == 1


def test_feed_entry_whose_title_holds_html_and_script_arrives_escaped(
    tmp_path: Path, sites_web: LocalWeb, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings, path = setup(tmp_path, sites_web, make_settings, sink, FEED_SOURCE, IMMEDIATE)
    watchlist = load_watchlist(path)
    run_pass(settings, path, quiet=True)
    run_once(settings, watchlist)
    # The site escaped its title properly; the text it shows is literally <script>…
    title = (
        "Claire Martin répond &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; "
        "&lt;b onmouseover=alert(1)&gt;ici&lt;/b&gt;"
    )
    sites_web.set(
        HOST,
        "/articles/piege.html",
        Response(
            200,
            article(
                title,
                [
                    (
                        "Sur le forum du journal, un internaute avait collé "
                        "&lt;script&gt;document.location='http://evil.example/'&lt;/script&gt; "
                        "et Claire Martin a répondu point par point aux questions des lecteurs "
                        "sur le budget de la ville."
                    ),
                    (
                        "La candidate a rappelé que le budget des transports en "
                        "commun progressera de douze pour cent l’an prochain."
                    ),
                ],
            ),
            HTML,
        ),
    )
    sites_web.set(
        HOST,
        "/feeds/politique.xml",
        Response(
            200,
            feed_with(
                ("Claire Martin répond &lt;script&gt;", "/articles/piege.html", "actu-val-piege")
            ),
            RSS,
        ),
    )
    run_pass(settings, path, quiet=True)
    run_once(settings, watchlist)

    [mail] = sink.wait_for(1)
    literal = 'Claire Martin répond <script>alert("xss")</script> <b onmouseover=alert(1)>ici</b>'
    html = mail.part("html")
    assert "<script" not in html and "<b " not in html
    assert (
        "Claire Martin répond &lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt; "
        "&lt;b onmouseover=alert(1)&gt;ici&lt;/b&gt;"
    ) in html
    assert "&lt;script&gt;document.location=&#39;http://evil.example/&#39;&lt;/script&gt;" in html
    plain = mail.part("plain")
    assert literal in plain  # plain text shows the characters; nothing there can run
    assert mail.message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.message.iter_parts()] == ["text/plain", "text/html"]  # type: ignore[attr-defined]
    assert literal in mail.subject


HEALTH = """\
  - id: sante
    kind: source_health
    to: [exploitation@example.org]
    failures: 2
    empty_runs: 1
"""


def test_source_health_alerts_when_a_feed_stops_answering(
    tmp_path: Path, sites_web: LocalWeb, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings, path = setup(tmp_path, sites_web, make_settings, sink, FEED_SOURCE, HEALTH)
    watchlist = load_watchlist(path)
    record_pass(settings, run_pass(settings, path, quiet=True))
    sites_web.set(
        HOST, "/feeds/politique.xml", Response(503, b"<h1>Service indisponible</h1>", HTML)
    )
    record_pass(settings, run_pass(settings, path, quiet=True))
    assert run_once(settings, watchlist)[1].sent == []  # one failure is not "repeatedly"
    record_pass(settings, run_pass(settings, path, quiet=True))
    run_once(settings, watchlist)

    [mail] = sink.wait_for(1)
    assert mail.subject == "[Traceur] Source Actu du Val : 2 échecs de suite"
    assert mail.recipients == ("exploitation@example.org",)
    assert "http_503 ×2" in mail.part("plain")
    with RunLog.in_data_dir(settings.data_dir) as runs:
        assert [r.result for r in runs.recent("actu")] == ["failed", "failed", "ok"]
    assert run_once(settings, watchlist)[1].sent == []


def test_source_health_alerts_when_a_site_layout_change_empties_extraction(
    tmp_path: Path, sites_web: LocalWeb, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    site = "www.gazette-val.example"
    sites_web.set(
        site,
        "/robots.txt",
        Response(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}),
    )
    sites_web.set(
        site,
        "/",
        Response(
            200,
            b"""<html><body><h1>La Gazette du Val</h1><ul>
<li><a href="/politique/budget-vote.html">Le budget vot\xc3\xa9</a></li>
<li><a href="/politique/tramway-concertation.html">Tramway : la concertation</a></li>
</ul></body></html>""",
            HTML,
        ),
    )
    pages = {
        "/politique/budget-vote.html": (
            "Le budget voté au terme d’une longue séance",
            [
                (
                    "Le conseil municipal a adopté jeudi soir le budget primitif "
                    "après cinq heures de débats. Claire Martin, chef de "
                    "file de l’opposition, a dénoncé une hausse des dépenses de fonctionnement."
                ),
                (
                    "La majorité a défendu un effort inédit pour les écoles "
                    "et la voirie, financé sans hausse des taux d’imposition."
                ),
            ],
        ),
        "/politique/tramway-concertation.html": (
            "Tramway : la concertation s’ouvre lundi",
            [
                (
                    "Les habitants pourront donner leur avis sur le tracé de "
                    "la deuxième ligne de tramway jusqu’à la fin du mois de "
                    "janvier, en mairie et sur un registre en ligne."
                ),
                (
                    "Élodie Arnaud a salué l’initiative tout en réclamant des "
                    "réunions dans chaque quartier concerné par les travaux."
                ),
            ],
        ),
    }
    for page_path, (title, paragraphs) in pages.items():
        sites_web.set(site, page_path, Response(200, article(title, paragraphs), HTML))
    source = (
        f"  - {{id: gazette, name: 'La Gazette du Val', kind: site, "
        f"url: 'http://{site}/', every: 1h, match: '/politique/'}}\n"
    )
    settings, path = setup(tmp_path, sites_web, make_settings, sink, source, HEALTH)
    watchlist = load_watchlist(path)
    first = run_pass(settings, path, quiet=True)
    assert first.total("new") == 2
    record_pass(settings, first)

    # The site moves to a JavaScript front end: the pages still answer 200, with no text in them.
    for page_path in pages:
        sites_web.set(
            site,
            page_path,
            Response(
                200,
                b"""<!DOCTYPE html><html><head><title>La Gazette du Val</title>
<script src="/static/app.4f9c2.js" defer></script></head><body><div id="app"></div>
<noscript>Activez JavaScript pour lire la Gazette.</noscript></body></html>""",
                HTML,
            ),
        )
    second = run_pass(settings, path, quiet=True)
    assert (
        second.total("not_documents") == 2
        and second.total("new") + second.total("updated") + second.total("unchanged") == 0
    )
    record_pass(settings, second)
    run_once(settings, watchlist)

    [mail] = sink.wait_for(1)
    assert mail.subject == "[Traceur] Source La Gazette du Val : pages vides à l'extraction"
    assert "2 pages récupérées sans texte exploitable sur 1 collecte" in mail.part("plain")
    assert "la mise en page du site a probablement changé" in mail.part("plain")
