"""Page types: a crawl without ``match`` keeps the pages that read as documents and walks
through home, section, tag, archive, search, pagination and "about" pages. Pages of
tests/eval/pagetypes (the labelled set) and small pages written here."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from traceur.parse.pagetype import PageType, classify_page

PAGES = Path(__file__).resolve().parent / "eval" / "pagetypes" / "pages"


def classify(style: str, name: str, url: str) -> PageType:
    return classify_page((PAGES / style / f"{name}.html").read_text(encoding="utf-8"), url)


def page(body: str, head: str = "", body_class: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Le Petit Lérac'
        f'</title>{head}</head><body class="{body_class}"><header role="banner"><a href="/">'
        'Le Petit Lérac</a><nav><a href="/politique/">Politique</a> <a href="/sport/">Sport</a>'
        f"</nav></header><main>{body}</main><footer><p>© Le Petit Lérac</p></footer></body>"
        "</html>"
    )


ARTICLE_TEXT = "".join(
    f"<p>Le conseil municipal de Lérac a voté jeudi soir le budget de l'année, paragraphe {k}, "
    "après trois heures de débat et deux suspensions de séance demandées par l'opposition.</p>"
    for k in range(5)
)


def teasers(count: int, base: str = "/politique/2026/11/") -> str:
    return "".join(
        f'<article class="teaser"><h2><a href="{base}sujet-numero-{k}-du-conseil.html">Le sujet '
        f"numéro {k} du conseil municipal</a></h2><p>Un résumé en une phrase du sujet {k}.</p>"
        "</article>"
        for k in range(count)
    )


def test_an_article_under_a_big_lire_aussi_box_full_of_links_is_a_document() -> None:
    found = classify(
        "wordpress-tt1",
        "post-lire-aussi",
        "https://lerac-en-commun.example/2026/11/03/tramway-la-concertation-prolongee-jusqu-en-janvier/",
    )

    assert found.is_document
    assert found.kind_hint == "blog_post"
    assert "single-post" in found.reason


def test_a_home_page_showing_its_posts_in_full_is_not_a_document() -> None:
    found = classify("wordpress-tt1", "home-full", "https://lerac-en-commun.example/")

    assert not found.is_document
    assert found.kind_hint == "listing"


@pytest.mark.parametrize(
    ("style", "name", "url"),
    [
        ("spip", "category", "https://www.vivre-a-vezin.example/-Politique-.html"),
        ("hugo-papermod", "tag-one", "https://notes.thibault-mercier.example/tags/budget/"),
        (
            "joomla-mairie",
            "search",
            "https://www.mairie-saint-ours.example/component/finder/search",
        ),
        ("drupal-news", "page-2", "https://www.echo-de-la-brenne.example/politique?page=1"),
        ("ghost-casper", "author", "https://lettre-du-val.example/author/karim-benali/"),
    ],
)
def test_category_tag_search_pagination_and_author_pages_are_listings(
    style: str, name: str, url: str
) -> None:
    assert not classify(style, name, url).is_document


def test_a_long_about_page_is_not_a_document_even_when_its_json_ld_says_article() -> None:
    # Ghost types its static pages "Article" in JSON-LD.
    found = classify("ghost-casper", "about", "https://lettre-du-val.example/a-propos/")

    assert not found.is_document
    assert found.kind_hint == "about"
    assert "À propos" in found.reason


def test_a_two_sentence_brief_and_a_photo_story_are_documents() -> None:
    brief = classify(
        "drupal-news",
        "brief-nometa",
        "https://www.echo-de-la-brenne.example/politique/2026/11/03/la-mediatheque",
    )
    photos = classify(
        "spip", "photos", "https://www.vivre-a-vezin.example/Quarante-places-de-creche.html"
    )

    assert brief.is_document and photos.is_document


@pytest.mark.parametrize(
    ("json_ld", "reason"),
    [
        (
            '{"@context": "https://schema.org", "@graph": [{"@type": "CollectionPage", '
            '"name": "Politique"}, {"@type": "WebSite"}]}',
            "JSON-LD CollectionPage",
        ),
        # The posts of an ItemList are its teasers, not what the page is.
        (
            '{"@context": "https://schema.org", "@type": "ItemList", "itemListElement": '
            '[{"@type": "ListItem", "item": {"@type": "NewsArticle", "headline": "Voté"}}]}',
            "JSON-LD ItemList",
        ),
    ],
)
def test_json_ld_list_types_are_read_in_a_graph_and_nested_articles_are_not(
    json_ld: str, reason: str
) -> None:
    head = f'<script type="application/ld+json">{json_ld}</script>'

    found = classify_page(page(teasers(2), head), "https://petit-lerac.example/politique/")

    assert not found.is_document
    assert reason in found.reason


def test_structure_wins_over_the_words_of_the_url() -> None:
    article = page(
        "<article><h1>Le budget de Lérac voté après trois heures de débat</h1>"
        f'<p class="date"><time datetime="2026-11-20T20:00:00Z">20 novembre 2026</time></p>'
        f"{ARTICLE_TEXT}</article>"
    )
    listing = page("<h1>Politique</h1>" + teasers(8))

    assert classify_page(
        article, "https://petit-lerac.example/category/budget/vote.html"
    ).is_document
    assert not classify_page(
        listing, "https://petit-lerac.example/2026/11/20/le-budget-de-lerac-est-vote.html"
    ).is_document


def test_a_category_page_with_a_long_introduction_is_still_a_listing() -> None:
    intro = "<p>" + "Toute l'actualité politique de la commune et du canton. " * 8 + "</p>"

    found = classify_page(
        page(f"<h1>Politique</h1>{intro}{teasers(5)}"), "https://petit-lerac.example/politique/"
    )

    assert not found.is_document
    assert "5 teasers linking to leaf pages" in found.reason


def test_a_single_teaser_without_main_text_is_a_listing_and_says_so() -> None:
    found = classify_page(
        page("<h1>Étiquette : gymnase</h1>" + teasers(1)),
        "https://petit-lerac.example/etiquette/gymnase/",
    )

    assert not found.is_document
    assert "a single teaser linking to a leaf page" in found.reason


def test_an_article_followed_by_teasers_of_other_articles_is_a_document() -> None:
    body = (
        "<article><h1>Le budget de Lérac voté après trois heures de débat</h1>"
        f"{ARTICLE_TEXT}</article><h2>Nos dernières actualités</h2>{teasers(3)}"
    )

    assert classify_page(page(body), "https://petit-lerac.example/budget-vote.html").is_document


@pytest.mark.parametrize(
    ("body_class", "is_document"),
    [
        ("post-template-default single single-post postid-8", True),
        ("archive category category-politique", False),
        ("post-template", True),
        ("tag-template tag-budget", False),
        ("page_rubrique", False),
        ("site com_content view-category layout-blog", False),
        ("path-frontpage", False),
    ],
)
def test_engine_body_classes_are_read(body_class: str, is_document: bool) -> None:
    # A middling page: a headline and a few lines, whose engine says what it is.
    body = (
        "<h1>Réunion publique sur le budget de la commune</h1><p>Une réunion publique aura "
        "lieu jeudi à la salle des fêtes, à 20 heures, pour présenter le budget.</p>"
    )

    found = classify_page(page(body, body_class=body_class), "https://petit-lerac.example/x/")

    assert found.is_document is is_document
    assert "body class" in found.reason


@pytest.mark.parametrize(
    "title", ["Mentions légales", "Nous contacter", "Politique de cookies", "Plan du site"]
)
def test_legal_contact_cookie_and_site_map_pages_are_not_documents(title: str) -> None:
    body = f"<h1>{title}</h1>" + ARTICLE_TEXT

    found = classify_page(page(body), "https://petit-lerac.example/informations/")

    assert not found.is_document
    assert found.kind_hint == "about"


def test_a_parsed_tree_is_classified_as_its_html_and_left_unchanged() -> None:
    html = (PAGES / "national-news" / "live.html").read_text(encoding="utf-8")
    url = "https://www.le-courrier-national.example/politique/article/direct.html"
    tree = lxml.html.document_fromstring(html)
    before = lxml.html.tostring(tree)

    from_tree = classify_page(tree, url)

    assert from_tree == classify_page(html, url)
    assert from_tree.is_document and from_tree.reason.startswith("JSON-LD LiveBlogPosting")
    assert lxml.html.tostring(tree) == before


@pytest.mark.parametrize("html", ["", "   ", "\x00\x01"])
def test_an_empty_page_is_not_a_document(html: str) -> None:
    assert classify_page(html, "https://petit-lerac.example/") == PageType(
        False, "empty", "an empty or unreadable page"
    )


def test_a_static_page_is_known_by_its_title_tag_when_its_heading_is_the_blogs_name() -> None:
    html = (
        "<html><head><title>À propos - Les notes d'Yvette</title></head><body><h1><a "
        "href='/'>Les notes d'Yvette</a></h1><h3>À propos</h3>" + ARTICLE_TEXT + "</body></html>"
    )

    found = classify_page(html, "http://notes.example/pages/moi/index.html")

    assert not found.is_document
    assert found.reason.startswith("a page titled 'À propos'")


def test_an_article_whose_title_starts_with_a_static_word_is_still_an_article() -> None:
    html = page(
        "<article><h1>Cookies : la CNIL sanctionne le site de la mairie de Lérac</h1>"
        f'<time datetime="2026-11-20T08:00:00Z">20 novembre 2026</time>{ARTICLE_TEXT}</article>'
    ).replace(
        "<title>Le Petit Lérac</title>",
        "<title>Cookies : la CNIL sanctionne le site de la mairie - Le Petit Lérac</title>",
    )

    assert classify_page(html, "https://petit-lerac.example/cnil-mairie.html").is_document


def test_an_about_page_served_as_a_folders_index_is_known_by_its_folder() -> None:
    found = classify_page(
        page("<h2>Qui je suis</h2>" + ARTICLE_TEXT), "http://x.example/a-propos/index.html"
    )

    assert not found.is_document
    assert "'a-propos'" in found.reason


SAME_TITLE_LINK = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Déchetterie : les horaires d'hiver contestés - Le Réveil de la Sèvre</title></head>
<body><div class="rs-page"><div class="rs-entete"><a href="/">Le Réveil de la Sèvre</a></div>
<div class="rs-article">
<h1>Déchetterie : les horaires d'hiver contestés</h1>
<div class="rs-infos">Publié le 04/12/2026 à 09h10 · Par Annick Pujol</div>
<div class="rs-corps">
<p>Depuis le 1er décembre, la déchetterie intercommunale ferme à 16 h 30 en semaine et reste
close le mardi. Les artisans de Mougon et de Celles-sur-Belle, qui y déposent leurs gravats
après les chantiers, dénoncent des horaires « faits pour personne ».</p>
<p>Le syndicat mixte invoque le coût du gardiennage et la baisse de fréquentation observée
l'hiver dernier, mais promet un bilan au printemps. Une pétition lancée par la fédération du
bâtiment a recueilli 412 signatures en une semaine.</p>
<p>Au conseil communautaire de jeudi, deux élus de l'opposition ont demandé le retour de
l'ouverture du samedi après-midi, sans obtenir de vote.</p>
<div class="rs-lire">À lire aussi :
<a href="/environnement/dechetterie-horaires-2025.html">Déchetterie :
les horaires d'hiver contestés</a></div>
</div></div></div></body></html>"""


def test_an_article_whose_lire_aussi_link_repeats_its_headline_is_a_document() -> None:
    # Found on pages written for another part of Traceur: the earlier story of the same
    # title made the page's own headline look like a teaser of a one-item list.
    page = classify_page(
        SAME_TITLE_LINK, "https://www.reveil-sevre.example/environnement/dechetterie-horaires.html"
    )
    assert page.is_document, page.reason
