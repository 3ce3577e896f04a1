"""Forums read through their JSON APIs (NodeBB, Flarum; Discourse in test_forums.py):
recognised from their page shells or API addresses, boards and threads read from the
JSON, each post with its author, UTC date, id, position and human URL, quotes apart.

The fixture sites are tests/sites/agora.nodebb-touraine.example (NodeBB, Harmony theme)
and tests/sites/parlement.flarum-val.example (Flarum 1.8). LocalWeb serves files
whatever the query string, so JSON answers that need one (a second page, a list whose
path is also a folder) are set as overrides from tests/fixtures/forum_apis/."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.parse.forums import (
    ThreadLink,
    api_forum_of_page,
    api_forum_of_url,
    flarum_board_api_url,
    flarum_discussion_api_url,
    nodebb_board_api_url,
    nodebb_topic_api_url,
    parse_flarum_board,
    parse_flarum_discussion,
    parse_nodebb_board,
    parse_nodebb_topic,
)

from .test_collectors import all_documents
from .test_crawl import write_watchlist

SITES = Path(__file__).resolve().parent / "sites"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "forum_apis"
NODEBB = "agora.nodebb-touraine.example"
FLARUM = "parlement.flarum-val.example"
QUAI = "topic/12/piste-cyclable-du-quai-pour-ou-contre"
BUDGET = "d/31-budget-participatif-2027-vos-projets"
QUAI_PAGE_2 = f"/api/{QUAI}?page=2"


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def site_bytes(host: str, path: str) -> bytes:
    return (SITES / host / path).read_bytes()


def nodebb_page(page: int) -> Any:
    if page == 1:
        data = site_bytes(NODEBB, f"api/{QUAI}")
        return parse_nodebb_topic(data, f"http://{NODEBB}/api/{QUAI}")
    data = (FIXTURES / "nodebb-topic-12-page-2.json").read_bytes()
    return parse_nodebb_topic(data, f"http://{NODEBB}{QUAI_PAGE_2}")


def budget() -> Any:
    data = site_bytes(FLARUM, "api/discussions/31")
    return parse_flarum_discussion(data, f"http://{FLARUM}/api/discussions/31")


# -- recognising them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "engine"),
    [
        (NODEBB, "index.html", "nodebb"),
        (NODEBB, "category/5/municipales-2026/index.html", "nodebb"),
        (FLARUM, "index.html", "flarum"),
        ("discourse.citoyens-loire.example", "index.html", "discourse"),
    ],
)
def test_api_forums_are_recognised_by_their_page_shell(host: str, path: str, engine: str) -> None:
    page = (SITES / host / path).read_text(encoding="utf-8")
    url = f"http://{host}/{path.removesuffix('index.html')}"

    found = api_forum_of_page(page, url)

    assert found is not None and found.engine == engine


def test_a_forum_that_names_nodebb_or_flarum_in_a_post_is_still_read_as_html() -> None:
    host = "www.parlons-en-val.example"
    path = "discussion/77-la-piscine-municipale-va-t-elle-fermer.html"
    page = (SITES / host / path).read_text(encoding="utf-8")
    page = page.replace(
        "Bonne journée à tous :)", "On devrait passer sous NodeBB ou Flarum, non ? :)"
    )

    assert api_forum_of_page(page, f"http://{host}/{path}") is None


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        (f"http://{NODEBB}/api/categories", "nodebb"),
        (f"http://{NODEBB}/api/category/5/municipales-2026?page=2", "nodebb"),
        (f"http://{NODEBB}/api/recent", "nodebb"),
        (f"http://{FLARUM}/api/discussions", "flarum"),
        (f"http://{FLARUM}/api/discussions?page%5Boffset%5D=20", "flarum"),
        ("http://discourse.citoyens-loire.example/latest.json", "discourse"),
        (f"http://{NODEBB}/category/5/municipales-2026", None),
        (f"http://{FLARUM}/api/discussions/31", None),  # a thread, not a board
    ],
)
def test_board_api_addresses_name_their_engine(url: str, engine: str | None) -> None:
    found = api_forum_of_url(url)

    assert (found.engine if found else None) == engine


@pytest.mark.parametrize(
    ("convert", "url", "expected"),
    [
        (nodebb_board_api_url, "https://n.example/", "https://n.example/api/categories"),
        (
            nodebb_board_api_url,
            "https://n.example/category/5/municipales-2026/",
            "https://n.example/api/category/5/municipales-2026",
        ),
        (
            nodebb_board_api_url,
            "https://n.example/recent?page=2",
            "https://n.example/api/recent?page=2",
        ),
        (
            nodebb_topic_api_url,
            "https://n.example/topic/12/piste-cyclable/7",
            "https://n.example/api/topic/12/piste-cyclable",
        ),
        (flarum_board_api_url, "https://f.example/", "https://f.example/api/discussions"),
        (
            flarum_board_api_url,
            "https://f.example/t/municipales-2026",
            "https://f.example/api/discussions?filter[tag]=municipales-2026",
        ),
        (
            flarum_discussion_api_url,
            "https://f.example/d/31-budget-participatif/4",
            "https://f.example/api/discussions/31",
        ),
    ],
)
def test_pages_lead_to_their_api_addresses(
    convert: Callable[[str], str], url: str, expected: str
) -> None:
    assert convert(url) == expected


def test_later_pages_have_their_own_api_addresses() -> None:
    assert (
        nodebb_topic_api_url("https://n.example/api/topic/12/piste-cyclable", 3)
        == "https://n.example/api/topic/12/piste-cyclable?page=3"
    )
    assert flarum_discussion_api_url("https://f.example/d/31-budget", 2) == (
        "https://f.example/api/posts?filter[discussion]=31&sort=number&page[offset]=20"
    )


# -- NodeBB -------------------------------------------------------------------------


def test_nodebb_category_lists_topics_with_replies_last_post_and_subcategories() -> None:
    url = f"http://{NODEBB}/api/category/5/municipales-2026"
    board = parse_nodebb_board(site_bytes(NODEBB, "api/category/5/municipales-2026"), url)

    assert board.engine == "nodebb"
    assert board.threads == (
        ThreadLink(
            f"http://{NODEBB}/{QUAI}",
            "Piste cyclable du quai : pour ou contre ?",
            5,
            utc(2026, 11, 20, 12, 15, 3),
            None,
        ),
        ThreadLink(
            f"http://{NODEBB}/topic/15/permanence-de-claire-martin-au-marche-des-halles",
            "Permanence de Claire Martin au marché des Halles",
            1,
            utc(2026, 11, 19, 10, 41, 27),
            None,
        ),
    )
    assert board.subforum_urls == (f"http://{NODEBB}/category/8/vie-des-quartiers",)
    assert board.next_page_url is None


def test_nodebb_category_list_gives_its_categories_but_not_external_links() -> None:
    board = parse_nodebb_board(
        site_bytes(NODEBB, "api/categories"), f"http://{NODEBB}/api/categories"
    )

    assert board.threads == ()
    assert board.subforum_urls == (f"http://{NODEBB}/category/5/municipales-2026",)


def test_nodebb_category_pagination_gives_the_next_page() -> None:
    payload = json.loads(site_bytes(NODEBB, "api/category/5/municipales-2026"))
    payload["pagination"]["next"] = {"page": 2, "active": True}
    payload["pagination"]["pageCount"] = 2
    url = f"http://{NODEBB}/api/category/5/municipales-2026"

    board = parse_nodebb_board(json.dumps(payload).encode(), url)

    assert board.next_page_url == f"{url}?page=2"


def test_nodebb_topic_gives_each_post_with_author_utc_date_index_and_permalink() -> None:
    first, second = nodebb_page(1), nodebb_page(2)
    base = f"http://{NODEBB}/{QUAI}"

    assert (first.engine, first.title, first.thread_url) == (
        "nodebb",
        "Piste cyclable du quai : pour ou contre ?",
        base,
    )
    # Post 4 was deleted by a moderator: nobody's words any more.
    assert [
        (p.post_id, p.author, p.published_at, p.position, p.url) for p in first.posts + second.posts
    ] == [
        ("1201", "Mathilde_T", utc(2026, 11, 18, 18, 5, 41), 1, f"{base}/1"),
        ("1204", "velo_touraine", utc(2026, 11, 18, 18, 31, 9), 2, f"{base}/2"),
        ("1207", "Rodolphe", utc(2026, 11, 18, 19, 2, 55), 3, f"{base}/3"),
        ("1215", "Josiane37", utc(2026, 11, 19, 7, 48, 30), 5, f"{base}/5"),
        ("1219", "Mathilde_T", utc(2026, 11, 20, 12, 15, 3), 6, f"{base}/6"),
    ]


def test_nodebb_topic_pages_follow_its_pagination() -> None:
    first, second = nodebb_page(1), nodebb_page(2)
    api = f"http://{NODEBB}/api/{QUAI}"

    assert first.page_urls == second.page_urls == (api, f"{api}?page=2")
    assert (first.page_number, first.next_page_url, first.page_url) == (1, f"{api}?page=2", api)
    assert (second.page_number, second.next_page_url, second.page_count) == (2, None, 2)


def test_nodebb_quote_and_its_said_in_line_are_not_the_replying_authors_words() -> None:
    posts = {p.post_id: p for p in nodebb_page(1).posts + nodebb_page(2).posts}

    assert posts["1207"].quotes == ("On est quelques centaines à le faire à vélo chaque matin",)
    assert posts["1207"].text.startswith("Et on est plusieurs milliers")
    assert "a dit dans" not in posts["1207"].text and "velo_touraine" not in posts["1207"].text
    assert "Élodie Arnaud" in posts["1219"].text
    assert "offre de transport" not in posts["1219"].text
    assert posts["1204"].text.startswith("Pour, évidemment 🚲")  # the emoji image's alt


# -- Flarum -------------------------------------------------------------------------


def test_flarum_discussion_list_gives_threads_with_replies_and_last_post() -> None:
    board = parse_flarum_board(
        (FIXTURES / "flarum-discussions.json").read_bytes(), f"http://{FLARUM}/api/discussions"
    )

    assert board.engine == "flarum"
    assert board.threads == (
        ThreadLink(
            f"http://{FLARUM}/d/27-fermeture-du-bureau-de-poste-saint-roch",
            "Fermeture du bureau de poste Saint-Roch",
            2,
            utc(2026, 11, 20, 21, 4, 40),
            None,
        ),
        ThreadLink(
            f"http://{FLARUM}/{BUDGET}",
            "Budget participatif 2027 : vos projets",
            3,
            utc(2026, 11, 19, 19, 44, 12),
            None,
        ),
    )
    assert board.next_page_url is None


def test_flarum_discussion_list_follows_links_next() -> None:
    payload = json.loads((FIXTURES / "flarum-discussions.json").read_bytes())
    payload["links"]["next"] = f"http://{FLARUM}/api/discussions?page%5Boffset%5D=20"

    board = parse_flarum_board(json.dumps(payload).encode(), f"http://{FLARUM}/api/discussions")

    assert board.next_page_url == f"http://{FLARUM}/api/discussions?page%5Boffset%5D=20"


def test_flarum_posts_take_their_authors_from_the_included_users() -> None:
    page = budget()
    base = f"http://{FLARUM}/{BUDGET}"

    assert (page.engine, page.title, page.thread_url) == (
        "flarum",
        "Budget participatif 2027 : vos projets",
        base,
    )
    # Post 3 is the "discussion stickied" event, not a comment.
    assert [(p.post_id, p.author, p.published_at, p.position, p.url) for p in page.posts] == [
        ("410", "amelie_b", utc(2026, 11, 17, 17, 30, 5), 1, f"{base}/1"),
        ("415", "Thibault", utc(2026, 11, 17, 18, 2, 47), 2, f"{base}/2"),
        ("422", "chantal.v", utc(2026, 11, 18, 8, 15, 30), 4, f"{base}/4"),
        ("430", "Karim_SR", utc(2026, 11, 19, 19, 44, 12), 5, f"{base}/5"),
    ]
    assert (page.page_urls, page.next_page_url) == ((f"http://{FLARUM}/api/discussions/31",), None)


def test_flarum_quotes_lose_their_post_mention_and_stay_out_of_the_reply() -> None:
    posts = {p.post_id: p for p in budget().posts}
    office = parse_flarum_discussion(
        site_bytes(FLARUM, "api/discussions/27"), f"http://{FLARUM}/api/discussions/27"
    )

    assert posts["422"].quotes == (
        "Jean-Baptiste Lefort veut supprimer le budget participatif s'il est élu",
    )
    assert "Lefort" not in posts["422"].text
    assert posts["422"].text.startswith("Ce n'est pas ce qu'il a dit")
    assert office.posts[1].quotes == ("remplacé par un « point relais » au tabac",)
    assert office.posts[1].text.startswith("Sans distributeur de billets")


def _long_discussion(posts: int) -> dict[str, Any]:
    ids = [str(1000 + n) for n in range(1, posts + 1)]

    def post(n: int) -> dict[str, Any]:
        return {
            "type": "posts",
            "id": ids[n - 1],
            "attributes": {
                "number": n,
                "createdAt": "2026-11-20T10:00:00+00:00",
                "contentType": "comment",
                "contentHtml": f"<p>message {n}</p>",
            },
            "relationships": {
                "user": {"data": {"type": "users", "id": "3"}},
                "discussion": {"data": {"type": "discussions", "id": "40"}},
            },
        }

    return {
        "discussion": {
            "type": "discussions",
            "id": "40",
            "attributes": {"title": "Budget 2027", "slug": "budget-2027", "commentCount": posts},
            "relationships": {"posts": {"data": [{"type": "posts", "id": i} for i in ids]}},
        },
        "user": {"type": "users", "id": "3", "attributes": {"username": "amelie_b"}},
        "posts": [post(n) for n in range(1, posts + 1)],
    }


def test_a_long_flarum_discussion_continues_in_its_posts_list() -> None:
    parts = _long_discussion(23)
    first_doc = {
        "data": parts["discussion"],
        # The first page includes the twenty first posts (and may include others).
        "included": [*parts["posts"][:20], parts["posts"][22], parts["user"]],
    }
    second_url = flarum_discussion_api_url(f"http://{FLARUM}/d/40-budget-2027", 2)
    second_doc = {
        "links": {"first": second_url, "prev": second_url},
        "data": parts["posts"][20:],
        "included": [parts["user"], {**parts["discussion"], "relationships": {}}],
    }

    first = parse_flarum_discussion(
        json.dumps(first_doc).encode(), f"http://{FLARUM}/api/discussions/40"
    )
    second = parse_flarum_discussion(json.dumps(second_doc).encode(), second_url)

    assert [p.position for p in first.posts] == list(range(1, 21))
    assert (first.page_count, first.next_page_url) == (2, second_url)
    assert [p.position for p in second.posts] == [21, 22, 23]
    assert (second.page_number, second.next_page_url, second.thread_url) == (
        2,
        None,
        f"http://{FLARUM}/d/40-budget-2027",
    )
    assert {p.author for p in second.posts} == {"amelie_b"}


def test_api_answers_that_are_not_json_give_no_posts() -> None:
    html_error = b"<html><body>502 Bad Gateway</body></html>"

    assert parse_nodebb_topic(html_error, f"http://{NODEBB}/api/{QUAI}").posts == ()
    assert parse_nodebb_board(b"", f"http://{NODEBB}/api/categories").threads == ()
    assert parse_flarum_discussion(html_error, f"http://{FLARUM}/api/discussions/31").posts == ()
    assert parse_flarum_board(b"{}", f"http://{FLARUM}/api/discussions").threads == ()


# -- the forum spider over HTTP ----------------------------------------------------


def _json_override(web: LocalWeb, host: str, path: str, fixture: str, content_type: str) -> None:
    body = (FIXTURES / fixture).read_bytes()
    web.set(host, path, Response(200, body, {"Content-Type": content_type}))


def _serve_api_overrides(web: LocalWeb) -> None:
    _json_override(web, NODEBB, QUAI_PAGE_2, "nodebb-topic-12-page-2.json", "application/json")
    # /api/discussions is both a list and the folder of /api/discussions/31 on disk.
    _json_override(
        web, FLARUM, "/api/discussions", "flarum-discussions.json", "application/vnd.api+json"
    )


def _crawl(
    web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> tuple[Settings, Path]:
    sources = (
        f"  - {{id: agora, kind: forum, url: 'http://{NODEBB}/', "
        "every: 1h, limits: {max_pages: 40, max_depth: 3}}\n"
        f"  - {{id: parlement, kind: forum, url: 'http://{FLARUM}/', "
        "every: 1h, limits: {max_pages: 40, max_depth: 2}}\n"
    )
    return make_settings(web), write_watchlist(tmp_path, sources)


@pytest.mark.integration
def test_forum_spider_reads_nodebb_and_flarum_sites_through_their_apis(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    _serve_api_overrides(sites_web)
    settings, watchlist = _crawl(sites_web, make_settings, tmp_path)

    summary = run_pass(settings, watchlist, quiet=True)
    docs = all_documents(settings)

    assert summary.sources["agora"].new == 8 and summary.sources["parlement"].new == 7
    assert all(d.kind == "forum_post" and d.author and d.published_at for d in docs)
    by_thread: dict[str, list[tuple[int | None, str | None]]] = {}
    for doc in sorted(docs, key=lambda d: (d.thread_url or "", d.position or 0)):
        by_thread.setdefault(doc.thread_url or "", []).append((doc.position, doc.post_id))
    assert by_thread == {
        f"http://{NODEBB}/{QUAI}": [
            (1, "1201"),
            (2, "1204"),
            (3, "1207"),
            (5, "1215"),
            (6, "1219"),
        ],
        f"http://{NODEBB}/topic/15/permanence-de-claire-martin-au-marche-des-halles": [
            (1, "1230"),
            (2, "1233"),
        ],
        f"http://{NODEBB}/topic/19/eclairage-rue-des-tanneurs": [(1, "1240")],
        f"http://{FLARUM}/d/27-fermeture-du-bureau-de-poste-saint-roch": [
            (1, "380"),
            (2, "384"),
            (3, "391"),
        ],
        f"http://{FLARUM}/{BUDGET}": [(1, "410"), (2, "415"), (4, "422"), (5, "430")],
    }
    lefort_quoted = next(d for d in docs if d.post_id == "422")
    assert lefort_quoted.url == f"http://{FLARUM}/{BUDGET}/4"
    assert lefort_quoted.title == "Budget participatif 2027 : vos projets"
    assert "jean-baptiste-lefort" not in lefort_quoted.candidates
    assert next(d for d in docs if d.post_id == "1219").candidates == ["elodie-arnaud"]


@pytest.mark.integration
def test_second_pass_on_unchanged_api_forums_requests_no_thread(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    _serve_api_overrides(sites_web)
    settings, watchlist = _crawl(sites_web, make_settings, tmp_path)
    run_pass(settings, watchlist, quiet=True)
    sites_web.clear_log()

    second = run_pass(settings, watchlist, quiet=True)

    paths = sorted(r.path for host in (NODEBB, FLARUM) for r in sites_web.requested(host))
    assert second.total("new") == 0
    assert not [p for p in paths if "/topic/" in p or "/api/discussions/" in p], paths
    assert "/api/category/5/municipales-2026" in paths and "/api/discussions" in paths


def _nodebb_reply_on_page_two(web: LocalWeb) -> None:
    """A seventh post lands on the topic's second page; the category shows it."""
    page = json.loads((FIXTURES / "nodebb-topic-12-page-2.json").read_bytes())
    reply = json.loads(json.dumps(page["posts"][-1]))
    reply.update(
        pid=1226,
        index=6,
        timestamp=1795253400000,
        timestampISO="2026-11-21T09:30:00.000Z",
        content="<p>Réunion publique sur le quai jeudi, Claire Martin y sera.</p>",
    )
    page["posts"].append(reply)
    category = json.loads(site_bytes(NODEBB, "api/category/5/municipales-2026"))
    topic = category["topics"][0]
    topic.update(postcount=7, lastposttime=1795253400000, lastposttimeISO=reply["timestampISO"])
    as_json = {"Content-Type": "application/json; charset=utf-8"}
    web.set(NODEBB, QUAI_PAGE_2, Response(200, json.dumps(page).encode(), as_json))
    web.set(
        NODEBB,
        "/api/category/5/municipales-2026",
        Response(200, json.dumps(category).encode(), as_json),
    )


@pytest.mark.integration
def test_a_new_nodebb_reply_is_read_from_the_topics_last_api_page_only(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    _serve_api_overrides(sites_web)
    settings, watchlist = _crawl(sites_web, make_settings, tmp_path)
    run_pass(settings, watchlist, quiet=True)
    _nodebb_reply_on_page_two(sites_web)
    sites_web.clear_log()

    third = run_pass(settings, watchlist, quiet=True)

    topics = [r.path for r in sites_web.requested(NODEBB) if "/topic/" in r.path]
    assert topics == [QUAI_PAGE_2]
    assert third.sources["agora"].new == 1
    new_post = next(d for d in all_documents(settings) if d.post_id == "1226")
    assert (new_post.position, new_post.url) == (7, f"http://{NODEBB}/{QUAI}/7")
    assert new_post.candidates == ["claire-martin"]
