"""Specialised collectors end to end: forum posts one by one on every engine, blog posts
and their comments, video pages with their captions, and incremental passes that fetch
only what changed. Crawls run against the fixture sites of tests/sites/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.document import Document, document_id
from traceur.orchestra.passes import run_pass
from traceur.privacy.pseudonyms import pseudonyms_for
from traceur.store import open_store
from traceur.urls import canonical_url

from .test_crawl import write_watchlist

pytestmark = pytest.mark.integration
SITES = Path(__file__).parent / "sites"

FORUMS = {
    "phpbb": "http://forum.phpbb-val.example/viewforum-12.html",
    "vbulletin": "http://www.forum-vbulletin-centre.example/forums/8-Politique-locale",
    "xenforo": "http://forum.xenforo-loire.example/forums/municipales-2026.7/",
    "invision": "http://forum.invision-val.example/forum/4-vie-municipale/",
    "discourse": "http://discourse.citoyens-loire.example/latest.json",
    "maison": "http://www.parlons-en-val.example/index.html",
}


def all_documents(settings: Settings) -> list[Document]:
    store = open_store(settings)
    try:
        return list(store.iter_documents())
    finally:
        store.close()


def by_thread(docs: dict[str, Document]) -> dict[str, list[Document]]:
    threads: dict[str, list[Document]] = {}
    for doc in docs.values():
        threads.setdefault(doc.thread_url or "", []).append(doc)
    return {url: sorted(posts, key=lambda d: d.position or 0) for url, posts in threads.items()}


def test_every_post_of_every_forum_engine_is_a_document_with_its_author_date_id_and_position(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    sources = "".join(
        f"  - {{id: {name}, kind: forum, url: '{url}', "
        "every: 1h, limits: {max_pages: 60, max_depth: 2}}\n"
        for name, url in FORUMS.items()
    )
    settings = make_settings(sites_web)
    summary = run_pass(settings, write_watchlist(tmp_path, sources), quiet=True)
    docs = {doc.id: doc for doc in all_documents(settings)}

    for name in FORUMS:
        assert summary.sources[name].new >= 4, (name, summary.sources[name])
        posts = [d for d in docs.values() if d.source_id == name]
        assert all(
            d.kind == "forum_post" and d.author and d.published_at and d.post_id for d in posts
        ), name
        for thread_url, thread in by_thread({d.id: d for d in posts}).items():
            positions = [d.position for d in thread]
            assert len(set(positions)) == len(positions), (name, thread_url, positions)
            if (
                name != "discourse"
            ):  # Discourse numbers its moderator actions too; they are no posts
                assert positions == list(range(positions[0], positions[0] + len(thread))), (
                    name,
                    thread_url,
                    positions,
                )
            assert all(d.id == document_id(canonical_url(thread_url), d.post_id) for d in thread)
            assert len({d.title for d in thread}) == 1

    # The 3-page phpBB thread: 14 posts, positions 1 to 14, each URL the page plus its anchor.
    debate = [
        d
        for d in docs.values()
        if d.thread_url == "http://forum.phpbb-val.example/viewtopic-1905.html"
    ]
    assert sorted(d.position for d in debate) == list(range(1, 15))
    assert all(re.search(r"#p\d+$", d.url) and d.url.endswith(f"#p{d.post_id}") for d in debate)
    first = next(d for d in debate if d.position == 1)
    assert (
        # Stored pseudonymised (the default): the same member, hashed with this data's key.
        first.author == pseudonyms_for(settings).pseudonym("Gégé45")
        and first.published_at.isoformat() == "2026-11-17T21:14:08+00:00"
    )


def test_quoted_words_are_not_attributed_to_the_quoting_author(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    run_pass(
        settings,
        write_watchlist(
            tmp_path, f"  - {{id: phpbb, kind: forum, url: '{FORUMS['phpbb']}', every: 1h}}\n"
        ),
        quiet=True,
    )
    posts = all_documents(settings)
    quoting = [
        d
        for d in posts
        if "a écrit"
        in (SITES / "forum.phpbb-val.example")
        .joinpath(Path(d.url.split("#")[0]).name)
        .read_text(encoding="utf-8")
        .split(f'id="p{d.post_id}"', 1)[1]
        .split('class="divider"', 1)[0]
    ]
    assert quoting, "the fixture thread has quoting posts"
    for post in quoting:
        assert "a écrit" not in post.text
    # Chloé.M quotes Gégé45's message naming all three candidates, and names none herself.
    chloe = next(d for d in posts if d.post_id == "9219")
    assert "Claire Martin" not in chloe.text and "claire-martin" not in chloe.candidates


def test_blog_posts_and_their_comments_are_separate_linked_documents(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    sources = (
        "  - {id: wp, kind: blog, url: 'http://blog.wordpress-val.example/', "
        "every: 1h, follow: '/2026/', limits: {max_depth: 2}}\n"
        "  - {id: blogger, kind: blog, "
        "url: 'http://blog.blogger-val.example/2026/11/elodie-arnaud-au-pont-arnaud.html', "
        "every: 1h, limits: {max_depth: 1}}\n"
    )
    run_pass(settings, write_watchlist(tmp_path, sources), quiet=True)
    docs = all_documents(settings)
    posts = {d.id: d for d in docs if d.kind == "blog_post"}
    comments = [d for d in docs if d.kind == "comment"]
    assert {d.source_id for d in posts.values()} == {"wp", "blogger"}
    assert len(comments) >= 8
    comment_ids = {d.id for d in comments}
    for comment in comments:
        assert comment.author and comment.published_at and "#" in comment.url
        post_id = document_id(canonical_url(comment.thread_url or ""))
        assert post_id in posts, comment.url
        # A reply points at the comment it answers, a top-level comment at the post.
        assert comment.parent_id in comment_ids | {post_id}
        assert comment.text not in posts[post_id].text
    assert any(c.parent_id in comment_ids for c in comments), (
        "threaded replies are linked to their comment"
    )


def test_a_video_page_yields_its_metadata_and_the_text_of_its_captions(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    sources = (
        "  - {id: videos, kind: video, "
        "url: 'http://video.videos-val.example/watch/debat-tramway/', "
        "every: 1h, limits: {max_depth: 1}}\n"
    )
    run_pass(settings, write_watchlist(tmp_path, sources), quiet=True)
    videos = {d.url: d for d in all_documents(settings)}
    debate = videos["http://video.videos-val.example/watch/debat-tramway/"]
    assert debate.kind == "video"
    assert debate.video is not None
    assert (
        debate.video["duration"]
        and debate.video["views"]
        and debate.video["thumbnail"]
        and debate.video["channel"]
    )
    assert debate.video["captions"] and "-->" not in debate.video["captions"]
    assert debate.video["captions"] in debate.text
    # Named only in the speech: the description names nobody, the captions do.
    description = debate.text.split(debate.video["captions"])[0]
    assert not any(name in description for name in ("Claire Martin", "Lefort", "Arnaud"))
    assert debate.candidates, "the captions name a candidate"
    assert len(videos) >= 2  # the page links to other videos of the site


def test_forum_second_pass_asks_only_conditionally_and_third_fetches_only_the_new_reply_and_the_edited_article(  # noqa: E501 - the name is the spec
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    sources = (
        f"  - {{id: phpbb, kind: forum, url: '{FORUMS['phpbb']}', "
        "every: 1h, limits: {max_depth: 2}}\n"
        "  - id: actu\n    kind: site\n    url: 'http://www.actu-val.example/articles/'\n"
        "    every: 1h\n    match: '/articles/[^/]+[.]html$'\n    follow: '/articles/'\n"
        "    limits: {max_depth: 1}\n"
    )
    watchlist = write_watchlist(tmp_path, sources)
    first = run_pass(settings, watchlist, quiet=True)
    assert first.sources["phpbb"].new == 20

    sites_web.clear_log()
    second = run_pass(settings, watchlist, quiet=True)
    assert second.total("new") == 0 and second.total("updated") == 0
    assert all(r.status == 304 for r in sites_web.requested() if r.path != "/robots.txt"), [
        (r.path, r.status) for r in sites_web.requested()
    ]
    assert not [r for r in sites_web.requested("forum.phpbb-val.example") if "viewtopic" in r.path]

    # A reply lands on the thread's last page; the board shows one more answer; an article is
    # edited.
    topic = (SITES / "forum.phpbb-val.example" / "viewtopic-1905-start-10.html").read_text(
        encoding="utf-8"
    )
    block = topic[
        topic.index('<div id="p9270"') : topic.index(
            '<hr class="divider" />', topic.index('<div id="p9270"')
        )
    ]
    reply = (
        block.replace("9270", "9281")
        .replace("Lulu_V", "Nath_Rives")
        .replace("2026-11-20T07:52:40+00:00", "2026-11-21T18:02:00+00:00")
        .replace(
            block[
                block.index('<div class="content">') : block.index(
                    "</div>", block.index('<div class="content">')
                )
                + 6
            ],
            '<div class="content">Le deuxième débat aura lieu le 1er '
            "décembre. Élodie Arnaud a confirmé sa venue ce matin.</div>",
        )
    )
    topic = topic.replace(block, block + '<hr class="divider" />\n' + reply, 1).replace(
        "14 messages", "15 messages"
    )
    sites_web.set(
        "forum.phpbb-val.example",
        "/viewtopic-1905-start-10.html",
        Response(200, topic.encode(), {"Content-Type": "text/html; charset=utf-8"}),
    )
    board = (SITES / "forum.phpbb-val.example" / "viewforum-12.html").read_text(encoding="utf-8")
    board = (
        board.replace("13 <dfn>Réponses</dfn>", "14 <dfn>Réponses</dfn>")
        .replace("#p9270", "#p9281")
        .replace("2026-11-20T07:52:40+00:00", "2026-11-21T18:02:00+00:00")
    )
    sites_web.set(
        "forum.phpbb-val.example",
        "/viewforum-12.html",
        Response(200, board.encode(), {"Content-Type": "text/html; charset=utf-8"}),
    )
    article = (SITES / "www.actu-val.example" / "articles" / "marche-de-noel.html").read_text(
        encoding="utf-8"
    )
    sites_web.set(
        "www.actu-val.example",
        "/articles/marche-de-noel.html",
        Response(
            200,
            article.replace("Quarante-deux chalets", "Quarante-cinq chalets").encode(),
            {"Content-Type": "text/html; charset=utf-8"},
        ),
    )
    sites_web.clear_log()
    third = run_pass(settings, watchlist, quiet=True)

    fetched = sorted((r.host, r.path) for r in sites_web.requested() if r.status == 200)
    assert fetched == [
        ("forum.phpbb-val.example", "/viewforum-12.html"),
        ("forum.phpbb-val.example", "/viewtopic-1905-start-10.html"),
        ("www.actu-val.example", "/articles/marche-de-noel.html"),
    ]
    assert third.sources["phpbb"].new == 1 and third.sources["actu"].updated == 1
    store = open_store(settings)
    try:
        new_post = store.get(
            document_id(canonical_url("http://forum.phpbb-val.example/viewtopic-1905.html"), "9281")
        )
    finally:
        store.close()
    assert (
        new_post is not None
        and new_post.position == 15
        and new_post.author == pseudonyms_for(settings).pseudonym("Nath_Rives")
    )
    assert new_post.candidates == ["elodie-arnaud"]
