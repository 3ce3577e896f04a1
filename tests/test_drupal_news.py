"""A newspaper on Drupal 10 (tests/sites/www.reveil-bourbonnais.example/), a site style
no rule was written for: the page title is a block of its own, printed before the
node's <article> (byline, <time>, body, then the core comment module's comments).

Before, the article's date was lost (the title was outside every <article>, so the
node's own <time> was not the main content's) and `traceur try` read the commented
article as a forum thread of its comments, the article itself dropped."""

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

HOST = "www.reveil-bourbonnais.example"
BUDGET = f"http://{HOST}/actualites/budget-participatif-vote.html"
PERMANENCE = f"http://{HOST}/actualites/permanence-depute-fontbouillant.html"
WATCHLIST = f"""\
candidates:
  - id: marc-delorme
    name: Marc Delorme
  - id: helene-vasseur
    name: Hélène Vasseur
sources:
  - {{id: reveil, kind: site, url: 'http://{HOST}/', every: 1h, limits: {{max_depth: 2}}}}
"""


@pytest.fixture
def watchlist(tmp_path: Path) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return path


def test_try_reads_a_commented_drupal_article_as_an_article_and_its_comments_not_a_forum(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    env = {**make_settings(sites_web).to_env(), "TRACEUR_WATCHLIST": str(watchlist)}
    result = CliRunner().invoke(main, ["try", "--json", BUDGET], env=env)

    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["type"] == "article"
    kinds = [doc["kind"] for doc in page["documents"]]
    assert kinds == ["article", "comment", "comment", "comment"]
    assert [doc["author"] for doc in page["documents"][1:]] == [
        "Riverain_du_Cher",
        "Josiane M.",
        "Pierrot03",
    ]


def test_a_site_crawl_keeps_the_drupal_article_with_its_nodes_date_and_comments_apart(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], watchlist: Path
) -> None:
    settings = make_settings(sites_web, pseudonymize_authors=False)

    summary = run_pass(settings, watchlist, quiet=True)

    docs = {doc.url: doc for doc in all_documents(settings)}
    articles = {url: doc for url, doc in docs.items() if doc.kind == "article"}
    # The front page, the section, the tag pages and the legal notice are crawled
    # through, not kept.
    assert sorted(articles) == sorted([BUDGET, PERMANENCE])
    assert summary.total("listings") == 5
    budget = articles[BUDGET]
    # <time datetime="2026-11-26T17:42:10+01:00"> of the node, not the day of the crawl.
    assert budget.published_at == datetime(2026, 11, 26, 16, 42, 10, tzinfo=UTC)
    assert articles[PERMANENCE].published_at == datetime(2026, 11, 30, 7, 5, tzinfo=UTC)
    assert "Répondre" not in budget.text and "Riverain_du_Cher" not in budget.text
    assert budget.text.rstrip().endswith("conseil municipal du 14 décembre.")
    comments = sorted(
        (doc for doc in docs.values() if doc.kind == "comment"), key=lambda d: d.position or 0
    )
    assert [(c.author, c.parent_id) for c in comments] == [
        ("Riverain_du_Cher", budget.id),
        ("Josiane M.", budget.id),
        ("Pierrot03", budget.id),
    ]
    assert comments[0].published_at == datetime(2026, 11, 27, 16, 27, tzinfo=UTC)
    # Named only by a reader, Hélène Vasseur tags that comment, not the newspaper's text.
    assert budget.candidates == ["marc-delorme"]
    assert comments[1].candidates == ["helene-vasseur"]
