"""Names, not ids: a rule without ``name`` is called by what it watches, in the watchlist's
names ("Alerte immédiate — Claire Martin, Élodie Arnaud"), in email subjects, "Règle « … »"
footers and chat messages. The web dashboard's list is pinned in tests/web/test_alert_titles.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from tests.chatsink import ChatSink
from traceur.alerts.channels import deliver_outbox
from traceur.config import Settings
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.rules import ImmediateRule, rule_title

from .test_alert_channels import channel_settings
from .test_alerts import NOW, Bench, part, write_watchlist

UNNAMED = """\
  - id: duo-immediat
    kind: immediate
    to: [equipe@example.org]
    candidates: [claire-martin, elodie-arnaud]
  - id: tous-immediat
    kind: immediate
    to: [equipe@example.org]
    candidates: [claire-martin, elodie-arnaud, jean-baptiste-lefort]
    sources: [actu]
  - id: gazette-seule
    kind: immediate
    to: [equipe@example.org]
    sources: [gazette]
  - id: synthese-8h
    kind: digest
    to: [equipe@example.org]
    at: ["08:00"]
  - id: synthese-horaire
    kind: digest
    to: [equipe@example.org]
    every: 1h
    candidates: [jean-baptiste-lefort]
  - id: pic-tous
    kind: spike
    to: [equipe@example.org]
  - id: pic-lefort
    kind: spike
    to: [equipe@example.org]
    candidates: [jean-baptiste-lefort]
  - id: sante
    kind: source_health
    to: [ops@example.org]
  - id: sante-forum
    kind: source_health
    to: [ops@example.org]
    sources: [forum, gazette]
  - id: nommee
    kind: immediate
    name: Claire Martin en direct
    to: [equipe@example.org]
    candidates: [claire-martin]
"""


@pytest.fixture
def chat() -> Iterator[ChatSink]:
    with ChatSink() as sink:
        yield sink


def test_a_rule_without_a_name_is_called_by_what_it_watches_in_names(tmp_path: Path) -> None:
    watchlist = load_watchlist(write_watchlist(tmp_path, UNNAMED))
    titles = {rule.id: rule.title for rule in watchlist.alerts}
    assert titles == {
        "duo-immediat": "Alerte immédiate — Claire Martin, Élodie Arnaud",
        "tous-immediat": "Alerte immédiate — Claire Martin, Élodie Arnaud, Jean-Baptiste Lefort",
        "gazette-seule": "Alerte immédiate — La Gazette des deux rives",
        "synthese-8h": "Synthèse quotidienne — tous les documents",
        "synthese-horaire": "Synthèse périodique — Jean-Baptiste Lefort",
        "pic-tous": "Pic de mentions — tous les candidats",
        "pic-lefort": "Pic de mentions — Jean-Baptiste Lefort",
        "sante": "Santé des sources",
        "sante-forum": "Santé des sources — Forum des citoyens du Val, La Gazette des deux rives",
        "nommee": "Claire Martin en direct",
    }
    # A rule built in code, without the watchlist's names, still never shows its id.
    bare = ImmediateRule(id="sans-nom", kind="immediate", to=("a@example.org",))
    assert rule_title(bare) == bare.title == "Alerte immédiate"


def test_more_than_three_names_end_with_how_many_others(tmp_path: Path) -> None:
    extra = (
        "  - id: quatre\n    kind: immediate\n    to: [equipe@example.org]\n"
        "    sources: [actu, forum, gazette, presse]\n"
    )
    head = (
        write_watchlist(tmp_path, "")
        .read_text(encoding="utf-8")
        .replace(
            "alerts:\n",
            '  - id: presse\n    kind: feed\n    url: "http://www.presse-ouest.example/rss"\n'
            "    every: 1h\n",
        )
    )
    watchlist = load_watchlist(write_watchlist(tmp_path, extra, head))
    (rule,) = watchlist.alerts
    assert rule.title == (
        "Alerte immédiate — Actu du Val, Forum des citoyens du Val,"
        " La Gazette des deux rives et 1 autre"
    )


def test_unnamed_rules_show_names_in_subject_footer_and_chat_never_ids(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    settings = channel_settings(make_settings)
    alerts = f"""\
  - id: synthese-horaire
    kind: digest
    to: [equipe@example.org, "{chat.url("json", "/synthese")}"]
    candidates: [jean-baptiste-lefort, claire-martin]
    every: 1h
  - id: lefort-direct
    kind: immediate
    to: [equipe@example.org, "{chat.url("json", "/direct")}"]
    candidates: [jean-baptiste-lefort]
"""
    bench = Bench(tmp_path, settings, alerts)
    for rule_id in ("synthese-horaire", "lefort-direct"):
        bench.evaluate(rule_id, NOW - dt.timedelta(hours=1))
    bench.store_docs(
        bench.document(
            "Jean-Baptiste Lefort veut rouvrir la halle aux poissons",
            "Jean-Baptiste Lefort a promis aux mareyeurs une halle rénovée avant l'été.",
        )
    )
    for rule_id in ("synthese-horaire", "lefort-direct"):
        bench.evaluate(rule_id, NOW)
    emails = {
        row[1]: message_from_bytes(row[0], policy=default)
        for row in bench.state._db.execute(
            "SELECT message, rule_id FROM outbox WHERE channel = 'email' ORDER BY rowid"
        )
    }
    deliver_outbox(settings, bench.state, NOW)
    bench.close()

    digest, direct = emails["synthese-horaire"], emails["lefort-direct"]
    both = "Synthèse périodique — Jean-Baptiste Lefort, Claire Martin"
    assert digest["Subject"].startswith(f"[Traceur] {both} — 1 nouveau document")
    for body in (part(digest, "plain"), part(digest, "html")):
        assert f"Règle « {both} »" in body.replace("&amp;", "&")
    for body in (part(direct, "plain"), part(direct, "html")):
        assert "Règle « Alerte immédiate — Jean-Baptiste Lefort »" in body
    (digest_chat,) = chat.accepted("/synthese")
    assert digest_chat.json()["title"].startswith(f"Synthèse « {both} »")
    (direct_chat,) = chat.accepted("/direct")
    assert "Jean-Baptiste Lefort" in direct_chat.json()["title"]
    read = [m["Subject"] + part(m, "plain") + part(m, "html") for m in emails.values()]
    read += [r.text() for r in chat.accepted()]
    for text in read:
        for ident in ("synthese-horaire", "lefort-direct", "jean-baptiste-lefort"):
            assert ident not in text
