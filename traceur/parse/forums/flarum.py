"""Flarum through its JSON:API: boards (``/api/discussions``, paged by
``page[offset]`` and ``links.next``) and discussions (``/api/discussions/12`` with its
first posts included, then ``/api/posts?filter[discussion]=12&page[offset]=20``).

JSON:API keeps related objects apart: a post names its author as
``relationships.user.data.id``, and the user itself is among ``included``.
"""

from __future__ import annotations

import re
from typing import Any
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
from traceur.parse.forums.quotes import xpath_finder
from traceur.parse.forums.records import BoardPage, Post, ThreadLink, ThreadPage
from traceur.parse.html import has_class, load_json, squash

# Flarum loads a discussion's posts 20 at a time (its API's default page limit).
FLARUM_PAGE_SIZE = 20
_DISCUSSION_PATH = re.compile(r"^(?:/api/discussions/(\d+)|/d/(\d+))")


def flarum_board_api_url(url: str) -> str:
    """The API list behind a Flarum page: the home page or /all → /api/discussions,
    a tag page /t/slug → /api/discussions?filter[tag]=slug; API URLs are kept."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.startswith("/api/"):
        return url
    query = ""
    if match := re.match(r"^/t/([^/]+)", path):
        query = f"filter[tag]={match.group(1)}"
    return urlunsplit((parts.scheme, parts.netloc, "/api/discussions", query, ""))


def flarum_discussion_api_url(url: str, page: int = 1) -> str:
    """/d/12-slug (or /d/12-slug/7, or /api/discussions/12) → /api/discussions/12 for
    the first page; later pages are lists of the discussion's posts."""
    parts = urlsplit(url)
    match = _DISCUSSION_PATH.match(parts.path)
    ident = (match.group(1) or match.group(2)) if match else parts.path.rsplit("/", 1)[-1]
    if page <= 1:
        return urlunsplit((parts.scheme, parts.netloc, f"/api/discussions/{ident}", "", ""))
    query = f"filter[discussion]={ident}&sort=number&page[offset]={(page - 1) * FLARUM_PAGE_SIZE}"
    return urlunsplit((parts.scheme, parts.netloc, "/api/posts", query, ""))


def _discussion_url(site: str, discussion: dict[str, Any]) -> str:
    ident = str(discussion.get("id") or "")
    slug = str((discussion.get("attributes") or {}).get("slug") or "")
    # Flarum's default slugs are the title's; some setups already prefix the id.
    if not slug or slug == ident or slug.startswith(f"{ident}-"):
        return f"{site}/d/{slug or ident}"
    return f"{site}/d/{ident}-{slug}"


def _of_type(payload: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    data = payload.get("data")
    found = data if isinstance(data, list) else [data]
    found = [*found, *(payload.get("included") or [])]
    return [item for item in found if isinstance(item, dict) and item.get("type") == kind]


def _related_id(item: dict[str, Any], name: str) -> str | None:
    data = ((item.get("relationships") or {}).get(name) or {}).get("data")
    return str(data["id"]) if isinstance(data, dict) and data.get("id") is not None else None


def parse_flarum_board(data: bytes, url: str) -> BoardPage:
    """A Flarum discussion list (/api/discussions) → thread links (replies =
    commentCount − 1, last activity = lastPostedAt) and its next page."""
    payload = load_json(data)
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        return BoardPage("flarum", (), None, ())
    site = site_of(url)
    threads: list[ThreadLink] = []
    for discussion in payload["data"]:
        if not isinstance(discussion, dict) or discussion.get("type") != "discussions":
            continue
        attributes = discussion.get("attributes") or {}
        comments = as_int(attributes.get("commentCount"))
        threads.append(
            ThreadLink(
                url=_discussion_url(site, discussion),
                title=squash(str(attributes.get("title") or "")),
                replies=comments - 1 if comments else None,
                last_post_at=parse_iso(attributes.get("lastPostedAt")),
                last_page_url=None,
            )
        )
    following = (payload.get("links") or {}).get("next")
    next_url = urljoin(url, following) if isinstance(following, str) and following else None
    return BoardPage("flarum", tuple(threads), next_url, ())


_QUOTE = xpath_finder(".//blockquote")
# Quoting inserts a mention of the quoted post ("@"Bob"#p45") at the top of the quote.
_CITATION = xpath_finder(f".//a[{has_class('PostMention')}] | .//cite")


def _post(raw: dict[str, Any], users: dict[str, str], thread_url: str) -> Post | None:
    attributes = raw.get("attributes") or {}
    number = as_int(attributes.get("number"))
    # Renames, stickies and locks are posts too, of other content types: nobody's words.
    if number is None or attributes.get("contentType") != "comment" or attributes.get("isHidden"):
        return None
    text, quotes = message_text(str(attributes.get("contentHtml") or ""), _QUOTE, _CITATION)
    return Post(
        post_id=str(raw.get("id")),
        author=users.get(_related_id(raw, "user") or ""),
        published_at=parse_iso(attributes.get("createdAt")),
        text=text,
        quotes=quotes,
        position=number,
        url=f"{thread_url}/{number}",
    )


def _users(payload: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for user in _of_type(payload, "users"):
        attributes = user.get("attributes") or {}
        name = squash(str(attributes.get("username") or attributes.get("displayName") or ""))
        if name:
            names[str(user.get("id"))] = name
    return names


def _page_posts(
    payload: dict[str, Any], discussion: dict[str, Any], page: int
) -> tuple[list[dict[str, Any]], int | None]:
    """(the raw posts of this page, the page count when known)."""
    if isinstance(payload.get("data"), dict):
        # The discussion lists all its posts' ids, in order: its first page is the first
        # twenty (other included posts may be there for other reasons).
        listed = ((discussion.get("relationships") or {}).get("posts") or {}).get("data")
        ids = [str(item.get("id")) for item in listed or [] if isinstance(item, dict)]
        wanted = set(ids[:FLARUM_PAGE_SIZE])
        raws = [
            raw for raw in _of_type(payload, "posts") if not ids or str(raw.get("id")) in wanted
        ]
        return raws, pages_for(len(ids) or None, FLARUM_PAGE_SIZE)
    raws = [raw for raw in payload["data"] if isinstance(raw, dict) and raw.get("type") == "posts"]
    return raws, page + 1 if (payload.get("links") or {}).get("next") else page


def parse_flarum_discussion(data: bytes, url: str) -> ThreadPage:
    """One page of a Flarum discussion: /api/discussions/12 (the first posts are
    included) or /api/posts?filter[discussion]=12&page[offset]=N → its posts."""
    payload = load_json(data)
    page = query_int(url, "page[offset]", 0) // FLARUM_PAGE_SIZE + 1
    discussions = _of_type(payload, "discussions") if isinstance(payload, dict) else []
    if not isinstance(payload, dict) or not discussions:
        return unreadable_thread("flarum", url, page)
    discussion = discussions[0]
    thread_url = _discussion_url(site_of(url), discussion)
    raws, count = _page_posts(payload, discussion, page)
    users = _users(payload)
    posts = [
        post
        for raw in raws
        if _related_id(raw, "discussion") in (None, str(discussion.get("id")))
        and (post := _post(raw, users, thread_url)) is not None
    ]
    return api_thread_page(
        "flarum",
        str((discussion.get("attributes") or {}).get("title") or ""),
        thread_url,
        page,
        posts,
        count,
        lambda n: flarum_discussion_api_url(thread_url, n),
    )
