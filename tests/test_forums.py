"""Forum parsing: one post per record, with its author, date, id and position, and
quotes kept apart from the quoting author's words, on each engine's own markup.

Every fixture page is an original French page in tests/sites/<host>/, the way the
engine would serve it; the spiders crawl the same files through LocalWeb."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traceur.demo.localweb import LocalWeb
from traceur.parse.dates import parse_french_date
from traceur.parse.forums import (
    Post,
    ThreadLink,
    ThreadPage,
    ThreadState,
    detect_engine,
    discourse_board_json_url,
    discourse_topic_json_url,
    parse_board,
    parse_discourse_board,
    parse_discourse_topic,
    parse_thread_page,
    resume_from,
    state_after,
    thread_has_news,
)

SITES = Path(__file__).resolve().parent / "sites"
DEMO_WEB = Path(__file__).resolve().parent.parent / "traceur" / "demo" / "sites"
PARIS = ZoneInfo("Europe/Paris")
# The fixtures' "Aujourd'hui" and "Hier" are relative to this moment.
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=PARIS)

PHPBB = "forum.phpbb-val.example"
VB = "www.forum-vbulletin-centre.example"
XF = "forum.xenforo-loire.example"
IPS = "forum.invision-val.example"
DISCOURSE = "discourse.citoyens-loire.example"
HOMEMADE = "www.parlons-en-val.example"

VB_THREAD = "threads/5512-Subventions-aux-associations-ce-que-propose-Lefort"
XF_THREAD = "threads/tramway-on-vote-pour-quoi-exactement.1204/"
IPS_THREAD = "topic/318-reunion-de-quartier-nord-avec-claire-martin/"
HOMEMADE_THREAD = "discussion/77-la-piscine-municipale-va-t-elle-fermer.html"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def page_file(host: str, path: str) -> Path:
    """The file LocalWeb serves for http://host/path."""
    target = SITES / host / path.lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def html(host: str, path: str) -> str:
    return page_file(host, path).read_text(encoding="utf-8")


def thread(host: str, path: str, now: datetime | None = None) -> ThreadPage:
    return parse_thread_page(html(host, path), f"http://{host}/{path}", now=now)


def by_id(posts: tuple[Post, ...] | list[Post]) -> dict[str, Post]:
    return {post.post_id: post for post in posts}


def phpbb_pages() -> list[ThreadPage]:
    return [
        thread(PHPBB, path)
        for path in (
            "viewtopic-1905.html",
            "viewtopic-1905-start-5.html",
            "viewtopic-1905-start-10.html",
        )
    ]


# -- engine detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "engine"),
    [
        (PHPBB, "viewtopic-1905.html", "phpbb"),
        (PHPBB, "viewforum-12.html", "phpbb"),
        (VB, VB_THREAD, "vbulletin"),
        (VB, "forums/8-Politique-locale", "vbulletin"),
        (XF, XF_THREAD, "xenforo"),
        (XF, "forums/municipales-2026.7/", "xenforo"),
        (IPS, IPS_THREAD, "invision"),
        (IPS, "forum/4-vie-municipale/", "invision"),
        (DISCOURSE, "t/tramway-ou-bus/42", "discourse"),
        (DISCOURSE, "", "discourse"),
        (HOMEMADE, HOMEMADE_THREAD, "generic"),
        (HOMEMADE, "index.html", "generic"),
    ],
)
def test_each_engine_is_recognised_by_its_markup(host: str, path: str, engine: str) -> None:
    assert detect_engine(html(host, path), f"http://{host}/{path}") == engine


def test_an_engine_named_in_a_post_does_not_change_the_detection() -> None:
    page = html(HOMEMADE, HOMEMADE_THREAD).replace(
        "Bonne journée à tous :)",
        "Avant on était sur un phpBB, puis un vBulletin, on a tout recodé en 2009 :)",
    )

    assert detect_engine(page, f"http://{HOMEMADE}/{HOMEMADE_THREAD}") == "generic"


# -- phpBB: a three-page thread ------------------------------------------------------------------

PHPBB_POSTS = [
    ("9201", "Gégé45", utc(2026, 11, 17, 21, 14, 8)),
    ("9204", "Nath_Rives", utc(2026, 11, 17, 21, 31, 55)),
    ("9210", "Loire_a_velo", utc(2026, 11, 17, 22, 5, 12)),
    ("9213", "Papy Bernard", utc(2026, 11, 18, 7, 48, 30)),
    ("9219", "Chloé.M", utc(2026, 11, 18, 9, 2, 47)),
    ("9224", "Gégé45", utc(2026, 11, 18, 10, 15, 0)),
    ("9230", "Chloé.M", utc(2026, 11, 18, 10, 42, 19)),
    ("9231", "Rémi_Bords", utc(2026, 11, 18, 11, 3, 51)),
    ("9238", "jb_fan_2026", utc(2026, 11, 18, 13, 27, 4)),
    ("9242", "moderateur_Fab", utc(2026, 11, 18, 14, 0, 0)),
    ("9250", "Nath_Rives", utc(2026, 11, 19, 8, 33, 12)),
    ("9256", "Papy Bernard", utc(2026, 11, 19, 16, 20, 45)),
    ("9261", "Loire_a_velo", utc(2026, 11, 19, 19, 8, 9)),
    ("9270", "Lulu_V", utc(2026, 11, 20, 7, 52, 40)),
]


def test_phpbb_thread_of_three_pages_gives_every_post_once_with_author_date_and_id() -> None:
    posts = [post for page in phpbb_pages() for post in page.posts]

    assert [(p.post_id, p.author, p.published_at) for p in posts] == PHPBB_POSTS
    assert all(p.engine == "phpbb" for p in phpbb_pages())


def test_phpbb_positions_continue_across_pages() -> None:
    first, second, third = phpbb_pages()

    assert [p.position for p in first.posts] == [1, 2, 3, 4, 5]
    assert [p.position for p in second.posts] == [6, 7, 8, 9, 10]
    assert [p.position for p in third.posts] == [11, 12, 13, 14]


def test_phpbb_last_page_knows_its_positions_without_the_earlier_pages() -> None:
    # A later pass fetches only the last page: "14 messages" and its 4 posts place them.
    last = thread(PHPBB, "viewtopic-1905-start-10.html")

    assert last.page_number == 3
    assert last.page_count == 3
    assert [p.position for p in last.posts] == [11, 12, 13, 14]


def test_phpbb_post_url_is_its_page_url_with_the_post_anchor() -> None:
    second = phpbb_pages()[1]

    assert second.posts[0].url == f"http://{PHPBB}/viewtopic-1905-start-5.html#p9224"
    assert all(p.url.endswith(f"#p{p.post_id}") for p in second.posts)


def test_phpbb_pages_share_one_thread_url_and_list_every_page_in_order() -> None:
    pages = phpbb_pages()
    expected = (
        f"http://{PHPBB}/viewtopic-1905.html",
        f"http://{PHPBB}/viewtopic-1905-start-5.html",
        f"http://{PHPBB}/viewtopic-1905-start-10.html",
    )

    assert {page.thread_url for page in pages} == {f"http://{PHPBB}/viewtopic-1905.html"}
    assert all(page.page_urls == expected for page in pages)
    assert [page.page_number for page in pages] == [1, 2, 3]
    assert pages[0].title == "Débat du 17 novembre : Martin, Lefort, Arnaud face à face"


def test_phpbb_next_page_links_lead_to_the_end_of_the_thread() -> None:
    first, second, third = phpbb_pages()

    assert first.next_page_url == f"http://{PHPBB}/viewtopic-1905-start-5.html"
    assert second.next_page_url == f"http://{PHPBB}/viewtopic-1905-start-10.html"
    assert third.next_page_url is None


def test_quoted_text_is_not_counted_as_the_quoting_authors_words() -> None:
    reply = by_id(phpbb_pages()[0].posts)["9210"]

    assert "connaissait ses chiffres" not in reply.text
    assert reply.quotes == ("Lefort m'a surprise, il connaissait ses chiffres par cœur.",)
    assert reply.text.startswith("Des chiffres oui, mais pas les bons.")
    assert "a écrit" not in reply.text and "Nath_Rives" not in reply.text


def test_nested_quotes_are_each_kept_apart_from_the_reply_and_from_each_other() -> None:
    reply = by_id(phpbb_pages()[1].posts)["9231"]

    assert reply.quotes == (
        (
            "Ben justement, elle a proposé de les financer en renégociant "
            "le contrat avec le délégataire, c'était vers la 52e minute."
        ),
        "Les bus de nuit c'est bien gentil mais qui les paie ?",
    )
    assert "qui les paie" not in reply.text
    assert "délégataire" not in reply.text
    assert reply.text.startswith("Renégocier le contrat en cours de route")


def test_a_candidate_named_only_in_a_quote_is_not_in_the_quoting_post() -> None:
    reply = by_id(phpbb_pages()[2].posts)["9256"]

    assert "Arnaud" not in reply.text
    assert any("Élodie Arnaud" in quote for quote in reply.quotes)


def test_post_text_keeps_line_breaks_and_smileys_but_not_signature_or_profile() -> None:
    opening = phpbb_pages()[0].posts[0]

    assert opening.text.split("\n")[0].startswith(
        "Bon, qui a regardé le débat ce soir sur Val TV ?"
    )
    assert opening.text.endswith("je dis ça, je dis rien :P")
    assert "Le bon sens" not in opening.text  # signature
    assert "Habitué" not in opening.text and "Inscription" not in opening.text  # profile box
    assert "Citer" not in opening.text


def test_phpbb_board_lists_threads_with_replies_last_activity_and_last_page() -> None:
    board = parse_board(html(PHPBB, "viewforum-12.html"), f"http://{PHPBB}/viewforum-12.html")

    assert board.engine == "phpbb"
    assert board.threads == (
        ThreadLink(
            f"http://{PHPBB}/viewtopic-1898.html",
            "[Annonce] Charte de modération pendant la campagne",
            0,
            utc(2026, 11, 2, 8, 0, 0),
            None,
        ),
        ThreadLink(
            f"http://{PHPBB}/viewtopic-1905.html",
            "Débat du 17 novembre : Martin, Lefort, Arnaud face à face",
            13,
            utc(2026, 11, 20, 7, 52, 40),
            f"http://{PHPBB}/viewtopic-1905-start-10.html",
        ),
        ThreadLink(
            f"http://{PHPBB}/viewtopic-1911.html",
            "Stationnement place du Marché : la pétition",
            2,
            utc(2026, 11, 19, 7, 58, 41),
            None,
        ),
    )


def test_phpbb_board_gives_its_next_page_and_subforums_not_the_threads_pages() -> None:
    first = parse_board(html(PHPBB, "viewforum-12.html"), f"http://{PHPBB}/viewforum-12.html")
    second = parse_board(
        html(PHPBB, "viewforum-12-start-3.html"), f"http://{PHPBB}/viewforum-12-start-3.html"
    )

    assert first.next_page_url == f"http://{PHPBB}/viewforum-12-start-3.html"
    assert first.subforum_urls == (f"http://{PHPBB}/viewforum-15.html",)
    assert [link.url for link in second.threads] == [f"http://{PHPBB}/viewtopic-1850.html"]
    assert second.next_page_url is None


def test_forum_index_lists_its_forums() -> None:
    index = parse_board(html(PHPBB, "index.html"), f"http://{PHPBB}/")

    assert index.threads == ()
    assert index.subforum_urls == (
        f"http://{PHPBB}/viewforum-12.html",
        f"http://{PHPBB}/viewforum-15.html",
    )


def test_demo_forum_thread_still_parses_post_by_post() -> None:
    host = "forum.citoyens-du-val.example"
    path = "forum/t/1842-reunion-publique-mardi/page-2.html"
    page = parse_thread_page(
        (DEMO_WEB / host / path).read_text(encoding="utf-8"), f"http://{host}/{path}"
    )

    assert page.engine == "phpbb"
    assert [(p.post_id, p.position) for p in page.posts] == [
        ("9118", 6),
        ("9121", 7),
        ("9123", 8),
        ("9126", 9),
        ("9130", 10),
    ]
    assert "Il a demandé 3 fois" not in by_id(page.posts)["9121"].text


# -- vBulletin 4 ----------------------------------------------------------------------


def vb_pages() -> list[ThreadPage]:
    return [thread(VB, VB_THREAD, now=NOW), thread(VB, VB_THREAD + "/page2", now=NOW)]


def test_vbulletin_thread_posts_read_french_dates_in_paris_time() -> None:
    posts = [post for page in vb_pages() for post in page.posts]

    assert [(p.post_id, p.author, p.published_at, p.position) for p in posts] == [
        ("88410", "Marie-Thé", utc(2026, 11, 18, 20, 14), 1),
        ("88415", "Fredo37", utc(2026, 11, 18, 20, 52), 2),
        ("88421", "Marie-Thé", utc(2026, 11, 18, 21, 7), 3),
        ("88430", "Asso_Les_Tilleuls", utc(2026, 11, 19, 7, 40), 4),
        ("88433", "Fredo37", utc(2026, 11, 19, 8, 15), 5),
        ("88440", "Sylvain_M", utc(2026, 11, 19, 11, 3), 6),
        ("88452", "Marie-Thé", utc(2026, 11, 19, 12, 26), 7),
        # "Hier, 18h05" and "Aujourd'hui, 09h12", seen on 21 November at 10:00 in Paris.
        ("88460", "JBL_Soutien", utc(2026, 11, 20, 17, 5), 8),
        ("88461", "Fredo37", utc(2026, 11, 20, 17, 31), 9),
        ("88475", "Marie-Thé", utc(2026, 11, 21, 8, 12), 10),
    ]


def test_vbulletin_quotes_with_and_without_attribution_are_kept_apart() -> None:
    posts = by_id([post for page in vb_pages() for post in page.posts])

    assert posts["88421"].quotes == ("Remettre à plat ça veut pas forcément dire supprimer.",)
    assert posts["88421"].text == (
        "Dans la bouche d'un candidat qui veut faire 3 "
        "millions d'économies, si, un peu quand même..."
    )
    assert posts["88433"].quotes == (
        (
            "Le problème, ce ne sont pas les subventions, "
            "c'est qu'on ne sait jamais à quoi elles servent."
        ),
    )
    assert "Posté par" not in posts["88452"].text and "Posté par" not in posts["88452"].quotes[0]
    assert "Péguy" not in posts["88415"].text  # signature


def test_vbulletin_links_resolve_against_base_href_and_posts_use_vbulletin_anchors() -> None:
    first, second = vb_pages()
    thread_url = f"http://{VB}/{VB_THREAD}"

    assert first.thread_url == second.thread_url == thread_url
    assert first.page_urls == (thread_url, f"{thread_url}/page2")
    assert first.next_page_url == f"{thread_url}/page2"
    assert second.next_page_url is None
    assert second.posts[0].url == f"{thread_url}/page2#post88452"


def test_vbulletin_board_lists_threads_with_replies_and_printed_last_post_date() -> None:
    board = parse_board(
        html(VB, "forums/8-Politique-locale"), f"http://{VB}/forums/8-Politique-locale", now=NOW
    )

    assert board.threads == (
        ThreadLink(
            f"http://{VB}/{VB_THREAD}",
            "Subventions aux associations : ce que propose Lefort",
            9,
            utc(2026, 11, 21, 8, 12),
            f"http://{VB}/{VB_THREAD}/page2",
        ),
        ThreadLink(
            f"http://{VB}/threads/5498-Elections-municipales-les-dates-des-reunions-publiques",
            "Élections municipales : les dates des réunions publiques",
            1,
            utc(2026, 11, 16, 19, 47),
            None,
        ),
    )
    assert board.subforum_urls == (f"http://{VB}/forums/9-Conseil-municipal-comptes-rendus",)


# -- XenForo 2 ------------------------------------------------------------------------


def xf_pages() -> list[ThreadPage]:
    return [thread(XF, XF_THREAD), thread(XF, XF_THREAD + "page-2")]


def test_xenforo_thread_posts_use_data_author_unix_times_and_shown_numbers() -> None:
    posts = [post for page in xf_pages() for post in page.posts]

    assert [(p.post_id, p.author, p.published_at, p.position) for p in posts] == [
        ("15230", "Valentin_L", utc(2026, 11, 19, 17, 42, 11), 1),
        ("15234", "Ophélie", utc(2026, 11, 19, 18, 3, 40), 2),
        ("15237", "Tonton_Jules", utc(2026, 11, 19, 18, 20, 2), 3),
        ("15241", "Valentin_L", utc(2026, 11, 19, 18, 47, 55), 4),
        ("15242", "Maître_Corbeau", utc(2026, 11, 19, 19, 12, 30), 5),
        ("15250", "Ophélie", utc(2026, 11, 19, 19, 30, 18), 6),
        ("15262", "Tonton_Jules", utc(2026, 11, 20, 7, 15, 44), 7),
        ("15268", "Kenza_41", utc(2026, 11, 20, 8, 2, 9), 8),
        ("15275", "Valentin_L", utc(2026, 11, 20, 9, 26, 37), 9),
    ]
    assert posts[6].url == f"http://{XF}/{XF_THREAD}page-2#post-15262"
    assert {page.thread_url for page in xf_pages()} == {f"http://{XF}/{XF_THREAD}"}


def test_xenforo_quote_keeps_neither_its_title_nor_its_expand_link() -> None:
    reply = by_id(xf_pages()[0].posts)["15237"]

    assert reply.quotes == ("Consultation ≠ votation par contre, c'est pas pareil.",)
    assert reply.text.startswith("Voilà. Une consultation")
    assert "a dit" not in reply.text and "Cliquez pour agrandir" not in reply.text


def test_xenforo_signature_and_edit_note_are_not_the_post() -> None:
    posts = by_id(xf_pages()[0].posts)

    assert "Juriste de formation" not in posts["15242"].text
    assert "Dernière édition" not in posts["15242"].text
    assert posts["15250"].text.endswith("on apprend des trucs ici 👍")


def test_xenforo_board_lists_threads_and_follows_its_pages() -> None:
    board = parse_board(
        html(XF, "forums/municipales-2026.7/"), f"http://{XF}/forums/municipales-2026.7/"
    )

    assert board.threads == (
        ThreadLink(
            f"http://{XF}/{XF_THREAD}",
            "Tramway : on vote pour quoi exactement ?",
            8,
            utc(2026, 11, 20, 9, 26, 37),
            f"http://{XF}/{XF_THREAD}page-2",
        ),
        ThreadLink(
            f"http://{XF}/threads/permanence-delodie-arnaud-samedi-au-marche.1197/",
            "Permanence d'Élodie Arnaud samedi au marché",
            1,
            utc(2026, 11, 16, 14, 5, 31),
            None,
        ),
    )
    assert board.next_page_url == f"http://{XF}/forums/municipales-2026.7/page-2"
    assert board.subforum_urls == (f"http://{XF}/forums/debats-de-quartier.9/",)


# -- Invision Community ---------------------------------------------------------------


def test_invision_thread_posts_with_quotes_apart_and_edit_note_dropped() -> None:
    page = thread(IPS, IPS_THREAD)

    assert page.engine == "invision"
    assert page.title == "Réunion de quartier Nord avec Claire Martin"
    assert [(p.post_id, p.author, p.published_at, p.position) for p in page.posts] == [
        ("2101", "Sophie_Nord", utc(2026, 11, 20, 17, 42, 11), 1),
        ("2104", "Dédé_Nord", utc(2026, 11, 20, 18, 5, 37), 2),
        ("2110", "Sophie_Nord", utc(2026, 11, 20, 18, 31, 2), 3),
        ("2118", "Lucas.V", utc(2026, 11, 20, 20, 14, 49), 4),
        ("2125", "Dédé_Nord", utc(2026, 11, 21, 7, 58, 20), 5),
    ]
    posts = by_id(page.posts)
    assert posts["2110"].quotes == ("Elle a promis quoi pour la poste ?",)
    assert posts["2110"].text.startswith("Une agence postale communale")
    assert "Modifié" not in posts["2118"].text
    assert posts["2101"].url == f"http://{IPS}/{IPS_THREAD}#elComment_2101"
    assert (
        "l'éclairage de la rue des Acacias (enfin !)\nla fermeture annoncée du bureau de poste"
        in posts["2101"].text
    )


def test_invision_board_lists_topics_and_subforums() -> None:
    board = parse_board(
        html(IPS, "forum/4-vie-municipale/"), f"http://{IPS}/forum/4-vie-municipale/"
    )

    assert [(t.url, t.replies, t.last_post_at) for t in board.threads] == [
        (f"http://{IPS}/{IPS_THREAD}", 4, utc(2026, 11, 21, 7, 58, 20)),
        (
            f"http://{IPS}/topic/322-ou-voter-changements-de-bureaux/",
            1,
            utc(2026, 11, 19, 12, 47, 10),
        ),
    ]
    assert board.subforum_urls == (f"http://{IPS}/forum/6-elections-municipales-2026/",)


# -- Discourse ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://d.example/c/municipales-2026/5", "https://d.example/c/municipales-2026/5.json"),
        ("https://d.example/c/municipales-2026/5/", "https://d.example/c/municipales-2026/5.json"),
        ("https://d.example/latest", "https://d.example/latest.json"),
        ("https://d.example/", "https://d.example/latest.json"),
        ("https://d.example/latest?page=2", "https://d.example/latest.json?page=2"),
        ("https://d.example/latest.json", "https://d.example/latest.json"),
    ],
)
def test_discourse_board_json_url(url: str, expected: str) -> None:
    assert discourse_board_json_url(url) == expected


@pytest.mark.parametrize(
    ("url", "page", "expected"),
    [
        ("https://d.example/t/tramway-ou-bus/42", 1, "https://d.example/t/tramway-ou-bus/42.json"),
        (
            "https://d.example/t/tramway-ou-bus/42/7",
            1,
            "https://d.example/t/tramway-ou-bus/42.json",
        ),
        (
            "https://d.example/t/tramway-ou-bus/42",
            3,
            "https://d.example/t/tramway-ou-bus/42.json?page=3",
        ),
        (
            "https://d.example/t/tramway-ou-bus/42.json",
            2,
            "https://d.example/t/tramway-ou-bus/42.json?page=2",
        ),
    ],
)
def test_discourse_topic_json_url(url: str, page: int, expected: str) -> None:
    assert discourse_topic_json_url(url, page) == expected


def discourse_topic() -> ThreadPage:
    path = "t/tramway-ou-bus/42.json"
    return parse_discourse_topic(
        (SITES / DISCOURSE / path).read_bytes(), f"http://{DISCOURSE}/{path}"
    )


def test_discourse_topic_json_gives_each_post_with_its_number_and_permalink() -> None:
    topic = discourse_topic()
    base = f"http://{DISCOURSE}/t/tramway-ou-bus/42"

    assert topic.engine == "discourse"
    assert topic.title == "Tramway ou bus ? Le grand débat"
    assert topic.thread_url == base
    # Post 4 is a moderator's "pinned" notice, not anyone's words.
    assert [(p.post_id, p.author, p.published_at, p.position, p.url) for p in topic.posts] == [
        ("301", "elise_r", utc(2026, 11, 18, 19, 2, 11), 1, f"{base}/1"),
        ("305", "marc_transports", utc(2026, 11, 18, 19, 40, 55), 2, f"{base}/2"),
        ("309", "elise_r", utc(2026, 11, 18, 20, 12, 30), 3, f"{base}/3"),
        ("314", "paul_g", utc(2026, 11, 19, 7, 31, 9), 5, f"{base}/5"),
        ("322", "marc_transports", utc(2026, 11, 19, 8, 5, 47), 6, f"{base}/6"),
        ("330", "lea.b", utc(2026, 11, 19, 12, 44, 2), 7, f"{base}/7"),
        ("341", "elise_r", utc(2026, 11, 20, 18, 20, 15), 8, f"{base}/8"),
    ]
    assert topic.page_urls == (f"{base}.json",)
    assert topic.next_page_url is None


def test_discourse_quote_aside_is_kept_apart_and_link_preview_dropped() -> None:
    posts = by_id(discourse_topic().posts)

    assert posts["322"].quotes == (
        (
            "Et personne ne parle d’Élodie Arnaud, qui propose de "
            "faire d’abord une consultation au Pont-Arnaud ?"
        ),
    )
    assert "Arnaud" not in posts["322"].text
    assert "paul_g:" not in posts["322"].text
    assert "Étude de faisabilité" not in posts["330"].text  # onebox preview of a link
    assert posts["330"].text == (
        "Pour ceux qui veulent les sources, l’étude de l’agglo est en ligne :\n"
        "Page 47 pour la comparaison des coûts tram / BHNS."
    )


def test_discourse_long_topic_is_paged_by_twenty_posts() -> None:
    payload = {
        "id": 77,
        "slug": "budget-2027",
        "title": "Budget 2027",
        "posts_count": 45,
        "post_stream": {
            "posts": [
                {
                    "id": 900 + n,
                    "username": "u",
                    "created_at": "2026-11-20T10:00:00.000Z",
                    "cooked": "<p>message</p>",
                    "post_number": n,
                    "post_type": 1,
                }
                for n in range(21, 41)
            ]
        },
    }
    page = parse_discourse_topic(
        json.dumps(payload).encode(), f"http://{DISCOURSE}/t/budget-2027/77.json?page=2"
    )

    assert page.page_number == 2
    assert page.page_count == 3
    assert [p.position for p in page.posts] == list(range(21, 41))
    assert page.next_page_url == f"http://{DISCOURSE}/t/budget-2027/77.json?page=3"
    assert page.page_urls[0] == f"http://{DISCOURSE}/t/budget-2027/77.json"


def test_discourse_latest_json_lists_topics_with_replies_and_last_post() -> None:
    board = parse_discourse_board(
        (SITES / DISCOURSE / "latest.json").read_bytes(), f"http://{DISCOURSE}/latest.json"
    )

    assert board.engine == "discourse"
    assert board.threads == (
        ThreadLink(
            f"http://{DISCOURSE}/t/bienvenue-sur-le-forum-citoyens-du-val-de-loire/38",
            "Bienvenue sur le forum Citoyens du Val de Loire",
            0,
            utc(2026, 9, 1, 8, 0, 0),
            None,
        ),
        ThreadLink(
            f"http://{DISCOURSE}/t/tramway-ou-bus/42",
            "Tramway ou bus ? Le grand débat",
            7,
            utc(2026, 11, 20, 18, 20, 15),
            None,
        ),
        ThreadLink(
            f"http://{DISCOURSE}/t/permanence-delodie-arnaud-au-marche-samedi/57",
            "Permanence d’Élodie Arnaud au marché samedi",
            2,
            utc(2026, 11, 20, 9, 15, 30),
            None,
        ),
    )
    assert board.next_page_url is None


def test_discourse_lists_give_categories_and_next_pages() -> None:
    categories = parse_discourse_board(
        (SITES / DISCOURSE / "categories.json").read_bytes(), f"http://{DISCOURSE}/categories.json"
    )
    more = json.dumps(
        {
            "topic_list": {
                "topics": [
                    {
                        "id": 9,
                        "slug": "s",
                        "title": "T",
                        "posts_count": 61,
                        "last_posted_at": "2026-11-20T10:00:00.000Z",
                    }
                ],
                "more_topics_url": "/c/municipales-2026/5?page=1",
            }
        }
    ).encode()
    board = parse_discourse_board(more, f"http://{DISCOURSE}/c/municipales-2026/5.json")

    assert categories.subforum_urls == (
        f"http://{DISCOURSE}/c/municipales-2026/5",
        f"http://{DISCOURSE}/c/transports/7",
    )
    assert board.next_page_url == f"http://{DISCOURSE}/c/municipales-2026/5.json?page=1"
    # 61 posts: the last page of the topic's JSON is the fourth.
    assert board.threads[0].last_page_url == f"http://{DISCOURSE}/t/s/9.json?page=4"


def test_discourse_crawler_view_is_parsed_when_met_as_html() -> None:
    page = thread(DISCOURSE, "t/tramway-ou-bus/42")

    assert page.engine == "discourse"
    assert page.thread_url == f"http://{DISCOURSE}/t/tramway-ou-bus/42"
    assert [(p.author, p.position) for p in page.posts] == [
        ("elise_r", 1),
        ("marc_transports", 2),
        ("elise_r", 3),
        ("paul_g", 5),
        ("marc_transports", 6),
        ("lea.b", 7),
        ("elise_r", 8),
    ]
    assert by_id(page.posts)["6"].quotes == by_id(discourse_topic().posts)["322"].quotes


# -- an unknown engine ----------------------------------------------------------------


def test_unknown_engine_posts_are_found_by_their_repetition() -> None:
    page = thread(HOMEMADE, HOMEMADE_THREAD, now=NOW)
    url = f"http://{HOMEMADE}/{HOMEMADE_THREAD}"

    assert page.engine == "generic"
    assert page.title == "La piscine municipale va-t-elle fermer ?"
    assert [(p.post_id, p.author, p.published_at, p.position, p.url) for p in page.posts] == [
        ("5501", "Gilou", utc(2026, 11, 20, 17, 12), 1, f"{url}#m5501"),
        ("5507", "Mireille", utc(2026, 11, 20, 18, 40), 2, f"{url}#m5507"),
        ("5512", "Bébert du 45", utc(2026, 11, 20, 20, 5), 3, f"{url}#m5512"),
        ("5520", "Nageuse_Val", utc(2026, 11, 21, 7, 47), 4, f"{url}#m5520"),
        # "Posté aujourd'hui à 12h05"
        ("5526", "Gilou", utc(2026, 11, 21, 11, 5), 5, f"{url}#m5526"),
    ]


def test_unknown_engine_post_text_is_the_message_only_with_quotes_apart() -> None:
    posts = by_id(thread(HOMEMADE, HOMEMADE_THREAD, now=NOW).posts)

    assert posts["5512"].quotes == (
        "elle m'a dit que la toiture serait faite en 2027 « quoi qu'il arrive »",
    )
    assert posts["5512"].text.startswith("Facile à promettre en campagne.")
    assert "a écrit" not in posts["5512"].text
    assert "Arnaud" not in posts["5526"].text and "Arnaud" in posts["5526"].quotes[0]
    assert "nageur du dimanche" not in posts["5501"].text  # signature
    assert "Inscrit le" not in posts["5501"].text and "Citer" not in posts["5501"].text


@pytest.mark.parametrize(
    ("host", "path"),
    [
        (PHPBB, "viewtopic-1905.html"),
        (PHPBB, "viewtopic-1905-start-5.html"),
        (PHPBB, "viewtopic-1905-start-10.html"),
        (VB, VB_THREAD),
        (VB, VB_THREAD + "/page2"),
        (XF, XF_THREAD),
        (XF, XF_THREAD + "page-2"),
        (IPS, IPS_THREAD),
    ],
)
def test_repetition_fallback_reads_known_engines_as_well_as_their_own_markup(
    host: str, path: str
) -> None:
    # The fallback is what an unknown theme or a new engine gets: held to the same answers.
    url = f"http://{host}/{path}"
    known = parse_thread_page(html(host, path), url, now=NOW)
    generic = parse_thread_page(html(host, path), url, now=NOW, engine="generic")

    def essentials(page: ThreadPage) -> list[tuple[object, ...]]:
        return [(p.post_id, p.author, p.published_at, p.position, p.quotes) for p in page.posts]

    assert generic.engine == "generic"
    assert essentials(generic) == essentials(known)
    assert (generic.thread_url, generic.page_number, generic.page_urls, generic.next_page_url) == (
        known.thread_url,
        known.page_number,
        known.page_urls,
        known.next_page_url,
    )
    if host != IPS:  # Invision's "Modifié … par" note is only known as such by its markup
        assert [p.text for p in generic.posts] == [p.text for p in known.posts]


def test_unknown_engine_board_lists_threads_with_replies_and_last_activity() -> None:
    board = parse_board(html(HOMEMADE, "index.html"), f"http://{HOMEMADE}/index.html", now=NOW)

    assert board.engine == "generic"
    assert [(t.url, t.title, t.replies, t.last_post_at) for t in board.threads] == [
        (
            f"http://{HOMEMADE}/{HOMEMADE_THREAD}",
            "La piscine municipale va-t-elle fermer ?",
            4,
            utc(2026, 11, 21, 11, 5),
        ),
        (
            f"http://{HOMEMADE}/discussion/74-travaux-rue-nationale-jusqu-a-quand.html",
            "Travaux rue Nationale : jusqu'à quand ?",
            11,
            utc(2026, 11, 19, 16, 22),
        ),
        (
            f"http://{HOMEMADE}/discussion/69-le-marche-de-noel-sera-t-il-maintenu.html",
            "Le marché de Noël sera-t-il maintenu ?",
            2,
            utc(2026, 11, 14, 8, 50),
        ),
    ]


# -- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sam. 21 nov. 2026 09:30", utc(2026, 11, 21, 8, 30)),
        ("21/11/2026, 09h30", utc(2026, 11, 21, 8, 30)),
        ("Posté le samedi 21 novembre 2026 à 9 h 30", utc(2026, 11, 21, 8, 30)),
        ("1er décembre 2026", utc(2026, 11, 30, 23, 0)),
        ("15/07/2026 à 10h00", utc(2026, 7, 15, 8, 0)),  # summer time: UTC+2
        ("Hier à 18:05", utc(2026, 11, 20, 17, 5)),
        ("Aujourd’hui, 08h12", utc(2026, 11, 21, 7, 12)),
        ("il y a 3 heures", utc(2026, 11, 21, 6, 0)),
        ("Jeudi à 18:42", utc(2026, 11, 19, 17, 42)),  # NOW is a Saturday
        ("19 nov. à 18:42", utc(2026, 11, 19, 17, 42)),
        ("28 déc. à 09:00", utc(2025, 12, 28, 8, 0)),  # not yet this year: last year's
        ("2026-11-21 09:30", utc(2026, 11, 21, 8, 30)),
        ("2026-11-21T09:30:00Z", utc(2026, 11, 21, 9, 30)),
        ("aucune date ici", None),
        ("31/02/2026", None),
    ],
)
def test_french_dates_are_read_as_paris_time(text: str, expected: datetime | None) -> None:
    assert parse_french_date(text, now=NOW) == expected


# -- later passes: only threads with news, only new pages -----------------------------


def debate_link(replies: int, last: datetime) -> ThreadLink:
    return ThreadLink(
        f"http://{PHPBB}/viewtopic-1905.html",
        "Débat",
        replies,
        last,
        f"http://{PHPBB}/viewtopic-1905-start-10.html",
    )


def test_new_thread_is_read_from_its_first_page() -> None:
    assert (
        resume_from(debate_link(13, utc(2026, 11, 20, 7, 52, 40)), None)
        == f"http://{PHPBB}/viewtopic-1905.html"
    )


def test_state_after_the_last_page_remembers_where_the_thread_ended() -> None:
    link = debate_link(13, utc(2026, 11, 20, 7, 52, 40))
    state = state_after(link, phpbb_pages()[2])

    assert state == ThreadState(
        13, utc(2026, 11, 20, 7, 52, 40), f"http://{PHPBB}/viewtopic-1905-start-10.html"
    )
    assert phpbb_pages()[2].page_url == state.last_page_url
    assert ThreadState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_unchanged_thread_is_not_fetched_again() -> None:
    state = ThreadState(
        13, utc(2026, 11, 20, 7, 52, 40), f"http://{PHPBB}/viewtopic-1905-start-10.html"
    )

    assert not thread_has_news(debate_link(13, utc(2026, 11, 20, 7, 52, 40)), state)
    assert resume_from(debate_link(13, utc(2026, 11, 20, 7, 52, 40)), state) is None


def test_thread_with_new_replies_is_read_again_from_its_previously_last_page() -> None:
    state = ThreadState(
        13, utc(2026, 11, 20, 7, 52, 40), f"http://{PHPBB}/viewtopic-1905-start-10.html"
    )

    assert (
        resume_from(debate_link(16, utc(2026, 11, 22, 9, 0)), state)
        == f"http://{PHPBB}/viewtopic-1905-start-10.html"
    )
    # Reply counts may be hidden; a newer last post is news too.
    no_count = ThreadLink(
        f"http://{PHPBB}/viewtopic-1905.html", "Débat", None, utc(2026, 11, 22, 9, 0), None
    )
    assert thread_has_news(no_count, state)


def test_state_after_a_page_without_board_link_counts_replies_from_positions() -> None:
    state = state_after(None, phpbb_pages()[2])

    assert state.replies == 13
    assert state.last_post_at == utc(2026, 11, 20, 7, 52, 40)


# -- robustness -----------------------------------------------------------------------


def test_empty_or_broken_input_gives_no_posts() -> None:
    assert parse_thread_page("", f"http://{PHPBB}/viewtopic-1.html").posts == ()
    assert (
        parse_thread_page(
            "<html><body><p>Sujet introuvable</p></body></html>", f"http://{PHPBB}/x.html"
        ).posts
        == ()
    )
    assert (
        parse_discourse_topic(
            b"<html>502 Bad Gateway</html>", f"http://{DISCOURSE}/t/x/1.json"
        ).posts
        == ()
    )
    assert parse_discourse_board(b"", f"http://{DISCOURSE}/latest.json").threads == ()
    assert parse_board("", f"http://{PHPBB}/viewforum-12.html").threads == ()


# -- the parsers alone walk each fixture forum over HTTP ------------------------------


def _fetch(web: LocalWeb, url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    with opener.open(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def _walk_forum(web: LocalWeb, start: str) -> dict[str, list[Post]]:
    """What a spider built on these functions reaches from ``start``: thread URL → posts."""
    boards, seen_boards = [start], set()
    threads: dict[str, list[Post]] = {}
    while boards:
        board_url = boards.pop(0)
        if board_url in seen_boards:
            continue
        seen_boards.add(board_url)
        board = parse_board(_fetch(web, board_url).decode("utf-8"), board_url, now=NOW)
        boards.extend(board.subforum_urls)
        boards.extend([board.next_page_url] if board.next_page_url else [])
        for link in board.threads:
            page_url: str | None = resume_from(link, None)
            while page_url:
                page = parse_thread_page(_fetch(web, page_url).decode("utf-8"), page_url, now=NOW)
                threads.setdefault(page.thread_url, []).extend(page.posts)
                page_url = page.next_page_url
    return threads


@pytest.mark.integration
@pytest.mark.parametrize(
    ("start", "counts"),
    [
        (
            f"http://{PHPBB}/index.html",
            {
                "viewtopic-1898.html": 1,
                "viewtopic-1905.html": 14,
                "viewtopic-1911.html": 3,
                "viewtopic-1850.html": 2,
            },
        ),
        (
            f"http://{VB}/forums/8-Politique-locale",
            {
                VB_THREAD: 10,
                "threads/5498-Elections-municipales-les-dates-des-reunions-publiques": 2,
            },
        ),
        (
            f"http://{XF}/forums/municipales-2026.7/",
            {
                XF_THREAD: 9,
                "threads/permanence-delodie-arnaud-samedi-au-marche.1197/": 2,
                "threads/sondage-qui-va-gagner-au-premier-tour.1188/": 1,
            },
        ),
        (
            f"http://{IPS}/forum/4-vie-municipale/",
            {IPS_THREAD: 5, "topic/322-ou-voter-changements-de-bureaux/": 2},
        ),
        (
            f"http://{HOMEMADE}/index.html",
            {
                HOMEMADE_THREAD: 5,
                "discussion/74-travaux-rue-nationale-jusqu-a-quand.html": 2,
                "discussion/69-le-marche-de-noel-sera-t-il-maintenu.html": 2,
            },
        ),
    ],
)
def test_boards_and_pages_lead_to_every_post_once(
    sites_web: LocalWeb, start: str, counts: dict[str, int]
) -> None:
    host = start.split("/")[2]
    threads = _walk_forum(sites_web, start)

    assert {url: len(posts) for url, posts in threads.items()} == {
        f"http://{host}/{path}": n for path, n in counts.items()
    }
    for posts in threads.values():
        assert [p.position for p in posts] == list(range(1, len(posts) + 1))
        assert len({p.post_id for p in posts}) == len(posts)
    assert all(r.status == 200 for r in sites_web.requested(host))


@pytest.mark.integration
def test_discourse_json_lists_lead_to_every_topic_post(sites_web: LocalWeb) -> None:
    board_url = discourse_board_json_url(f"http://{DISCOURSE}/")
    board = parse_discourse_board(_fetch(sites_web, board_url), board_url)
    posts: dict[str, int] = {}
    for link in board.threads:
        page_url: str | None = discourse_topic_json_url(link.url)
        while page_url:
            page = parse_discourse_topic(_fetch(sites_web, page_url), page_url)
            posts[page.thread_url] = posts.get(page.thread_url, 0) + len(page.posts)
            page_url = page.next_page_url

    assert posts == {
        f"http://{DISCOURSE}/t/bienvenue-sur-le-forum-citoyens-du-val-de-loire/38": 1,
        f"http://{DISCOURSE}/t/tramway-ou-bus/42": 7,
        f"http://{DISCOURSE}/t/permanence-delodie-arnaud-au-marche-samedi/57": 3,
    }
    for category in parse_discourse_board(
        _fetch(sites_web, f"http://{DISCOURSE}/categories.json"),
        f"http://{DISCOURSE}/categories.json",
    ).subforum_urls:
        assert (
            parse_discourse_board(
                _fetch(sites_web, discourse_board_json_url(category)), category
            ).engine
            == "discourse"
        )
