"""The repeated-block fallback on forum engines it has no rules for: Vanilla Forums 2,
a Forumactif board in the AwesomeBB theme, WoltLab Burning Board 5, Phorum 5, bbPress 2 in
a WordPress theme (tests/forget_kit.py collects it too) and Kunena 6 in Joomla. Each
fixture is written the way its engine renders, in French (sites in tests/sites/<host>/;
Phorum's query-string addresses, which the test server cannot tell apart, as files in
tests/fixtures/forums_generic/); nothing in traceur knows their class names. Posts must
come out with author, UTC date, id, position, thread title and URL, quotes apart, and
none of the software's words
(signatures, buttons, like counters, edit notes, profile boxes) in the text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.parse.forums import ThreadPage, detect_engine, parse_board, parse_thread_page

from .test_collectors import all_documents
from .test_crawl import write_watchlist

SITES = Path(__file__).resolve().parent / "sites"
PHORUM_FILES = Path(__file__).resolve().parent / "fixtures" / "forums_generic"
# The fixtures' "Aujourd'hui à 09:05" is relative to this moment (a Saturday).
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))

VANILLA = "forum.riverains-vienne.example"
VANILLA_THREAD = "discussion/342/la-passerelle-de-l-ile-sera-t-elle-reconstruite-avant-l-ete"
VANILLA_BOARD = "categories/vie-municipale"
FORUMACTIF = "amicale-lochoise.forumactif.example"
FORUMACTIF_THREAD = "t812-la-fete-de-la-musique-place-du-marche"
FORUMACTIF_BOARD = "f3-vie-de-la-commune"
WBB = "forum.commercants-vierzon.example"
WBB_THREAD = "thread/1205-stationnement-payant-en-centre-ville-ce-que-proposent-les-candidats/"
WBB_BOARD = "board/4-vie-locale/"
PHORUM = "forum.cyclo-blois.example"
PHORUM_THREAD = "read.php?3,1205"
# bbPress splits each post in two sibling blocks: date and permalink, then author and text.
BBPRESS = "forum.quais-du-cher.example"
BBPRESS_THREAD = "forums/topic/la-passerelle-des-tanneurs-fermee-tout-lhiver/"
BBPRESS_BOARD = "forums/forum/vie-du-quartier/"
# Kunena prints a rounded age ("il y a 1 jour 15 heures") with the exact time as tooltip.
KUNENA = "forum.vivre-a-cusset.example"
KUNENA_THREAD = "forum/vie-locale/2233-fermeture-de-la-piscine-marx-dormoy"
KUNENA_BOARD = "forum/vie-locale"
PHORUM_PAGES = {
    PHORUM_THREAD: "phorum-read-1205.html",
    "read.php?3,1205,page=2": "phorum-read-1205-page-2.html",
    "list.php?3": "phorum-list-3.html",
}


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def page_html(host: str, path: str) -> str:
    if host == PHORUM:
        return (PHORUM_FILES / PHORUM_PAGES[path]).read_text(encoding="utf-8")
    target = SITES / host / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.read_text(encoding="utf-8")


def thread(host: str, path: str, per_page: int | None = None) -> ThreadPage:
    return parse_thread_page(
        page_html(host, path), f"http://{host}/{path}", now=NOW, per_page=per_page
    )


# -- none of them is an engine with rules ------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path"),
    [
        (VANILLA, VANILLA_THREAD),
        (VANILLA, VANILLA_BOARD),
        (FORUMACTIF, FORUMACTIF_THREAD),
        (FORUMACTIF, FORUMACTIF_BOARD),
        (WBB, WBB_THREAD),
        (WBB, WBB_BOARD),
        (PHORUM, PHORUM_THREAD),
        (PHORUM, "list.php?3"),
        (BBPRESS, BBPRESS_THREAD),
        (BBPRESS, BBPRESS_BOARD),
        (KUNENA, KUNENA_THREAD),
        (KUNENA, KUNENA_BOARD),
    ],
)
def test_engines_without_rules_are_detected_as_generic(host: str, path: str) -> None:
    assert detect_engine(page_html(host, path), f"http://{host}/{path}") == "generic"


# -- posts: author, UTC date, id, position, URL ------------------------------------------

EXPECTED_POSTS = {
    # Vanilla wraps the opening post and the comments differently; the opening post has
    # no id of its own (its permalink is the discussion), so its id is its position.
    VANILLA: (
        VANILLA_THREAD,
        "La passerelle de l'île sera-t-elle reconstruite avant l'été ?",
        [
            ("1", "Hélène_Chinon", utc(2026, 11, 16, 18, 12, 40), 1, ""),
            ("4410", "Pierrot", utc(2026, 11, 16, 19, 3, 5), 2, "#Comment_4410"),
            ("4415", "Maryse.D", utc(2026, 11, 17, 7, 41, 52), 3, "#Comment_4415"),
            ("4421", "Gaston_Vienne", utc(2026, 11, 18, 16, 20), 4, "#Comment_4421"),
            ("4430", "Hélène_Chinon", utc(2026, 11, 20, 8, 1, 13), 5, "#Comment_4430"),
        ],
    ),
    # Forumactif prints Paris time: "Ven 20 Nov 2026 - 18:30", "Aujourd'hui à 09:05".
    FORUMACTIF: (
        FORUMACTIF_THREAD,
        "La fête de la musique place du Marché : on la garde ?",
        [
            ("4512", "Bichette41", utc(2026, 11, 20, 17, 30), 1, "#p4512"),
            ("4518", "Dédé_des_Cordeliers", utc(2026, 11, 20, 18, 47), 2, "#p4518"),
            ("4525", "Bichette41", utc(2026, 11, 21, 7, 12), 3, "#p4525"),
            ("4531", "Jeannot37", utc(2026, 11, 21, 8, 5), 4, "#p4531"),
        ],
    ),
    # Burning Board: <time datetime> with the Paris offset, "#2" shown beside the date.
    WBB: (
        WBB_THREAD,
        "Stationnement payant en centre-ville : ce que proposent les candidats",
        [
            ("8810", "Boulangerie_Moreau", utc(2026, 11, 17, 19, 4), 1, "#post8810"),
            ("8814", "Fleurs_et_Cie", utc(2026, 11, 17, 20, 30), 2, "#post8814"),
            ("8821", "Boulangerie_Moreau", utc(2026, 11, 18, 6, 15), 3, "#post8821"),
            ("8830", "Le Comptoir Vierzonnais", utc(2026, 11, 19, 11, 52), 4, "#post8830"),
        ],
    ),
    # Phorum: printed "15/11/2026 18:02", an <a name="msg-…"> just before each message.
    PHORUM: (
        PHORUM_THREAD,
        "Piste cyclable levée de la Loire : le point avant les municipales",
        [
            ("1205", "Gérard B.", utc(2026, 11, 15, 17, 2), 1, "#msg-1205"),
            ("1207", "Lulu_Cyclo", utc(2026, 11, 15, 18, 40), 2, "#msg-1207"),
            ("1210", "Patrice41", utc(2026, 11, 16, 7, 5), 3, "#msg-1210"),
            ("1214", "Gérard B.", utc(2026, 11, 16, 11, 30), 4, "#msg-1214"),
            ("1219", "Anne-So", utc(2026, 11, 17, 20, 14), 5, "#msg-1219"),
        ],
    ),
    # bbPress prints Paris time the WordPress way ("20 novembre 2026 à 9 h 14 min") in a
    # header block beside the message's; the opening post's id is the topic's.
    BBPRESS: (
        BBPRESS_THREAD,
        "La passerelle des Tanneurs fermée tout l\u2019hiver ?",
        [
            ("441", "Bastien.Roux", utc(2026, 11, 20, 8, 14), 1, "#post-441"),
            ("6104", "Gaëlle_Kerbrat", utc(2026, 11, 20, 10, 2), 2, "#post-6104"),
            ("6110", "Gaëlle_Kerbrat", utc(2026, 11, 20, 13, 45), 3, "#post-6110"),
            ("6117", "Mamie Odette", utc(2026, 11, 21, 7, 20), 4, "#post-6117"),
        ],
    ),
    # The tooltip's "19 nov. 2026 18:12" (Paris), not the age printed beside it.
    KUNENA: (
        KUNENA_THREAD,
        "Fermeture de la piscine Marx-Dormoy : qui propose quoi ?",
        [
            ("29114", "Bernadette C.", utc(2026, 11, 19, 17, 12), 1, "#29114"),
            ("29120", "Nageur03", utc(2026, 11, 19, 19, 47), 2, "#29120"),
            ("29131", "Bernadette C.", utc(2026, 11, 20, 8, 3), 3, "#29131"),
        ],
    ),
}


@pytest.mark.parametrize("host", list(EXPECTED_POSTS))
def test_unknown_engine_thread_gives_each_post_with_author_utc_date_id_position_and_url(
    host: str,
) -> None:
    path, title, expected = EXPECTED_POSTS[host]
    url = f"http://{host}/{path}"

    page = thread(host, path)

    assert (page.engine, page.title, page.thread_url, page.page_number) == (
        "generic",
        title,
        url,
        1,
    )
    assert [(p.post_id, p.author, p.published_at, p.position, p.url) for p in page.posts] == [
        (ident, author, date, position, url + anchor)
        for ident, author, date, position, anchor in expected
    ]


@pytest.mark.parametrize(
    ("host", "first", "second"),
    [
        (VANILLA, VANILLA_THREAD, VANILLA_THREAD + "/p2"),
        (PHORUM, PHORUM_THREAD, "read.php?3,1205,page=2"),
    ],
)
def test_unknown_engine_thread_pages_chain_and_continue_the_positions(
    host: str, first: str, second: str
) -> None:
    one = thread(host, first)
    # Neither page says which post it starts at: the spider passes the size of page 1.
    two = thread(host, second, per_page=len(one.posts))

    assert one.next_page_url == f"http://{host}/{second}"
    assert two.next_page_url is None
    assert one.page_urls == two.page_urls == (f"http://{host}/{first}", f"http://{host}/{second}")
    assert (one.thread_url, two.thread_url) == (f"http://{host}/{first}",) * 2
    assert (two.page_number, two.page_count) == (2, 2)
    assert [p.position for p in two.posts] == [6, 7]
    assert all(p.url.startswith(f"http://{host}/{second}#") for p in two.posts)


# -- quotes and boilerplate ------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "post_id", "quote", "own_start"),
    [
        (
            VANILLA,
            "4430",
            "Claire Martin a promis à la réunion du 12 qu'elle ferait voter une procédure "
            "d'urgence si elle est élue.",
            "Jean-Baptiste Lefort, lui, propose",
        ),
        (
            FORUMACTIF,
            "4525",
            "Par contre il faut reconnaître que l'an dernier il y avait 3000 personnes "
            "sur la place, c'était limite.",
            "Justement, on pourrait fermer la rue Picois",
        ),
        (
            WBB,
            "8814",
            "Jean-Baptiste Lefort : gratuit le samedi, zone bleue le reste de la semaine ;",
            "La zone bleue sans contrôle",
        ),
        (
            KUNENA,
            "29120",
            "Je n'ai trouvé que le tract de Gilles Royer qui promet une rénovation complète.",
            "Sophie Lannoy en a parlé au marché samedi",
        ),
        # Phorum heads a quote with "Citation" and the author on the next line.
        (
            PHORUM,
            "1210",
            "elle m'a dit que le tronçon serait financé dès 2027 si elle est élue.",
            "Ça fait trois mandats",
        ),
    ],
)
def test_unknown_engine_quote_is_kept_apart_without_its_attribution(
    host: str, post_id: str, quote: str, own_start: str
) -> None:
    path = EXPECTED_POSTS[host][0]
    post = next(p for p in thread(host, path).posts if p.post_id == post_id)

    assert post.quotes == (quote,)
    assert post.text.startswith(own_start)
    assert quote not in post.text
    assert not any(word in post.text for word in ("a dit", "a écrit", "Citation"))
    assert not any(word in post.quotes[0] for word in ("Citation", "a écrit"))


# Software words each fixture shows around (or inside) its posts.
BOILERPLATE = {
    VANILLA: ("Signaler", "Citer", "J'aime", "Répondre", "Options", "Membre du bureau",
              "pêcheur du dimanche", "modérateur bénévole", "Suivre", "Connectez-vous"),
    FORUMACTIF: ("Citer", "Modifier", "Signaler", "J'aime", "Revenir en haut", "Messages :",
                 "Date d'inscription", "Pilier du forum", "bénévole au comité",
                 "Dernière édition", "édité 1 fois"),
    WBB: ("Signaler", "Citer", "Réagir", "Partager", "Commerçant vérifié", "Messages",
          "ouvert 7j/7", "Modifié une fois", "#2"),
    # Phorum's buttons and like counter are inside the message element itself.
    PHORUM: ("Répondre", "Citer", "Signaler", "J'aime", "(6)", "Inscription", "Messages :"),
    BBPRESS: ("Participant", "Modérateur", "#6104", "Voir le profil", "Auteur", "Messages",
              "Vous devez être connecté", "Sujets récents"),
    KUNENA: ("Signaler", "Citer", "Hors ligne", "En ligne", "Membre actif", "Messages :",
             "Dernière édition", "#29120", "Kunena"),
}  # fmt: skip


@pytest.mark.parametrize("host", list(BOILERPLATE))
def test_unknown_engine_post_text_carries_no_signature_button_counter_or_profile(
    host: str,
) -> None:
    posts = thread(host, EXPECTED_POSTS[host][0]).posts

    for post in posts:
        assert post.text, post.post_id
        for word in BOILERPLATE[host]:
            assert word not in post.text, (post.post_id, word)


def test_an_edit_note_inside_the_message_is_not_the_authors_words() -> None:
    edited = next(p for p in thread(FORUMACTIF, FORUMACTIF_THREAD).posts if p.post_id == "4525")

    assert edited.text.endswith("Élodie Arnaud l'avait proposé en réunion publique.")


def test_the_opening_post_keeps_its_list_lines() -> None:
    opening = thread(WBB, WBB_THREAD).posts[0]

    assert "Claire Martin : première heure gratuite partout, payant ensuite ;\n" in opening.text


# -- a thread of one post ------------------------------------------------------------

# Where each fixture's replies are, to make a thread of its opening post alone.
REPLIES = {
    VANILLA: "//li[@id]",
    FORUMACTIF: "//div[starts-with(@id, 'p')][position() > 1]",
    WBB: "//li[starts-with(@id, 'post')][position() > 1]",
    PHORUM: "//div[@class='message'][position() > 1]",
    BBPRESS: "//li[@class='bbp-body']/div[position() > 2]",
    KUNENA: "//div[@class='row message message-published'][position() > 1]",
}


@pytest.mark.parametrize("host", list(REPLIES))
def test_a_thread_of_one_post_gives_that_post(host: str) -> None:
    path, _, expected = EXPECTED_POSTS[host]
    root = lxml.html.document_fromstring(page_html(host, path))
    for reply in root.xpath(REPLIES[host]):
        reply.drop_tree()

    page = parse_thread_page(
        lxml.html.tostring(root, encoding="unicode"), f"http://{host}/{path}", now=NOW
    )

    ident, author, date, position, _ = expected[0]
    assert [(p.post_id, p.author, p.published_at, p.position) for p in page.posts] == [
        (ident, author, date, position)
    ]
    assert page.posts[0].text and not page.posts[0].quotes


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("forum.phpbb-val.example", "viewtopic-1898.html"),
        ("forum.xenforo-loire.example", "threads/sondage-qui-va-gagner-au-premier-tour.1188/"),
    ],
)
def test_fallback_reads_one_post_threads_of_known_engines_as_their_markup_does(
    host: str, path: str
) -> None:
    url = f"http://{host}/{path}"
    known = parse_thread_page(page_html(host, path), url, now=NOW)
    generic = parse_thread_page(page_html(host, path), url, now=NOW, engine="generic")

    assert len(known.posts) == 1
    assert [(p.post_id, p.author, p.published_at, p.text) for p in generic.posts] == [
        (p.post_id, p.author, p.published_at, p.text) for p in known.posts
    ]


@pytest.mark.parametrize(
    ("host", "path"),
    [
        (VANILLA, VANILLA_BOARD),
        (FORUMACTIF, FORUMACTIF_BOARD),
        (WBB, WBB_BOARD),
        (PHORUM, "list.php?3"),
        # A forum index with one forum: its description, last poster and date.
        ("forum.phpbb-val.example", "index.html"),
        # A board page listing one thread.
        ("forum.xenforo-loire.example", "forums/municipales-2026.7/page-2/"),
        ("forum.phpbb-val.example", "viewforum-12-start-3.html"),
    ],
)
def test_lists_read_as_threads_give_no_post(host: str, path: str) -> None:
    page = parse_thread_page(
        page_html(host, path), f"http://{host}/{path}", now=NOW, engine="generic"
    )

    assert page.posts == ()


# -- boards --------------------------------------------------------------------------

EXPECTED_BOARDS = {
    VANILLA: (
        VANILLA_BOARD,
        [
            (VANILLA_THREAD, 6, utc(2026, 11, 21, 7, 58, 30)),
            ("discussion/338/marche-de-nuit-le-retour", 1, utc(2026, 11, 11, 9, 15, 27)),
        ],
    ),
    # The row shows when the topic started and, later, "Aujourd'hui à 09:05": the last post.
    FORUMACTIF: (
        FORUMACTIF_BOARD,
        [
            (FORUMACTIF_THREAD, 3, utc(2026, 11, 21, 8, 5)),
            ("t806-le-bureau-de-poste-ferme-le-samedi", 7, utc(2026, 11, 19, 20, 40)),
            ("t779-nouveaux-horaires-de-la-dechetterie", 1, utc(2026, 11, 4, 7, 33)),
        ],
    ),
    # "Réponses" printed before its number, beside a time ("20:04"): the count is 3.
    WBB: (
        WBB_BOARD,
        [
            (WBB_THREAD, 3, utc(2026, 11, 19, 11, 52)),
            ("thread/1180-marche-de-noel-2026-inscriptions/", 12, utc(2026, 11, 18, 17, 27)),
        ],
    ),
    # Unclassed table rows; the "Messages" column counts the opening post too.
    PHORUM: (
        "list.php?3",
        [
            (PHORUM_THREAD, 6, utc(2026, 11, 20, 16, 5)),
            ("read.php?3,1188", 2, utc(2026, 11, 12, 8, 20)),
            ("read.php?3,1160", 10, utc(2026, 11, 5, 21, 47)),
        ],
    ),
    # A bare reply count, and the last post as a rounded age: "il y a 1 semaine et 3 jours".
    BBPRESS: (
        BBPRESS_BOARD,
        [
            ("forums/topic/repas-de-quartier-du-12-decembre/", None, utc(2026, 11, 11, 9, 0)),
            (BBPRESS_THREAD, None, utc(2026, 11, 9, 9, 0)),
        ],
    ),
    # A row is two cells linking the thread (title, last post): one thread, not two; the
    # last post's tooltip, not its age; "Nageur03 Réponses : 1" is 1 reply, not 3.
    KUNENA: (
        KUNENA_BOARD,
        [
            (KUNENA_THREAD, 2, utc(2026, 11, 20, 8, 3)),
            ("forum/vie-locale/2229-stationnement-rue-de-la-constitution", 1,
             utc(2026, 11, 18, 16, 40)),
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("host", list(EXPECTED_BOARDS))
def test_unknown_engine_board_gives_thread_links_with_replies_and_last_post(host: str) -> None:
    path, expected = EXPECTED_BOARDS[host]

    board = parse_board(page_html(host, path), f"http://{host}/{path}", now=NOW)

    assert board.engine == "generic"
    assert [(t.url, t.replies, t.last_post_at) for t in board.threads] == [
        (f"http://{host}/{thread_path}", replies, last) for thread_path, replies, last in expected
    ]
    assert all(t.title and "Suivre" not in t.title for t in board.threads)


def test_board_rows_are_the_threads_not_the_category_menu_or_the_profiles() -> None:
    board = parse_board(
        page_html(VANILLA, VANILLA_BOARD), f"http://{VANILLA}/{VANILLA_BOARD}", now=NOW
    )

    assert [t.title for t in board.threads] == [
        "La passerelle de l'île sera-t-elle reconstruite avant l'été ?",
        "Marché de nuit : le retour ?",
    ]


# -- end to end: the forum spider on a Vanilla site -----------------------------------

VANILLA_URL = f"http://{VANILLA}/{VANILLA_THREAD}"
MARKET_URL = f"http://{VANILLA}/discussion/338/marche-de-nuit-le-retour"


def _new_reply_on_the_last_page(web: LocalWeb) -> None:
    """A seventh comment lands on page 2; the board shows it."""
    last = (SITES / VANILLA / VANILLA_THREAD / "p2").read_text(encoding="utf-8")
    # The last comment of the page: up to the end of the comment list.
    start = last.index('<li class="Item ItemComment Role_Member" id="Comment_4441">')
    block = last[start : last.index("</ul>", last.index("</span></div>", start))]
    reply = (
        block.replace("4441", "4450")
        .replace("Item_7", "Item_8")
        .replace("Josette_%C3%8Ele", "Maryse.D")
        .replace("Josette_Île", "Maryse.D")
        .replace("2026-11-21T07:58:30+00:00", "2026-11-21T09:12:00+00:00")
        .replace(block[block.index('<div class="Message userContent">') :].split("</div>")[0],
                 '<div class="Message userContent"><p>Élodie Arnaud sera au marché '
                 "de l'île samedi, je lui poserai la question.</p>")
    )  # fmt: skip
    page = last.replace(block, block + "\n" + reply)
    board = (SITES / VANILLA / VANILLA_BOARD / "index.html").read_text(encoding="utf-8")
    board = board.replace(
        '<span title="6 commentaires" class="Number">6</span>',
        '<span title="7 commentaires" class="Number">7</span>',
    ).replace("2026-11-21T07:58:30+00:00", "2026-11-21T09:12:00+00:00")
    html = {"Content-Type": "text/html; charset=utf-8"}
    web.set(VANILLA, f"/{VANILLA_THREAD}/p2", Response(200, page.encode(), html))
    web.set(VANILLA, f"/{VANILLA_BOARD}", Response(200, board.encode(), html))


@pytest.mark.integration
def test_forum_spider_collects_a_vanilla_forum_page_by_page_and_then_only_what_changed(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Members' names as the pages give them (tests/test_pseudonyms.py pins their hashing).
    settings = make_settings(sites_web, pseudonymize_authors=False)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: riverains, kind: forum, url: 'http://{VANILLA}/{VANILLA_BOARD}', "
        "every: 1h, limits: {max_pages: 20, max_depth: 1}}\n",
    )

    first = run_pass(settings, watchlist, quiet=True)
    docs = all_documents(settings)
    sites_web.clear_log()
    second = run_pass(settings, watchlist, quiet=True)
    unchanged = [r.path for r in sites_web.requested(VANILLA) if "/discussion/" in r.path]
    _new_reply_on_the_last_page(sites_web)
    sites_web.clear_log()
    third = run_pass(settings, watchlist, quiet=True)

    assert first.sources["riverains"].new == 9
    assert sorted((d.thread_url, d.position, d.post_id, d.author) for d in docs) == [
        (MARKET_URL, 1, "1", "Pierrot"),
        (MARKET_URL, 2, "4388", "Maryse.D"),
        (VANILLA_URL, 1, "1", "Hélène_Chinon"),
        (VANILLA_URL, 2, "4410", "Pierrot"),
        (VANILLA_URL, 3, "4415", "Maryse.D"),
        (VANILLA_URL, 4, "4421", "Gaston_Vienne"),
        (VANILLA_URL, 5, "4430", "Hélène_Chinon"),
        (VANILLA_URL, 6, "4436", "Pierrot"),
        (VANILLA_URL, 7, "4441", "Josette_Île"),
    ]
    assert all(d.kind == "forum_post" and d.published_at for d in docs)
    quoting = next(d for d in docs if d.post_id == "4430")
    assert quoting.candidates == ["jean-baptiste-lefort"]  # Claire Martin is only quoted
    assert second.total("new") == 0 and unchanged == []
    # The third pass reads the thread from its last page only, and still knows where
    # the new reply stands: the page size was remembered from the first pass.
    assert sorted(r.path for r in sites_web.requested(VANILLA) if r.status == 200) == [
        f"/{VANILLA_BOARD}",
        f"/{VANILLA_THREAD}/p2",
    ]
    assert third.sources["riverains"].new == 1
    new_post = next(d for d in all_documents(settings) if d.post_id == "4450")
    assert (new_post.position, new_post.author, new_post.thread_url) == (8, "Maryse.D", VANILLA_URL)
    assert new_post.candidates == ["elodie-arnaud"]


@pytest.mark.integration
def test_forum_spider_collects_a_kunena_board_it_has_no_rules_for(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web, pseudonymize_authors=False)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: cusset, kind: forum, url: 'http://{KUNENA}/{KUNENA_BOARD}', "
        "every: 1h, limits: {max_pages: 10, max_depth: 1}}\n",
    )

    summary = run_pass(settings, watchlist, quiet=True)

    assert summary.errors() == {}
    posts = sorted(all_documents(settings), key=lambda d: (d.thread_url or "", d.position or 0))
    assert [(d.kind, d.post_id, d.author, d.published_at) for d in posts] == [
        ("forum_post", "29070", "Nageur03", utc(2026, 11, 18, 8, 15)),
        ("forum_post", "29088", "Bernadette C.", utc(2026, 11, 18, 16, 40)),
        ("forum_post", "29114", "Bernadette C.", utc(2026, 11, 19, 17, 12)),
        ("forum_post", "29120", "Nageur03", utc(2026, 11, 19, 19, 47)),
        ("forum_post", "29131", "Bernadette C.", utc(2026, 11, 20, 8, 3)),
    ]
    assert posts[3].text.startswith("Sophie Lannoy") and "Gilles Royer" not in posts[3].text
    assert {d.thread_url for d in posts} == {
        f"http://{KUNENA}/{KUNENA_THREAD}",
        f"http://{KUNENA}/forum/vie-locale/2229-stationnement-rue-de-la-constitution",
    }
