"""Discourse through its JSON API: boards (``/latest.json``, ``/c/slug/5.json``) and
topics (``/t/slug/42.json``), 20 posts a page.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from traceur.parse.dates import parse_iso
from traceur.parse.forums.jsondata import (
    api_thread_page,
    as_int,
    message_text,
    pages_for,
    query_int,
    site_of,
    unreadable_thread,
)
from traceur.parse.forums.markup_modern import DISCOURSE
from traceur.parse.forums.records import BoardPage, Post, ThreadLink, ThreadPage
from traceur.parse.html import load_json, squash

# Discourse serves a topic's JSON 20 posts at a time (TopicView chunk size).
DISCOURSE_PAGE_SIZE = 20


def discourse_board_json_url(url: str) -> str:
    """The JSON twin of a Discourse list page: /c/slug/12 → /c/slug/12.json,
    /latest → /latest.json, the site root → /latest.json (query kept)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path:
        path = "/latest"
    if not path.endswith(".json"):
        path += ".json"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def discourse_topic_json_url(thread_url: str, page: int = 1) -> str:
    """/t/slug/42 (or /t/slug/42/7, or its JSON) → /t/slug/42.json, with ?page=N past page 1."""
    parts = urlsplit(thread_url)
    path = parts.path
    if path.endswith(".json"):
        path = path[:-5]
    match = re.match(r"(/t/(?:[^/]+/)?\d+)", path)
    base: str = match.group(1) if match else path.rstrip("/")
    query = f"page={page}" if page > 1 else ""
    return urlunsplit((parts.scheme, parts.netloc, base + ".json", query, ""))


def parse_discourse_board(data: bytes, url: str) -> BoardPage:
    """A Discourse topic list (/latest.json, /c/slug/id.json) or category list
    (/categories.json) → thread links (replies = posts_count − 1) and sub-categories."""
    payload = load_json(data)
    if not isinstance(payload, dict):
        return BoardPage("discourse", (), None, ())
    site = site_of(url)
    threads: list[ThreadLink] = []
    topic_list = payload.get("topic_list") or {}
    for topic in topic_list.get("topics") or []:
        if not isinstance(topic, dict) or "id" not in topic:
            continue
        thread_url = f"{site}/t/{topic.get('slug') or 'topic'}/{topic['id']}"
        posts_count = as_int(topic.get("posts_count"))
        pages = pages_for(posts_count, DISCOURSE_PAGE_SIZE) or 1
        threads.append(
            ThreadLink(
                url=thread_url,
                title=squash(str(topic.get("title") or topic.get("fancy_title") or "")),
                replies=posts_count - 1 if posts_count else topic.get("reply_count"),
                last_post_at=parse_iso(topic.get("last_posted_at") or topic.get("bumped_at")),
                last_page_url=discourse_topic_json_url(thread_url, pages) if pages > 1 else None,
            )
        )
    more = topic_list.get("more_topics_url")
    next_url = (
        discourse_board_json_url(urljoin(site + "/", more))
        if isinstance(more, str) and more
        else None
    )
    subforums: list[str] = []
    for category in (payload.get("category_list") or {}).get("categories") or []:
        if isinstance(category, dict) and category.get("slug") and category.get("id") is not None:
            subforums.append(f"{site}/c/{category['slug']}/{category['id']}")
            for sub in category.get("subcategory_list") or []:
                if isinstance(sub, dict) and sub.get("slug") and sub.get("id") is not None:
                    subforums.append(f"{site}/c/{category['slug']}/{sub['slug']}/{sub['id']}")
    return BoardPage("discourse", tuple(threads), next_url, tuple(subforums))


def parse_discourse_topic(data: bytes, url: str) -> ThreadPage:
    """One page of a Discourse topic's JSON (/t/slug/id.json?page=N) → its posts.

    ``cooked`` is the rendered HTML of a post; its ``aside.quote`` blocks are quotes.
    Post URLs are Discourse's own permalinks, thread URL + "/" + post number."""
    payload = load_json(data)
    page = max(query_int(url, "page", 1), 1)
    if not isinstance(payload, dict):
        return unreadable_thread("discourse", url, page)
    site = site_of(url)
    thread_url = f"{site}/t/{payload.get('slug') or 'topic'}/{payload.get('id')}"
    posts: list[Post] = []
    for raw in (payload.get("post_stream") or {}).get("posts") or []:
        if not isinstance(raw, dict) or raw.get("id") is None:
            continue
        # Deleted, hidden and "small action" posts (topic closed, pinned…) are not words of anyone.
        if (
            raw.get("post_type", 1) != 1
            or raw.get("deleted_at")
            or raw.get("hidden")
            and not raw.get("cooked")
        ):
            continue
        number = int(raw.get("post_number") or 0) or len(posts) + 1
        # The rendered post is Discourse's own markup: its HTML table's quote rules.
        text, quotes = message_text(
            raw.get("cooked") or "", DISCOURSE.quote, DISCOURSE.citation, DISCOURSE.junk
        )
        posts.append(
            Post(
                post_id=str(raw["id"]),
                author=raw.get("username") or raw.get("name") or None,
                published_at=parse_iso(raw.get("created_at")),
                text=text,
                quotes=quotes,
                position=number,
                url=f"{thread_url}/{number}",
            )
        )
    posts_count = payload.get("posts_count")
    return api_thread_page(
        "discourse",
        str(payload.get("title") or payload.get("fancy_title") or ""),
        thread_url,
        page,
        posts,
        pages_for(as_int(posts_count), DISCOURSE_PAGE_SIZE),
        lambda n: discourse_topic_json_url(thread_url, n),
    )
