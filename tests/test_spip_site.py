"""An association's site on SPIP 4 with its dist templates, in ISO-8859-1
(tests/sites/saintpourcain-demain.example/), a site style no rule was written for.

SPIP prints the article's date as hAtom (``<abbr class="published" title="…Z">`` over a
day), a breadcrumb ("arbo") and a byline above the text, and readers' messages as the
article's forum (``ul.forum`` of ``li.forum-fil``, replies nested). Before, the date was
the printed day at 00:00, the text began with the breadcrumb, the title and "mardi 24
novembre 2026, par", and the readers' messages were not collected at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from traceur.cli import main
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass

from .test_collectors import all_documents

pytestmark = pytest.mark.integration

HOST = "saintpourcain-demain.example"
COLLEGE = f"http://{HOST}/College-Jean-Moulin-le-conseil-departemental-repousse-les-travaux"
CANTINE = f"http://{HOST}/Cantine-le-bio-a-50"
WATCHLIST = f"""\
candidates:
  - id: bernard-tixier
    name: Bernard Tixier
  - id: nathalie-chassaing
    name: Nathalie Chassaing
sources:
  - {{id: collectif, kind: site, url: 'http://{HOST}/', every: 1h, limits: {{max_depth: 2}}}}
"""


@pytest.fixture
def watchlist(tmp_path: Path) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return path


def test_try_gives_the_spip_article_at_its_hatom_minute_and_its_forum_messages(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    env = {**make_settings(sites_web).to_env(), "TRACEUR_WATCHLIST": str(watchlist)}
    result = CliRunner().invoke(main, ["try", "--json", COLLEGE], env=env)

    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["type"] == "article"
    article, *messages = page["documents"]
    assert article["published_at"].startswith("2026-11-24T19:30:00")
    assert article["text"].startswith("Les parents d’élèves l’ont appris")
    assert [(m["kind"], m["author"], m["post_id"]) for m in messages] == [
        ("comment", "Sylvain_P", "412"),
        ("comment", "Agnès Roudaire", "415"),
        ("comment", "un parent", "421"),
    ]
    assert messages[0]["url"] == f"{COLLEGE}#forum412"


def test_a_site_crawl_keeps_spip_articles_and_their_forum_as_comments_not_the_listings(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    settings = make_settings(sites_web, pseudonymize_authors=False)

    summary = run_pass(settings, watchlist, quiet=True)

    docs = all_documents(settings)
    articles = {doc.url: doc for doc in docs if doc.kind == "article"}
    # The home page, the section and the author's page are crawled through, not kept.
    assert sorted(articles) == [CANTINE, COLLEGE]
    assert summary.total("listings") == 3
    college = articles[COLLEGE]
    assert college.published_at == datetime(2026, 11, 24, 19, 30, tzinfo=UTC)
    assert articles[CANTINE].published_at == datetime(2026, 11, 17, 8, 10, tzinfo=UTC)
    assert not college.text.startswith(("Accueil", "Collège", "mardi"))
    assert "Répondre à ce message" not in college.text and "Sylvain_P" not in college.text
    comments = {doc.post_id: doc for doc in docs if doc.kind == "comment"}
    assert sorted(comments) == ["412", "415", "421"]
    # A reply nested under a message answers that message.
    assert [comments[n].parent_id for n in ("412", "415", "421")] == [
        college.id,
        comments["412"].id,
        college.id,
    ]
    assert comments["415"].published_at == datetime(2026, 11, 25, 11, 5, tzinfo=UTC)
    assert comments["415"].text.startswith("Il faut venir nombreux le 10.")
    assert "Répondre" not in comments["412"].text
    # Nathalie Chassaing is named by a reader only: that message, not the article.
    assert college.candidates == ["bernard-tixier"]
    assert comments["415"].candidates == ["nathalie-chassaing"]
