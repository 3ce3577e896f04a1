"""What one fetched page would give a crawl, without storing anything: its type, its
forum engine, the documents read from it with their dates, and what they mention.

``traceur try URL`` prints it, so an operator sees what a source will give before
adding it to a watchlist. The page goes through the same parsers and the same document
building and tagging as in a crawl. No source kind is given, so the parser is chosen
from the page itself: a forum engine's markup or API, a video, else an article with its
reader comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from traceur.config import Settings
from traceur.document import Document
from traceur.enrich.documents import (
    comment_document,
    forum_post_document,
    make_document,
    video_document,
)
from traceur.enrich.tagging import Tagger
from traceur.orchestra.fetch import Fetched
from traceur.parse.articles import FetchedPage, NotADocument, extract
from traceur.parse.charset import decode_html, looks_binary
from traceur.parse.comments import parse_article_comments
from traceur.parse.forums import (
    ThreadPage,
    api_forum_of_page,
    detect_engine,
    parse_board,
    parse_thread_page,
)
from traceur.parse.pagetype import classify_page
from traceur.parse.video import parse_video_page
from traceur.watchlist.model import Watchlist

SOURCE_ID = "try"
DATE_SOURCES = {
    "structured": "the page's metadata",
    "feed": "the feed entry",
    "byline": "the printed byline",
    "heuristic": "a guess the page's address or text backs",
}


@dataclass
class PagePreview:
    url: str
    status: int | None
    page_type: str
    reason: str
    engine: str | None = None
    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def preview_page(
    fetched: Fetched, watchlist: Watchlist, settings: Settings, now: datetime | None = None
) -> PagePreview:
    """Read ``fetched`` as a crawl would and tag what it gives with ``watchlist``."""
    now = now or datetime.now(UTC)
    url = fetched.final_url or fetched.url
    if fetched.error is not None:
        return PagePreview(url, None, "not fetched", f"{fetched.error}: {fetched.message}")
    if fetched.status != 200:
        answer = f"the server answered {fetched.status}"
        return PagePreview(url, fetched.status, "error page", answer)
    if looks_binary(fetched.body):
        return PagePreview(url, 200, "not a page", f"not text (served as {fetched.content_type})")
    html, _ = decode_html(fetched.body, fetched.charset)
    article = _article(html, url, now, settings.min_text_chars)
    preview = _forum(html, url, now, article) or _video(html, url, now) or article
    preview.status = 200
    tagger = Tagger(watchlist, settings.snippet_chars, settings.max_snippets)
    for document in preview.documents:
        tagger.apply(document)
    return preview


def _forum(html: str, url: str, now: datetime, article: PagePreview) -> PagePreview | None:
    api = api_forum_of_page(html, url)
    if api is not None:
        return PagePreview(
            url,
            200,
            "forum",
            f"a {api.engine} forum: give its home, category or tag page as the source; a crawl"
            f" reads its threads through the engine's JSON API ({api.board_api_url(url)})",
            engine=api.engine,
        )
    engine = detect_engine(html, url)
    thread = parse_thread_page(html, url, now=now)
    if engine == "generic":
        # Without an engine's markup, only posts that each show an author and a date make
        # a forum thread; anything less is an article or a listing.
        dated = [post for post in thread.posts if post.author and post.published_at]
        if len(dated) < 2 or len(dated) < len(thread.posts) or _commented(article, thread):
            return None
    # A board's rows (title, last poster) can read as posts without dates; a thread's
    # posts are dated, so the board is read only when no post is.
    if any(post.published_at for post in thread.posts):
        return _thread_preview(url, engine, thread, now)
    board = parse_board(html, url, now=now)
    if board.threads:
        return PagePreview(
            url,
            200,
            "forum board",
            f"lists {len(board.threads)} threads; a crawl reads each of them",
            engine=engine,
        )
    return _thread_preview(url, engine, thread, now) if thread.posts else None


_WORD = re.compile(r"\w{4,}")


def _commented(article: PagePreview, thread: ThreadPage) -> bool:
    """An article followed by its reader comments also repeats dated, signed blocks; but
    its main text is not one of them, when a thread's main text is its posts' words."""
    main = next((d.text for d in article.documents if d.kind == "article"), "")
    words = _WORD.findall(main.lower())
    in_posts = {word for post in thread.posts for word in _WORD.findall(post.text.lower())}
    return bool(words) and sum(word in in_posts for word in words) < len(words) / 2


def _thread_preview(url: str, engine: str, thread: ThreadPage, now: datetime) -> PagePreview:
    documents = [forum_post_document(post, thread, SOURCE_ID, now) for post in thread.posts]
    return PagePreview(
        url,
        200,
        "forum thread",
        f"{len(thread.posts)} posts of page {thread.page_number}",
        engine=engine,
        documents=documents,
    )


def _video(html: str, url: str, now: datetime) -> PagePreview | None:
    video = parse_video_page(html, url)
    if not video.has_video:
        return None
    reason = f"a {video.platform} video" if video.platform else "a video page"
    preview = PagePreview(
        url, 200, "video", reason, documents=[video_document(video, "", SOURCE_ID, now)]
    )
    if video.lookups:
        preview.notes.append(
            f"{len(video.lookups)} more request(s) complete it during a crawl"
            " (oEmbed, player metadata or the platform's API)"
        )
    if video.captions:
        preview.notes.append(
            f"{len(video.captions)} caption track(s): a crawl reads them and tags their words too"
        )
    return preview


def _article(html: str, url: str, now: datetime, min_text_chars: int) -> PagePreview:
    page_type = classify_page(html, url)
    if not page_type.is_document:
        return PagePreview(
            url,
            200,
            "listing" if page_type.kind_hint == "listing" else f"listing ({page_type.kind_hint})",
            f"{page_type.reason}; a site or blog source without `match` follows its links"
            " and keeps none of it",
        )
    page = FetchedPage(url=url, source_id=SOURCE_ID, kind="article", html=html, fetched_at=now)
    try:
        extracted = extract(page, min_text_chars)
    except NotADocument as exc:
        return PagePreview(url, 200, "not a document", str(exc))
    documents = [make_document(page, extracted)]
    found = parse_article_comments(html, url, now=now)
    documents += [
        comment_document(comment, found.title, SOURCE_ID, now, position)
        for position, comment in enumerate(found.comments, 1)
    ]
    reason = page_type.reason + (
        f" and {len(found.comments)} reader comments" if found.comments else ""
    )
    preview = PagePreview(url, 200, "article", reason, documents=documents)
    source = DATE_SOURCES.get(extracted.date_source or "", "nowhere: no date found")
    flag = ", more than a day after today (kept, flagged)" if extracted.date_flag else ""
    preview.notes.append(f"the article's date comes from {source}{flag}")
    return preview
