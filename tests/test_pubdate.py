"""The publication date of a page, by one order of trust (traceur.parse.pubdate): the main
content's metadata, then the feed or sitemap entry, then the printed byline, then a
heuristic guess the page backs; future dates; the labelled set's floor."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import PageItem
from pipelines.extract import ExtractPipeline
from traceur.enrich.documents import make_document
from traceur.parse.articles import Extracted, FeedEntry, FetchedPage, extract, extract_page
from traceur.parse.dates import parse_iso, scan_french_dates
from traceur.parse.pubdate import (
    BYLINE,
    FEED,
    FUTURE,
    HEURISTIC,
    STRUCTURED,
    DateCandidate,
    choose_date,
)
from traceur.parse.pubdate_eval import DEFAULT_DIR, evaluate, main

URL = "https://www.lechodesgrèves.example/politique/conseil-de-quartier-houleux"
FETCHED = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)
BODY = (
    "<p>Le conseil de quartier des Grèves a tourné court mardi soir : une soixantaine "
    "d'habitants sont venus dire leur colère contre le projet de parking souterrain "
    "place de l'Étang, que la municipalité juge indispensable au commerce.</p>"
    "<p>Le premier adjoint, Rodolphe Vaillant, a promis une nouvelle réunion avant le "
    "vote du conseil municipal et la publication de l'étude de circulation, que les "
    "riverains réclament depuis le printemps.</p>"
    "<p>Les commerçants de la rue des Tanneurs, eux, soutiennent le projet et ont fait "
    "circuler une pétition qui aurait recueilli trois cents signatures.</p>"
)


def page(
    head: str = "",
    byline: str = "",
    aside: str = "",
    after: str = "",
    assets: str = "<link rel='stylesheet' href='/2011/theme.css'>",
    masthead: str = "",
) -> str:
    """An original news page: the site's furniture around one article."""
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Conseil de quartier houleux aux Grèves</title>{assets}{head}</head>
<body><header class="site-header"><a href="/">L'Écho des Grèves</a>{masthead}
<nav><a href="/politique">Politique</a></nav></header>
<main><article class="story">
<h1>Conseil de quartier houleux aux Grèves</h1>{byline}
<img src="/wp-content/uploads/2019/04/etang.jpg" alt="">
{BODY}</article>{after}
<aside class="sidebar">{aside}</aside></main>
<footer><p>© 2009-2026 L'Écho des Grèves</p></footer></body></html>"""


def extracted(html: str, url: str = URL, fetched_at: datetime = FETCHED) -> Extracted:
    result = extract_page(html, url, fetched_at=fetched_at)
    assert result is not None
    return result


def published(html: str, entry: datetime | None = None, url: str = URL) -> datetime | None:
    """What the store would keep, the feed entry's date taken into account."""
    fetched = FetchedPage(
        url=url,
        source_id="echo",
        kind="article",
        html=html,
        fetched_at=FETCHED,
        entry=FeedEntry(key=url, published_at=entry) if entry else None,
    )
    return make_document(fetched, extract(fetched, 100)).published_at


def json_ld(*blocks: object) -> str:
    return "".join(
        f'<script type="application/ld+json">{json.dumps(block)}</script>' for block in blocks
    )


FEED_MINUTE = datetime(2026, 11, 17, 19, 42, tzinfo=UTC)


# -- the original bug -----------------------------------------------------------------


def test_stylesheet_year_never_beats_the_feed_minute() -> None:
    html = page()  # /2011/theme.css, an image of 2019, "© 2009-2026", no visible date

    assert published(html, entry=FEED_MINUTE) == FEED_MINUTE


def test_asset_years_and_copyright_alone_give_no_date() -> None:
    result = extracted(page(assets="<script src='/js/2018/app.js?v=20190402'></script>"))

    assert (result.published_at, result.date_source) == (None, None)


# -- (a) structured metadata of the main content --------------------------------------


def test_json_ld_main_article_in_a_graph_wins_over_the_feed() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "BreadcrumbList", "itemListElement": []},
            {"@type": "WebPage", "@id": URL, "datePublished": "2026-11-17T05:00:00Z"},
            {
                "@type": "NewsArticle",
                "mainEntityOfPage": {"@id": URL},
                "datePublished": "2026-11-17T18:10:00+01:00",
                "video": {"@type": "VideoObject", "uploadDate": "2019-04-02T10:00:00Z"},
            },
        ],
    }
    html = page(head=json_ld(graph))

    assert published(html, entry=FEED_MINUTE) == datetime(2026, 11, 17, 17, 10, tzinfo=UTC)
    assert extracted(html).date_source == STRUCTURED


@pytest.mark.parametrize("kind", ["https://schema.org/NewsArticle", "schema:NewsArticle"])
def test_json_ld_type_written_as_a_url_is_still_the_article(kind: str) -> None:
    article = {
        "@context": "https://schema.org",
        "@type": kind,
        "mainEntityOfPage": URL,
        "datePublished": "2026-11-17T18:10:00+01:00",
    }
    html = page(head=json_ld(article))

    assert published(html) == datetime(2026, 11, 17, 17, 10, tzinfo=UTC)
    assert extracted(html).date_source == STRUCTURED


def test_json_ld_of_another_article_on_the_page_is_not_this_pages_date() -> None:
    other = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": "https://www.lechodesgrèves.example/sport/autre-sujet",
        "datePublished": "2025-06-14T09:00:00+02:00",
    }
    own = {"@context": "https://schema.org", "@type": "NewsArticle", "url": URL}
    own["datePublished"] = "2026-11-16T21:05:00+01:00"
    listing = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [{"@type": "NewsArticle", "datePublished": "2026-01-02T07:00Z"}],
    }

    result = extracted(page(head=json_ld(other, own, listing)))

    assert result.published_at == datetime(2026, 11, 16, 20, 5, tzinfo=UTC)


def test_json_ld_naming_no_url_is_preferred_over_one_naming_another_page() -> None:
    other = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": "https://www.lechodesgrèves.example/sport/autre-sujet",
        "datePublished": "2025-06-14T09:00:00+02:00",
    }
    own = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "datePublished": "2026-11-16T21:05:00+01:00",
    }

    result = extracted(page(head=json_ld(other, own)))

    assert result.published_at == datetime(2026, 11, 16, 20, 5, tzinfo=UTC)


def test_wordpress_time_marked_published_and_updated_is_the_publication() -> None:
    byline = (
        "<span class='posted-on'><time class='entry-date published updated' "
        "datetime='2026-11-17T08:15:00+01:00'>17 novembre 2026</time></span>"
    )

    assert published(page(byline=byline), entry=FEED_MINUTE) == datetime(
        2026, 11, 17, 7, 15, tzinfo=UTC
    )


def test_blog_whose_h1_is_the_site_name_finds_the_byline_under_the_post_title() -> None:
    html = f"""<html lang="fr"><head><title>Le parking de l'Étang, encore - Tribune</title>
<link rel='stylesheet' href='/themes/2012/style.css'></head><body>
<div id="top"><h1><a href="/">Tribune</a></h1><p>Le blog d'un habitant</p></div>
<div id="colonne"><p>Le marché couvert, 02/10/2026 à 08:00</p></div>
<div id="content"><div class="post"><h2 class="post-title">Le parking de l'Étang, encore</h2>
<p class="post-info">Par Yves, le mardi 17 novembre 2026, 21:40 - Urbanisme</p>
<div class="post-content">{BODY}</div></div></div></body></html>"""

    assert extracted(html).published_at == datetime(2026, 11, 17, 20, 40, tzinfo=UTC)


def test_article_published_time_in_english_iso_with_an_offset() -> None:
    head = "<meta property='article:published_time' content='2026-11-17 14:05:00 -0500'>"

    assert extracted(page(head=head)).published_at == datetime(2026, 11, 17, 19, 5, tzinfo=UTC)


def test_rfc_2822_date_in_a_meta_tag() -> None:
    head = "<meta name='pubdate' content='Tue, 17 Nov 2026 14:05:00 +0100'>"

    assert extracted(page(head=head)).published_at == datetime(2026, 11, 17, 13, 5, tzinfo=UTC)


def test_time_in_the_main_article_counts_not_the_sidebars_teasers_or_comments() -> None:
    byline = "<p class='meta'><time datetime='2026-11-17T08:15:00+01:00'>17 nov.</time></p>"
    aside = (
        "<h2>Les plus lus</h2><ol><li><a href='/a'>Travaux</a> "
        "<time datetime='2026-11-18T07:00:00+01:00'>ce matin</time></li></ol>"
    )
    after = (
        "<section class='related'><article><h3>Le parking, acte I</h3>"
        "<time datetime='2026-10-02T10:00:00+02:00'>2 oct.</time></article></section>"
        "<section id='comments'><p>Gwen, <time datetime='2026-11-18T08:00:00Z'>"
        "18/11</time></p></section>"
    )

    result = extracted(page(byline=byline, aside=aside, after=after))

    assert result.published_at == datetime(2026, 11, 17, 7, 15, tzinfo=UTC)
    assert result.date_source == STRUCTURED


def test_updated_time_comes_after_the_published_one() -> None:
    head = (
        "<meta property='article:modified_time' content='2026-11-17T22:00:00+01:00'>"
        "<meta property='article:published_time' content='2026-11-17T12:30:00+01:00'>"
    )

    assert extracted(page(head=head)).published_at == datetime(2026, 11, 17, 11, 30, tzinfo=UTC)


# -- (b) the feed, (c) the byline ------------------------------------------------------


def test_feed_entry_beats_the_printed_byline() -> None:
    html = page(byline="<p class='date'>Publié le 17 novembre 2026 à 20h55</p>")

    assert published(html, entry=FEED_MINUTE) == FEED_MINUTE


@pytest.mark.parametrize(
    ("printed", "utc"),
    [
        ("Publié le 12 mars 2026 à 14h05", datetime(2026, 3, 12, 13, 5)),
        ("le 13/03/2026 à 12:05", datetime(2026, 3, 13, 11, 5)),
        ("Mis en ligne le 1er juillet 2026 à 7 h 40", datetime(2026, 7, 1, 5, 40)),
        ("12.03.2026 - 14:05", datetime(2026, 3, 12, 13, 5)),
        ("jeudi 12 mars 2026, 14:05", datetime(2026, 3, 12, 13, 5)),
        ("Posté le 2 mars 2026 • 10:30", datetime(2026, 3, 2, 9, 30)),
        ("12 mars 2026 | 14h05", datetime(2026, 3, 12, 13, 5)),
        ("Publié il y a 3 heures", datetime(2026, 11, 18, 6, 30)),
        ("il y a 25 minutes", datetime(2026, 11, 18, 9, 5)),
        ("Publié hier à 18h30", datetime(2026, 11, 17, 17, 30)),
    ],
)
def test_french_byline_near_the_title_in_paris_time(printed: str, utc: datetime) -> None:
    result = extracted(page(byline=f"<p class='signature'>{printed}</p>"))

    assert result.published_at == utc.replace(tzinfo=UTC)
    assert result.date_source == BYLINE


@pytest.mark.parametrize(
    ("printed", "utc"),
    [
        ("Publié le 28/03/2026 à 23:50", datetime(2026, 3, 28, 22, 50)),  # winter, +01:00
        ("Publié le 29/03/2026 à 03:20", datetime(2026, 3, 29, 1, 20)),  # summer, +02:00
        ("Publié le 25 octobre 2026 à 01h15", datetime(2026, 10, 24, 23, 15)),  # still summer
        ("Publié le 25 octobre 2026 à 03h45", datetime(2026, 10, 25, 2, 45)),  # winter again
    ],
)
def test_byline_across_daylight_saving_changes(printed: str, utc: datetime) -> None:
    fetched = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)

    result = extracted(page(byline=f"<p>{printed}</p>"), fetched_at=fetched)

    assert result.published_at == utc.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "printed",
    [
        "Publié le 16/11/2026 à 10:20, mis à jour le 17/11/2026 à 16:00",
        "Mis à jour le 17/11/2026 à 16:00 · Publié le 16/11/2026 à 10:20",
    ],
)
def test_published_is_preferred_over_updated(printed: str) -> None:
    result = extracted(page(byline=f"<p class='dates'>{printed}</p>"))

    assert result.published_at == datetime(2026, 11, 16, 9, 20, tzinfo=UTC)


def test_dates_of_the_sidebar_teasers_and_todays_masthead_are_not_a_byline() -> None:
    masthead = "<p class='today'>Mercredi 18 novembre 2026</p>"
    aside = "<h2>Les plus lus</h2><p>Travaux rue Haute, 17/11/2026 à 18:00</p>"

    result = extracted(page(masthead=masthead, aside=aside))

    assert result.published_at is None


def test_a_sentence_of_the_article_naming_a_date_is_only_a_last_resort_guess() -> None:
    sentence = "<p>Une réunion publique s'était déjà tenue le 3 novembre 2026 à 18h30.</p>"

    result = extracted(page(byline=sentence))

    # Not a byline (whose minute would count): trafilatura's day, which the text backs.
    assert (result.published_at, result.date_source) == (
        datetime(2026, 11, 3, tzinfo=UTC),
        HEURISTIC,
    )


# -- precision: a day never wins over a minute of the same day ---------------------------


def test_page_dated_to_the_day_keeps_the_feed_minute_of_that_day() -> None:
    head = "<meta property='article:published_time' content='2026-11-17'>"

    assert published(page(head=head), entry=FEED_MINUTE) == FEED_MINUTE


def test_midnight_written_by_a_cms_is_a_day_and_yields_to_the_feed_minute() -> None:
    head = "<meta property='article:published_time' content='2026-11-17T00:00:00+01:00'>"

    assert published(page(head=head), entry=FEED_MINUTE) == FEED_MINUTE


def test_page_day_that_differs_from_the_feed_keeps_the_order_of_trust() -> None:
    head = "<meta property='article:published_time' content='2026-11-15'>"

    assert published(page(head=head), entry=FEED_MINUTE) == datetime(2026, 11, 15, tzinfo=UTC)


def test_sitemap_day_yields_to_the_byline_minute_of_that_day() -> None:
    html = page(byline="<p>Publié le 17/11/2026 à 20:42</p>")

    found = published(html, entry=datetime(2026, 11, 17, tzinfo=UTC))

    assert found == datetime(2026, 11, 17, 19, 42, tzinfo=UTC)


def test_printed_day_alone_is_stored_as_that_day() -> None:
    result = extracted(page(byline="<p class='date'>Publié le 17 novembre 2026</p>"))

    assert result.published_at == datetime(2026, 11, 17, tzinfo=UTC)


# -- (d) heuristics ---------------------------------------------------------------------


def test_heuristic_guess_counts_only_when_the_page_prints_that_day() -> None:
    dated_url = "https://www.lechodesgrèves.example/2026/11/16/conseil-de-quartier/"

    result = extracted(page(), url=dated_url)

    assert (result.published_at, result.date_source) == (
        datetime(2026, 11, 16, tzinfo=UTC),
        HEURISTIC,
    )


# -- future dates -------------------------------------------------------------------------


def test_a_few_hours_ahead_is_kept_without_a_flag() -> None:
    head = "<meta property='article:published_time' content='2026-11-18T20:00:00Z'>"

    result = extracted(page(head=head))

    assert (result.published_at, result.date_flag) == (
        datetime(2026, 11, 18, 20, 0, tzinfo=UTC),
        None,
    )


def test_weeks_ahead_in_structured_metadata_is_kept_flagged_and_logged_with_the_url_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    head = "<meta property='article:published_time' content='2026-12-24T08:00:00Z'>"

    with caplog.at_level(logging.WARNING, logger="traceur.parse.articles"):
        result = extracted(page(head=head))

    assert (result.published_at, result.date_flag) == (
        datetime(2026, 12, 24, 8, 0, tzinfo=UTC),
        FUTURE,
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and URL in warnings[0]
    assert "parking" not in warnings[0] and "Grèves a tourné" not in warnings[0]


def test_weeks_ahead_in_a_byline_gives_way_to_the_feed() -> None:
    html = page(byline="<p>Publié le 24/12/2026 à 08:00</p>")

    assert published(html, entry=FEED_MINUTE) == FEED_MINUTE
    assert published(html) is None


def test_feed_dated_weeks_ahead_gives_way_to_the_byline() -> None:
    html = page(byline="<p>Publié le 17/11/2026 à 20:42</p>")

    found = published(html, entry=datetime(2027, 1, 5, tzinfo=UTC))

    assert found == datetime(2026, 11, 17, 19, 42, tzinfo=UTC)


def test_choice_ranks_sources_and_passes_over_far_future_ones() -> None:
    now = datetime(2026, 11, 18, tzinfo=UTC)
    candidates = [
        DateCandidate(now - timedelta(hours=5), HEURISTIC, precise=False),
        DateCandidate(now + timedelta(days=30), BYLINE),
        DateCandidate(now - timedelta(hours=2), FEED),
    ]

    choice = choose_date(candidates, now)

    assert (choice.published_at, choice.source) == (now - timedelta(hours=2), FEED)


def test_future_structured_date_is_counted_in_crawl_stats() -> None:
    crawler = get_crawler()
    pipeline = ExtractPipeline(100, crawler.stats)
    head = "<meta property='article:published_time' content='2099-01-01T08:00:00Z'>"
    item = PageItem(url=URL, source_id="echo", kind="article", fetched_at="", html=page(head=head))

    pipeline.process_item(item)

    assert crawler.stats.get_value("traceur/dates/future") == 1


# -- the French date reader ---------------------------------------------------------------


def test_date_reader_says_whether_a_time_of_day_was_printed() -> None:
    _, found = scan_french_dates("Publié le 12 mars 2026, mis à jour le 13/03/2026 à 09h10")

    assert [(f.when, f.has_time) for f in found] == [
        (datetime(2026, 3, 11, 23, 0, tzinfo=UTC), False),
        (datetime(2026, 3, 13, 8, 10, tzinfo=UTC), True),
    ]


def test_iso_with_a_space_before_the_offset() -> None:
    assert parse_iso("2026-03-12 14:05:00 +0100") == datetime(2026, 3, 12, 13, 5, tzinfo=UTC)


# -- the labelled set ---------------------------------------------------------------------


def test_labelled_date_set_reaches_its_pinned_floor() -> None:
    report = evaluate(DEFAULT_DIR)

    assert report.failures == []
    assert len(report.outcomes) >= 120
    families = set(report.by_family())
    assert {
        "asset_year",
        "copyright",
        "sidebar",
        "teaser",
        "comments",
        "updated",
        "dst",
        "day_only_feed_minute",
        "feed_only",
        "no_date",
        "relative",
        "iso_offset",
        "future_hours",
        "future_weeks",
        "held_out",
    } <= families


def test_date_evaluation_exits_non_zero_below_its_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "dates"
    shutil.copytree(DEFAULT_DIR, directory)
    manifest = directory / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    # Relabel every page as undated: the evaluation must notice.
    manifest.write_text(
        "\n".join(
            "  truth: null" if line.startswith("  truth:") else line for line in text.splitlines()
        ),
        encoding="utf-8",
    )
    floors = tmp_path / "floors.yaml"
    floors.write_text("dates:\n  accuracy: 0.97\n  size: 120\n", encoding="utf-8")

    code = main([str(directory), "--floors", str(floors)])

    assert code == 1
    assert "FAIL: date accuracy" in capsys.readouterr().out
