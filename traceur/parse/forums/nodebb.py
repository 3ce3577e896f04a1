"""NodeBB through its read API, which answers every page's path under ``/api``:
boards (``/api/categories``, ``/api/category/5/slug``, ``/api/recent``) and topics
(``/api/topic/12/slug?page=N``), with the posts' rendered HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from traceur.parse.dates import from_timestamp, parse_iso
from traceur.parse.forums.jsondata import (
    api_thread_page,
    as_int,
    message_text,
    query_int,
    site_of,
    unreadable_thread,
)
from traceur.parse.forums.quotes import xpath_finder
from traceur.parse.forums.records import BoardPage, Post, ThreadLink, ThreadPage
from traceur.parse.html import load_json, squash

_TOPIC_PATH = re.compile(r"^(?:/api)?(/topic/\d+(?:/[^/]+)?)")


def nodebb_board_api_url(url: str) -> str:
    """The API twin of a NodeBB list page: /category/5/slug → /api/category/5/slug,
    the site root → /api/categories (query kept)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.startswith("/api/"):
        path = "/api/categories" if path in ("", "/categories") else "/api" + path
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def nodebb_topic_api_url(url: str, page: int = 1) -> str:
    """/topic/12/slug (or /topic/12/slug/7, or its API twin) → /api/topic/12/slug,
    with ?page=N past page 1."""
    parts = urlsplit(url)
    match = _TOPIC_PATH.match(parts.path)
    base = match.group(1) if match else parts.path.rstrip("/")
    query = f"page={page}" if page > 1 else ""
    return urlunsplit((parts.scheme, parts.netloc, "/api" + base, query, ""))


def _stamp(raw: dict[str, Any], iso_key: str, ms_key: str) -> Any:
    # NodeBB gives both an ISO string and milliseconds since the epoch.
    return parse_iso(raw.get(iso_key)) or from_timestamp(raw.get(ms_key))


def _topic_url(site: str, topic: dict[str, Any]) -> str:
    # A topic's "slug" is "12/the-title": the human URL is /topic/ + slug.
    slug = str(topic.get("slug") or topic.get("tid") or "")
    if not slug.split("/", 1)[0].isdigit():
        slug = f"{topic.get('tid')}/{slug}"
    return f"{site}/topic/{slug}"


def _title(raw: dict[str, Any]) -> str:
    # "title" is HTML-escaped for templates; "titleRaw" is not (and absent on older NodeBB).
    return squash(str(raw.get("titleRaw") or html.unescape(str(raw.get("title") or ""))))


def _next_board_page(url: str, payload: dict[str, Any]) -> str | None:
    pagination = payload.get("pagination") or {}
    following = pagination.get("next") or {}
    current = as_int(pagination.get("currentPage")) or 1
    page = as_int(following.get("page"))
    if not following.get("active") or page is None or page <= current:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, f"page={page}", ""))


def _categories(site: str, payload: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for category in [*(payload.get("categories") or []), *(payload.get("children") or [])]:
        if not isinstance(category, dict) or category.get("link"):
            continue  # a "link" category points off the forum
        slug = str(category.get("slug") or "")
        if slug.split("/", 1)[0].isdigit():
            found.append(f"{site}/category/{slug}")
    return found


def parse_nodebb_board(data: bytes, url: str) -> BoardPage:
    """A NodeBB topic list (/api/category/5/slug, /api/recent) or category list
    (/api/categories) → thread links (replies = postcount − 1) and categories."""
    payload = load_json(data)
    if not isinstance(payload, dict):
        return BoardPage("nodebb", (), None, ())
    site = site_of(url)
    threads: list[ThreadLink] = []
    for topic in payload.get("topics") or []:
        if not isinstance(topic, dict) or topic.get("tid") is None or topic.get("deleted"):
            continue
        postcount = as_int(topic.get("postcount"))
        threads.append(
            ThreadLink(
                url=_topic_url(site, topic),
                title=_title(topic),
                replies=postcount - 1 if postcount else None,
                last_post_at=_stamp(topic, "lastposttimeISO", "lastposttime"),
                # The page size is a site setting the list does not show.
                last_page_url=None,
            )
        )
    return BoardPage(
        "nodebb", tuple(threads), _next_board_page(url, payload), tuple(_categories(site, payload))
    )


_QUOTE = xpath_finder(".//blockquote")
_CITATION = xpath_finder(".//cite")


def _post(raw: dict[str, Any], thread_url: str) -> Post | None:
    if raw.get("pid") is None or raw.get("deleted"):
        return None
    index = as_int(raw.get("index"))
    position = index + 1 if index is not None else None
    if position is None:
        return None
    user: dict[str, Any] = raw["user"] if isinstance(raw.get("user"), dict) else {}
    # The quote button writes "@bob a dit dans <titre> :" above the blockquote.
    text, quotes = message_text(str(raw.get("content") or ""), _QUOTE, _CITATION, lead_ins=True)
    return Post(
        post_id=str(raw["pid"]),
        author=squash(str(user.get("username") or user.get("displayname") or "")) or None,
        published_at=_stamp(raw, "timestampISO", "timestamp"),
        text=text,
        quotes=quotes,
        position=position,
        url=f"{thread_url}/{position}",
    )


def parse_nodebb_topic(data: bytes, url: str) -> ThreadPage:
    """One page of a NodeBB topic's API (/api/topic/12/slug?page=N) → its posts.

    A post's ``index`` counts from 0 (the opening post); its human URL is the topic's
    URL plus ``index + 1``, which NodeBB scrolls to."""
    payload = load_json(data)
    page = max(query_int(url, "page", 1), 1)
    if not isinstance(payload, dict) or payload.get("tid") is None:
        return unreadable_thread("nodebb", url, page)
    thread_url = _topic_url(site_of(url), payload)
    posts = [
        post
        for raw in payload.get("posts") or []
        if isinstance(raw, dict) and (post := _post(raw, thread_url)) is not None
    ]
    pagination = payload.get("pagination") or {}
    page = as_int(pagination.get("currentPage")) or page
    return api_thread_page(
        "nodebb",
        _title(payload),
        thread_url,
        page,
        posts,
        as_int(pagination.get("pageCount")),
        lambda n: nodebb_topic_api_url(thread_url, n),
    )
