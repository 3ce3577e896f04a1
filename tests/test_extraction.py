"""Main-content extraction on stored pages (tests/fixtures/pages/, written for these
tests): title, author, date in UTC, language, the article's text without the page's
boilerplate; short pages refused; feed fallbacks; encodings as Scrapy decodes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from traceur.document import content_hash, document_id
from traceur.enrich.documents import make_document
from traceur.enrich.language import detect_language, document_language
from traceur.parse.articles import (
    Extracted,
    FeedEntry,
    FetchedPage,
    NotADocument,
    extract,
    extract_page,
)
from traceur.parse.dates import parse_iso_utc

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
MIN_TEXT_CHARS = 150  # the packaged default (config/traceur.yaml)
FETCHED = datetime(2026, 11, 21, 9, 15, 42, 123456, tzinfo=UTC)
PARIS_WINTER = timezone(timedelta(hours=1))


def page_text(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def language_of(result: Extracted) -> str | None:
    """The language its document gets: read from the words, the page's declaration as a fallback."""
    return document_language(result.title, result.text, result.declared_lang)


def extracted(name: str, url: str = "https://www.example.org/article.html") -> Extracted:
    result = extract_page(page_text(name), url)
    assert result is not None, f"{name} has no main text"
    return result


def fetched(
    name: str, url: str, entry: FeedEntry | None = None, kind: str = "article"
) -> FetchedPage:
    return FetchedPage(
        url=url,
        source_id="courrier",
        kind=kind,
        html=page_text(name),
        fetched_at=FETCHED,
        entry=entry,
    )


# -- a regional news article with heavy boilerplate -----------------------------------

NEWS_URL = (
    "https://www.courrier-de-la-vallee.example/politique/tramway-claire-martin-trace-nord-4821.html"
)
NEWS_SENTENCES = [
    "Devant une centaine d'habitants réunis à la salle des fêtes de Beaulieu-sur-Vionne",
    "Claire Martin n'a pas attendu les questions du public pour aborder le sujet qui fâche.",
    (
        "La candidate propose de financer les deux premières "
        "stations par un emprunt de douze millions d'euros"
    ),
    "On a perdu un tiers de notre chiffre d'affaires pendant le chantier",
    "Son principal adversaire, Jean-Baptiste Lefort, juge le projet irréaliste.",
    (
        "Le conseil municipal doit examiner le plan de "
        "déplacements urbains lors de sa séance du 3 décembre."
    ),
]
NEWS_BOILERPLATE = {
    "cookie banner": [
        "Nous et nos 214 partenaires",
        "Tout accepter",
        "Continuer sans accepter",
        "Paramétrer les cookies",
    ],
    "menu": [
        "Économie et entreprises du bassin",
        "Sortir ce week-end dans la vallée",
        "Abonnez-vous dès un euro",
    ],
    "breadcrumb": ["Accueil > Politique"],
    "read also": [
        "Lire aussi",
        "La papeterie de la Vionne ferme ses portes",
        "victoire éclatante des Bleus de la vallée",
    ],
    "share buttons": [
        "Partager sur Facebook",
        "Envoyer par courriel",
        "Copier le lien",
        "Partagez cet article",
    ],
    "newsletter": ["Recevez chaque matin l'essentiel", "Je m'inscris"],
    "most read": [
        "Les plus lus",
        "ravagé par les flammes",
        "Le marché de Noël ouvrira ses chalets",
    ],
    "footer": [
        "votre quotidien régional depuis 1946",
        "Tous droits réservés",
        "Mentions légales",
        "Conditions générales",
    ],
}


def test_news_article_title_author_and_language() -> None:
    result = extracted("regional_news_article.html", NEWS_URL)

    assert result.title == "Tramway : Claire Martin veut relancer le tracé nord"
    assert result.author == "Sophie Garnier"
    assert language_of(result) == "fr"


def test_published_time_with_an_offset_is_converted_to_utc() -> None:
    result = extracted("regional_news_article.html", NEWS_URL)

    # article:published_time is 2026-11-14T18:30:00+01:00.
    assert result.published_at == datetime(2026, 11, 14, 17, 30, tzinfo=UTC)
    assert result.published_at.utcoffset() == timedelta(0)


def test_news_article_text_keeps_every_paragraph() -> None:
    text = extracted("regional_news_article.html", NEWS_URL).text

    for sentence in NEWS_SENTENCES:
        assert sentence in text


@pytest.mark.parametrize("part", sorted(NEWS_BOILERPLATE))
def test_news_article_text_has_no_boilerplate(part: str) -> None:
    text = extracted("regional_news_article.html", NEWS_URL).text

    leaked = [phrase for phrase in NEWS_BOILERPLATE[part] if phrase in text]
    assert leaked == []


def test_headline_is_not_repeated_at_the_start_of_the_text() -> None:
    result = extracted("regional_news_article.html", NEWS_URL)

    assert not result.text.startswith(result.title)
    assert result.text.startswith("Devant une centaine")


# -- a WordPress-like blog post with comments -----------------------------------------

BLOG_URL = "https://carnets-de-mathilde.example/2026/11/09/debat-logements-sociaux/"


def test_blog_post_metadata() -> None:
    result = extracted("wordpress_blog_post.html", BLOG_URL)

    assert result.title == "Ce que j’ai retenu du débat sur les logements sociaux"
    assert result.author == "Mathilde Roux"
    assert result.published_at == datetime(2026, 11, 9, 20, 15, tzinfo=UTC)
    assert language_of(result) == "fr"


def test_blog_post_text_is_the_post_without_its_comments() -> None:
    # The comments are documents of their own (traceur.parse.comments), never the post's text.
    text = extracted("wordpress_blog_post.html", BLOG_URL).text

    assert "Élodie Arnaud a ouvert la soirée en rappelant que la commune" in text
    assert "je sais maintenant quelles questions poser aux candidats" in text
    assert "Le rachat des immeubles de la rue des Glycines me paraît une bonne idée" not in text
    assert "Ma sœur attend aussi un appartement adapté depuis trois hivers." not in text
    assert "Répondre" not in text


@pytest.mark.parametrize(
    "phrase",
    [
        "Les trouvailles de la brocante d’automne",  # sidebar
        "Fièrement propulsé par WordPress",  # footer
        "Mes recettes de saison",  # menu
        "Votre adresse e-mail ne sera pas publiée",  # comment form
        "Article précédent",  # post navigation
        "Chroniques d’une habitante",  # site description
    ],
)
def test_blog_post_text_has_no_theme_boilerplate(phrase: str) -> None:
    assert phrase not in extracted("wordpress_blog_post.html", BLOG_URL).text


# -- an ISO-8859-1 page ---------------------------------------------------------------

LATIN1_URL = "https://www.echo-des-coteaux.example/actu/2026/liste-arnaud.html"


def latin1_response() -> HtmlResponse:
    return HtmlResponse(url=LATIN1_URL, body=(PAGES / "latin1_village_article.html").read_bytes())


def test_latin1_fixture_is_really_not_utf8() -> None:
    raw = (PAGES / "latin1_village_article.html").read_bytes()

    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Élodie".encode("iso-8859-1") in raw


def test_latin1_page_decodes_as_scrapy_reads_it() -> None:
    result = extract_page(latin1_response().text, LATIN1_URL)

    assert result is not None
    assert result.title == "Élodie Arnaud présente sa liste à Sainte-Gemme"
    assert "qu'Élodie Arnaud a dévoilé samedi les vingt-neuf noms de sa liste" in result.text
    assert "deux infirmières de l'hôpital de Châteaumeillant" in result.text
    assert "« Nous voulons une équipe qui ressemble à nos villages »" in result.text
    assert "la rénovation de l'église Saint-Étienne" in result.text
    assert "Ã" not in result.text and "\ufffd" not in result.text


def test_latin1_page_metadata_and_guessed_language() -> None:
    result = extract_page(latin1_response().text, LATIN1_URL)

    assert result is not None
    assert result.author == "Rédaction de L'Écho des Coteaux"
    assert result.published_at == datetime(2026, 10, 30, 8, 0, tzinfo=UTC)
    # No lang attribute on this page: the language comes from the words.
    assert language_of(result) == "fr"
    assert "Agenda des fêtes et kermesses" not in result.text
    assert "hebdomadaire d'information locale" not in result.text


# -- scripts and styles inside the article --------------------------------------------


@pytest.mark.parametrize(
    "leak",
    [
        "pubConfig",
        "dataLayer",
        "gtag",
        "document.write",
        "Publicité chargée par le régisseur",
        "font-family",
        "encadre-chiffres",
        "border-left",
        "schema.org",
        "Donnees structurees",
        "commentaires.js",
    ],
)
def test_script_and_style_content_never_reaches_the_text(leak: str) -> None:
    assert leak not in extracted("article_with_inline_scripts.html").text


def test_paragraphs_around_scripts_are_all_kept() -> None:
    result = extracted("article_with_inline_scripts.html")

    assert result.title == "Budget 2027 : la majorité défend la hausse de la taxe foncière"
    assert result.author == "Karim Benali"
    assert result.published_at == datetime(2026, 12, 2, 6, 45, tzinfo=UTC)
    for sentence in (
        "La majorité a défendu une hausse de deux points de la taxe foncière",
        "dont les factures ont presque doublé en deux ans.",
        "Jean-Baptiste Lefort a dénoncé un choix de facilité",
        "Le budget primitif sera soumis au vote le 16 décembre",
    ):
        assert sentence in result.text


# -- an English page ------------------------------------------------------------------


def test_english_page_is_tagged_english() -> None:
    result = extracted(
        "english_news_article.html", "https://www.riverside-courier.example/world/europe/tram"
    )

    assert language_of(result) == "en"
    assert result.title == "French town split over tram extension ahead of local elections"
    assert result.author == "Oliver Hastings"
    assert result.published_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert "Claire Martin, who leads one of the main lists" in result.text
    assert "Registered in England and Wales" not in result.text


# -- pages that are not documents -----------------------------------------------------


@pytest.mark.parametrize("name", ["subscriber_login_page.html", "page_not_found.html"])
def test_page_whose_main_text_is_too_short_is_not_a_document(name: str) -> None:
    page = fetched(name, "https://www.courrier-de-la-vallee.example/compte/connexion")

    with pytest.raises(NotADocument, match="no main text|too short"):
        extract(page, MIN_TEXT_CHARS)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "<html><body></body></html>",
        "<html><body><nav><a href='/'>Accueil</a></nav></body></html>",
    ],
)
def test_empty_page_is_not_a_document(html: str) -> None:
    page = FetchedPage(
        url="https://www.example.org/vide",
        source_id="s",
        kind="article",
        html=html,
        fetched_at=FETCHED,
    )

    with pytest.raises(NotADocument):
        extract(page, MIN_TEXT_CHARS)


def test_too_short_reason_gives_the_length_and_the_minimum() -> None:
    page = fetched("regional_news_article.html", NEWS_URL)
    length = len(extract(page, MIN_TEXT_CHARS).text)

    with pytest.raises(
        NotADocument, match=rf"main text too short \({length} < 100000 characters\)"
    ):
        extract(page, 100_000)


# -- from page to document ------------------------------------------------------------


def test_make_document_builds_ids_and_utc_dates_from_the_page() -> None:
    url = NEWS_URL.replace("www.", "WWW.", 1) + "?utm_source=rss&xtor=RSS-3#commentaires"
    page = fetched("regional_news_article.html", url)

    document = make_document(page, extract(page, MIN_TEXT_CHARS))

    assert document.url == url
    assert document.canonical_url == NEWS_URL
    assert document.id == document_id(NEWS_URL)
    assert document.domain == "courrier-de-la-vallee.example"
    assert (document.kind, document.source_id) == ("article", "courrier")
    assert document.title == "Tramway : Claire Martin veut relancer le tracé nord"
    assert document.author == "Sophie Garnier"
    assert document.published_at == datetime(2026, 11, 14, 17, 30, tzinfo=UTC)
    assert document.fetched_at == datetime(2026, 11, 21, 9, 15, 42, tzinfo=UTC)
    assert document.lang == "fr"
    assert document.content_hash == content_hash(document.title, document.text)
    assert document.candidates == [] and document.mentions == {}


def test_make_document_falls_back_to_the_feed_entry() -> None:
    entry = FeedEntry(
        key="https://www.tilleuls.example/permanence-novembre",
        title="Permanence de quartier : ce que les habitants ont demandé",
        author="Comité de quartier des Tilleuls",
        published_at=datetime(2026, 11, 16, 9, 30, tzinfo=PARIS_WINTER),
    )
    page = fetched(
        "bulletin_without_metadata.html", "https://www.tilleuls.example/permanence-novembre", entry
    )
    result = extract(page, MIN_TEXT_CHARS)
    assert (result.title, result.author, result.published_at) == ("", None, None), (
        "the fixture must lack metadata"
    )

    document = make_document(page, result)

    assert document.title == "Permanence de quartier : ce que les habitants ont demandé"
    assert document.author == "Comité de quartier des Tilleuls"
    assert document.published_at == datetime(2026, 11, 16, 8, 30, tzinfo=UTC)
    assert "Une trentaine de personnes sont passées" in document.text
    assert document.content_hash == content_hash(entry.title, document.text)


def test_page_metadata_wins_over_the_feed_entry() -> None:
    entry = FeedEntry(
        key="k",
        title="Titre du flux, tronqué…",
        author="Service web",
        published_at=datetime(2026, 11, 15, 0, 0, tzinfo=UTC),
    )
    page = fetched("regional_news_article.html", NEWS_URL, entry)

    document = make_document(page, extract(page, MIN_TEXT_CHARS))

    assert document.title == "Tramway : Claire Martin veut relancer le tracé nord"
    assert document.author == "Sophie Garnier"
    assert document.published_at == datetime(2026, 11, 14, 17, 30, tzinfo=UTC)


def test_control_characters_cannot_forge_highlight_marks() -> None:
    html = page_text("bulletin_without_metadata.html").replace("Retour sur", "Retour \x02sur\x03")
    entry = FeedEntry(key="k", title="Permanence \x02de\x03 quartier")
    page = FetchedPage(
        url="https://www.tilleuls.example/p",
        source_id="s",
        kind="article",
        html=html,
        fetched_at=FETCHED,
        entry=entry,
    )

    document = make_document(page, extract(page, MIN_TEXT_CHARS))

    assert "\x02" not in document.text and "\x03" not in document.text
    assert document.title == "Permanence de quartier"


# -- helpers --------------------------------------------------------------------------


def test_content_hash_ignores_whitespace() -> None:
    assert content_hash(
        "Budget 2027", "La hausse  est votée.\n\nL'opposition proteste."
    ) == content_hash(" Budget   2027 ", "La hausse est votée. L'opposition\tproteste. ")


def test_content_hash_changes_with_the_words() -> None:
    base = content_hash("Budget 2027", "La hausse est votée.")

    assert base != content_hash("Budget 2027", "La hausse est rejetée.")
    assert base != content_hash("Budget 2028", "La hausse est votée.")
    assert base != content_hash("budget 2027", "La hausse est votée.")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-14T18:30:00+01:00", datetime(2026, 11, 14, 17, 30, tzinfo=UTC)),
        ("2026-11-14T18:30:00+0100", datetime(2026, 11, 14, 17, 30, tzinfo=UTC)),
        ("2026-07-01T08:00:00+02:00", datetime(2026, 7, 1, 6, 0, tzinfo=UTC)),
        ("2026-11-14T17:30:00Z", datetime(2026, 11, 14, 17, 30, tzinfo=UTC)),
        ("2026-11-14T17:30:00", datetime(2026, 11, 14, 17, 30, tzinfo=UTC)),
        ("2026-11-14", datetime(2026, 11, 14, 0, 0, tzinfo=UTC)),
        ("14 novembre 2026", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_datetime_returns_utc_or_none(value: str | None, expected: datetime | None) -> None:
    assert parse_iso_utc(value) == expected


def test_language_detection_needs_enough_words() -> None:
    assert detect_language("Claire Martin au marché.") is None
    french = (
        "La candidate a présenté son projet pour les transports et les écoles de la ville, "
        "avec une équipe qui veut que la commune soit plus verte dans les dix ans qui viennent."
    )
    english = (
        "The candidate presented her plan for the schools and the buses of the town, "
        "and she said that the council was not ready for the changes that voters have asked for."
    )
    assert detect_language(french) == "fr"
    assert detect_language(english) == "en"
