"""Blog posts and reader comments: the post is one document, each comment another,
linked to the post and to the comment it answers. Fixtures: tests/sites/blog.*."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from traceur.demo.localweb import LocalWeb
from traceur.parse.blogs import (
    BlogPost,
    Comment,
    detect_blog_engine,
    parse_blog_post,
    parse_comment_feed,
)

SITES = Path(__file__).resolve().parent / "sites"

WP = "blog.wordpress-val.example"
WP_PATH = "2026/11/tramway-trois-candidats-trois-visions/"
WP_URL = f"http://{WP}/{WP_PATH}"
BLOGGER = "blog.blogger-val.example"
BLOGGER_PATH = "2026/11/elodie-arnaud-au-pont-arnaud.html"
BLOGGER_URL = f"http://{BLOGGER}/{BLOGGER_PATH}"
BLOGGER_FEED = "feeds/6284017350192873645/comments/default"
GHOST = "blog.ghost-val.example"
GHOST_PATH = "tramway-ce-que-disent-vraiment-les-chiffres/"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def read(host: str, path: str) -> bytes:
    target = SITES / host / path
    if path.endswith("/"):
        target = target / "index.html"
    return target.read_bytes()


def post(host: str, path: str) -> BlogPost:
    return parse_blog_post(read(host, path).decode("utf-8"), f"http://{host}/{path}")


def by_id(comments: tuple[Comment, ...]) -> dict[str, Comment]:
    return {comment.comment_id: comment for comment in comments}


# -- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "engine"),
    [(WP, WP_PATH, "wordpress"), (BLOGGER, BLOGGER_PATH, "blogger"), (GHOST, GHOST_PATH, "ghost")],
)
def test_blog_engine_is_recognised_by_its_markup(host: str, path: str, engine: str) -> None:
    assert detect_blog_engine(read(host, path).decode("utf-8"), f"http://{host}/{path}") == engine


def test_a_blog_that_only_mentions_wordpress_is_generic() -> None:
    page = (
        "<html><head><title>Mon blog</title></head><body><article>"
        "<p>J'ai quitté WordPress pour un site fait main.</p></article></body></html>"
    )

    assert detect_blog_engine(page, "http://carnet.example/") == "generic"


# -- WordPress ----------------------------------------------------------------------------------


def test_wordpress_post_is_its_own_words_without_comments_sharing_or_sidebar() -> None:
    page = post(WP, WP_PATH)

    assert page.engine == "wordpress"
    assert page.url == WP_URL
    assert page.title == "Tramway : trois candidats, trois visions"
    assert page.author == "Hugo Perrin"
    assert page.published_at == utc(2026, 11, 19, 6, 30)
    assert page.text.startswith(
        "La ligne gare – campus des Grands-Champs est devenue le sujet de la campagne municipale."
    )
    assert page.text.endswith(
        "C’est pourtant là que se jouera l’acceptation du projet par les riverains."
    )
    assert len(page.text.split("\n")) == 5  # one line per paragraph
    for elsewhere in (
        "Martine G.",
        "Partager",
        "Articles récents",
        "Laisser un commentaire",
        "Trente ans de presse",
    ):
        assert elsewhere not in page.text


def test_wordpress_comments_are_separate_with_ids_authors_dates_and_parents() -> None:
    comments = post(WP, WP_PATH).comments

    assert [(c.comment_id, c.author, c.published_at, c.parent_comment_id) for c in comments] == [
        ("41", "Martine G.", utc(2026, 11, 19, 8, 12, 44), None),
        ("43", "Hugo Perrin", utc(2026, 11, 19, 9, 5, 10), "41"),
        ("47", "Martine G.", utc(2026, 11, 19, 11, 40, 0), "43"),
        ("44", "Thierry L.", utc(2026, 11, 19, 10, 30, 27), None),
        ("45", "Étudiante en colère", utc(2026, 11, 19, 12, 3, 51), None),
        ("49", "Hugo Perrin", utc(2026, 11, 19, 17, 22, 3), "45"),
    ]


def test_wordpress_comment_links_to_its_anchor_under_the_post() -> None:
    comment = by_id(post(WP, WP_PATH).comments)["45"]

    assert comment.url == f"{WP_URL}#comment-45"
    assert comment.post_url == WP_URL


def test_wordpress_comment_text_is_the_comment_alone() -> None:
    comments = by_id(post(WP, WP_PATH).comments)

    assert comments["41"].text == (
        "Merci pour ce résumé clair et sourcé. Je retiens que Claire "
        "Martin est la seule à donner un calendrier précis, ça compte."
    )
    # A parent's text does not swallow its replies.
    assert "calendrier oui" not in comments["41"].text
    assert comments["44"].text == (
        "Vous oubliez de dire que Jean-Baptiste Lefort propose des bus électriques dès 2028.\n"
        "Pour moi c’est le plus réaliste. Article un peu orienté à mon goût…"
    )
    assert all("Répondre" not in c.text and "dit :" not in c.text for c in comments.values())


def test_wordpress_post_links_its_own_comment_feed_not_the_sites() -> None:
    assert post(WP, WP_PATH).comment_feed_url == f"{WP_URL}feed/index.xml"


def test_wordpress_comment_feed_maps_every_comment_to_its_post() -> None:
    comments = parse_comment_feed(read(WP, WP_PATH + "feed/index.xml"), f"{WP_URL}feed/index.xml")

    assert [(c.comment_id, c.author, c.published_at) for c in comments] == [
        ("49", "Hugo Perrin", utc(2026, 11, 19, 17, 22, 3)),
        ("45", "Étudiante en colère", utc(2026, 11, 19, 12, 3, 51)),
        ("47", "Martine G.", utc(2026, 11, 19, 11, 40, 0)),
        ("44", "Thierry L.", utc(2026, 11, 19, 10, 30, 27)),
        ("43", "Hugo Perrin", utc(2026, 11, 19, 9, 5, 10)),
        ("41", "Martine G.", utc(2026, 11, 19, 8, 12, 44)),
    ]
    assert all(
        c.post_url == WP_URL and c.url == f"{WP_URL}#comment-{c.comment_id}" for c in comments
    )
    # The feed has the same words as the page, so both give the same comment documents.
    page = by_id(post(WP, WP_PATH).comments)
    assert all(c.text == page[c.comment_id].text for c in comments)


def test_site_wide_comment_feed_points_each_comment_at_its_post() -> None:
    comments = parse_comment_feed(
        read(WP, "comments/feed/index.xml"), f"http://{WP}/comments/feed/index.xml"
    )

    assert {c.url for c in comments} == {
        f"{WP_URL}#comment-{n}" for n in ("41", "43", "44", "45", "47", "49")
    }


# -- Blogger --------------------------------------------------------------------------


def test_blogger_post_and_its_threaded_comments() -> None:
    page = post(BLOGGER, BLOGGER_PATH)

    assert page.engine == "blogger"
    assert page.title == "Élodie Arnaud au Pont-Arnaud : ce qu'elle a promis"
    assert page.author == "Josiane Marchal"
    assert page.published_at == utc(2026, 11, 20, 18, 5)
    assert (
        "une consultation des habitants avant toute décision sur le tracé du tram ;\n"
        "la réouverture du bureau de poste"
    ) in page.text
    assert (
        "René Gautier" not in page.text
        and "Libellés" not in page.text
        and "Qui êtes-vous" not in page.text
    )
    # Exact times come from the ?showComment= milliseconds of each permalink.
    assert [
        (c.comment_id, c.author, c.published_at, c.parent_comment_id) for c in page.comments
    ] == [
        ("5023918473625019384", "René Gautier", utc(2026, 11, 20, 20, 13, 54), None),
        (
            "6120394857261039485",
            "Josiane Marchal",
            utc(2026, 11, 20, 20, 40, 12),
            "5023918473625019384",
        ),
        ("7239485710293847561", "Anonyme", utc(2026, 11, 21, 7, 2, 31), None),
        ("8301928475610293847", "Samia B.", utc(2026, 11, 21, 8, 27, 5), None),
    ]
    comments = by_id(page.comments)
    assert comments["5023918473625019384"].text.startswith("Merci Josiane pour ce compte rendu.")
    assert "Je lui reposerai" not in comments["5023918473625019384"].text
    assert (
        "Répondre" not in comments["8301928475610293847"].text
        and "Supprimer" not in comments["8301928475610293847"].text
    )
    assert comments["8301928475610293847"].url == f"{BLOGGER_URL}#c8301928475610293847"


def test_blogger_post_links_its_comment_feed() -> None:
    assert post(BLOGGER, BLOGGER_PATH).comment_feed_url == f"http://{BLOGGER}/{BLOGGER_FEED}"


def test_blogger_comment_feed_gives_parents_and_plain_post_urls() -> None:
    comments = by_id(
        parse_comment_feed(read(BLOGGER, BLOGGER_FEED), f"http://{BLOGGER}/{BLOGGER_FEED}")
    )

    reply = comments["6120394857261039485"]
    assert reply.parent_comment_id == "5023918473625019384"
    assert reply.author == "Josiane Marchal"  # not "Josiane Marchal (noreply@blogger.com)"
    assert reply.published_at == utc(2026, 11, 20, 20, 40, 12)
    assert reply.post_url == BLOGGER_URL  # no ?showComment=
    assert comments["5023918473625019384"].parent_comment_id is None


def test_blogger_page_and_feed_give_the_same_comment_urls() -> None:
    page = post(BLOGGER, BLOGGER_PATH).comments
    feed = parse_comment_feed(read(BLOGGER, BLOGGER_FEED), f"http://{BLOGGER}/{BLOGGER_FEED}")

    assert {c.url for c in page} == {c.url for c in feed}


# -- Ghost ----------------------------------------------------------------------------


def test_ghost_post_without_newsletter_form_or_comment_widget() -> None:
    page = post(GHOST, GHOST_PATH)

    assert page.engine == "ghost"
    assert page.title == "Tramway : ce que disent vraiment les chiffres"
    assert page.author == "Camille Ferrand"
    # The page's meta time, not the day-only <time datetime="2026-11-18">.
    assert page.published_at == utc(2026, 11, 18, 6, 45)
    assert page.text.startswith("Depuis le débat télévisé du 17 novembre")
    assert "Quant à Élodie Arnaud" in page.text
    assert "Recevez nos décryptages" not in page.text and "S’abonner" not in page.text
    assert page.comments == ()
    assert page.comment_feed_url is None


# -- other blogs ----------------------------------------------------------------------

HOMEMADE_BLOG = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Le marché couvert rouvre - Les nouvelles de Mireille</title>
<meta property="article:published_time" content="2026-11-16T08:00:00+01:00"></head>
<body><nav><a href="/">Accueil</a></nav>
<article><h1>Le marché couvert rouvre</h1><p class="auteur">par <a rel="author" href="/moi">Mireille</a></p>
<div itemprop="articleBody"><p>Après huit mois de travaux, le marché couvert rouvre samedi.</p><p>Claire Martin coupera le ruban à 10 h.</p></div>
</article>
<section id="commentaires"><h2>2 commentaires</h2>
<ol>
<li id="comment-3" class="comment"><cite class="fn">Gégé</cite> <span class="date">16/11/2026 à 10h12</span><div class="comment-text"><p>Enfin !</p></div>
  <ol class="children"><li id="comment-4" class="comment"><cite class="fn">Mireille</cite> <span class="date">16/11/2026 à 11h30</span><div class="comment-text"><p>Oui, il était temps.</p></div></li></ol>
</li>
</ol></section>
<footer>Blog fait main</footer></body></html>"""  # noqa: E501 - parser fixture, kept verbatim


def test_other_blog_falls_back_on_article_markup_and_numbered_comments() -> None:
    page = parse_blog_post(HOMEMADE_BLOG, "http://mireille.example/marche-couvert.html")

    assert page.engine == "generic"
    assert page.title == "Le marché couvert rouvre"
    assert page.author == "Mireille"
    assert page.published_at == utc(2026, 11, 16, 7, 0)
    assert page.text == (
        "Après huit mois de travaux, le marché couvert rouvre samedi.\n"
        "Claire Martin coupera le ruban à 10 h."
    )
    assert [
        (c.comment_id, c.author, c.published_at, c.parent_comment_id, c.text) for c in page.comments
    ] == [
        ("3", "Gégé", utc(2026, 11, 16, 9, 12), None, "Enfin !"),
        ("4", "Mireille", utc(2026, 11, 16, 10, 30), "3", "Oui, il était temps."),
    ]


def test_not_a_feed_gives_no_comments() -> None:
    assert (
        parse_comment_feed(
            b"<html><body>503 Service Unavailable</body></html>", f"{WP_URL}feed/index.xml"
        )
        == ()
    )
    assert parse_comment_feed(b"", f"{WP_URL}feed/index.xml") == ()


@pytest.mark.integration
@pytest.mark.parametrize(("host", "path"), [(WP, WP_PATH), (BLOGGER, BLOGGER_PATH)])
def test_comment_feed_linked_from_the_post_is_served_and_holds_its_comments(
    sites_web: LocalWeb, host: str, path: str
) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": sites_web.proxy_url}))
    with opener.open(f"http://{host}/{path}", timeout=10) as response:
        page = parse_blog_post(response.read().decode("utf-8"), f"http://{host}/{path}")
    assert page.comment_feed_url is not None
    with opener.open(page.comment_feed_url, timeout=10) as response:
        feed = parse_comment_feed(response.read(), page.comment_feed_url)

    assert {(c.comment_id, c.url, c.post_url, c.text) for c in feed} == {
        (c.comment_id, c.url, c.post_url, c.text) for c in page.comments
    }
