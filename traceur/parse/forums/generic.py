"""The fallback for engines without a markup table: posts found as repeated blocks,
each with an author and a date, under one thread title (a thread of one post as the
one block that has them). Boards: :mod:`traceur.parse.forums.generic_rows`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.dates import TIMESTAMP_ATTRS, find_french_dates, machine_date, parse_french_date
from traceur.parse.forums.generic_rows import (
    CURRENT_PAGE,
    DATE_CLASS,
    PAGINATION_BLOCKS,
    PROFILE_LINK,
    Groups,
    parse_generic_board,
    repeated_groups,
    thread_rows,
    tooltip_date,
)
from traceur.parse.forums.generic_text import labelled_citations, without_boilerplate
from traceur.parse.forums.pagination import (
    page_offset,
    page_urls,
    read_pagination,
    thread_frame,
    thread_title,
)
from traceur.parse.forums.quotes import generic_quotes, split_quotes
from traceur.parse.forums.records import Post, ThreadPage
from traceur.parse.html import (
    absolute,
    base_url,
    clean_url,
    spaced_text,
    squash,
)
from traceur.parse.posts import is_ancestor, total, usable

_GENERIC_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "nav",
    "form",
    "select",
    "button",
)
_AUTHOR_NAME = re.compile(
    r"username|user-name|pseudo|author|auteur|nick|poster|login|signataire", re.I
)
_AUTHOR_CLASS = re.compile(r"user|membre|member", re.I)
_AUTHOR_LINK = re.compile(r"membre|member|profil|user|utilisateur|/u/", re.I)
_AUTHOR_PREFIX = re.compile(
    r"^(?:message\s+)?(?:post[ée]e?|[ée]crit|publi[ée]e?)?\s*(?:par|by|de)\s+", re.I
)
_POST_ID = re.compile(r"(\d{2,})$")


@dataclass(frozen=True)
class _Found:
    """One post found by repetition."""

    body: lxml.html.HtmlElement  # the message itself
    zone: lxml.html.HtmlElement  # the smallest box around it that shows its author and date
    own: lxml.html.HtmlElement  # the largest box around it that holds no other post
    author: str | None
    published: datetime | None
    # The header printed as a sibling just before ``own`` (bbPress: date and permalink
    # in one block, author and message in the next), when ``own`` lacks author or date.
    lead: tuple[lxml.html.HtmlElement, ...] = ()


def _post_chain(root: lxml.html.HtmlElement, url: str, now: datetime | None) -> list[_Found]:
    """The posts of a page of repeated posts, in page order ([] when there are none).

    The messages are the richest repeated element (same tag and classes) whose members
    each sit in a box of their own that names an author and a date, narrowed to the
    repeated part holding the message without the profile box and signature. Engines
    wrap the opening post and the replies differently (Vanilla) or put the author in a
    column beside the message (phpBB, tables): the author and date are looked for
    around each message, from its nearest box outwards, never in another post's."""
    groups = {key: usable(members) for key, members in repeated_groups(root).items()}
    page_total = len(squash(root.text_content())) - _furniture_chars(root)
    candidates = sorted(
        (members for members in groups.values() if len(members) >= 2), key=total, reverse=True
    )
    for members in candidates:
        if page_total == 0 or total(members) < 0.3 * page_total:
            break
        found = _around(_narrowed(members, groups), now)
        signed = sum(1 for post in found if post.author and post.published)
        # Rows that open with a link to another page are a board's threads, each with
        # its starter and last date, not messages.
        listed = sum(1 for post in found if _opens_with_a_link(post.body, url))
        if signed >= 2 and signed >= 0.8 * len(found) and listed <= len(found) / 2:
            return found
    return _lone_post(root, url, groups, page_total, now)


# The site's banner, sidebar and footer, outside any post: a short thread on a site with a
# rich sidebar (a WordPress theme around bbPress) is a small share of the whole page.
_FURNITURE_XPATH = (
    "//*[self::aside or self::header or self::footer or @role='banner'"
    " or @role='complementary' or @role='contentinfo'][not(ancestor::article or ancestor::main"
    " or ancestor::aside or ancestor::header or ancestor::footer or ancestor::*[@role='banner'"
    " or @role='complementary' or @role='contentinfo'])]"
)


def _furniture_chars(root: lxml.html.HtmlElement) -> int:
    return sum(len(squash(node.text_content())) for node in root.xpath(_FURNITURE_XPATH))


def _opens_with_a_link(element: lxml.html.HtmlElement, url: str) -> bool | None:
    """True when the first words of ``element`` are a link to another page of the site
    (not a member's profile); False when plain words come first; None when empty."""
    if element.tag == "a":
        href = absolute(url, element.get("href"))
        return (
            bool(squash(element.text_content()))
            and href is not None
            and urlsplit(href).hostname == urlsplit(url).hostname
            and not PROFILE_LINK.search(href)
        )
    if (element.text or "").strip():
        return False
    for child in element:
        if isinstance(child.tag, str) and (found := _opens_with_a_link(child, url)) is not None:
            return found
        if (child.tail or "").strip():
            return False
    return None


def _in_a_list(post: _Found, url: str, now: datetime | None) -> bool:
    """The found "post" holds, or is one of, dated rows of links, or opens with a link
    to another page of the site as a row opens with its title: a forum index or a board
    with one thread, not a message."""
    if _opens_with_a_link(post.body, url):
        return True
    for region in (post.body, post.own):
        rows = [row for row, _, last in thread_rows(region, url, now) if last]
        if len(rows) >= 2 and (
            region is post.body
            or any(row is post.zone or is_ancestor(row, post.zone) for row in rows)
        ):
            return True
    return False


# A post's own header (author, rank, counts, date, buttons, signature) stays short.
_LONE_HEADER_CHARS = 600
# Page furniture that can hold the most text of a near-empty page.
_FURNITURE = re.compile(r"footer|cookie|copyright|banner|sidebar|menu|breadcrumb|header", re.I)


def _reads_as_a_post(
    post: _Found, url: str, now: datetime | None, titles: list[lxml.html.HtmlElement]
) -> bool:
    header = len(_header_text(post.zone, post.body))
    message = len(squash(post.body.text_content()))
    linked = sum(len(squash(a.text_content())) for a in post.body.iter("a"))
    return bool(
        post.author
        and post.published
        and header <= _LONE_HEADER_CHARS
        and message >= header / 2
        # A board row with one thread is mostly links; a message mostly words.
        and linked <= message / 2
        and not _in_a_list(post, url, now)
        and not any(title is post.zone or is_ancestor(post.zone, title) for title in titles)
    )


def _lone_post(
    root: lxml.html.HtmlElement,
    url: str,
    groups: Groups,
    page_total: int,
    now: datetime | None,
) -> list[_Found]:
    """A thread of one post (every thread starts so) repeats nothing: its message is the
    richest element, mostly words rather than links, with a box around it that names an
    author and a date, a box the size of a post's header (a box holding the title, or
    the menus, is the page)."""
    titles = root.xpath("//h1")
    singles = sorted(
        (members for members in groups.values() if len(members) == 1), key=total, reverse=True
    )
    for members in singles:
        if page_total == 0 or total(members) < 0.1 * page_total:
            break
        first = members[0]
        if _FURNITURE.search(
            " ".join(filter(None, (first.tag, first.get("class"), first.get("id"))))
        ):
            continue  # a footer or a cookie banner may hold most of a near-empty page
        post = _around(_narrowed(members, groups), now)[0]
        if _reads_as_a_post(post, url, now, titles):
            return [post]
    return []


def _narrowed(
    body: list[lxml.html.HtmlElement],
    groups: Groups,
) -> list[lxml.html.HtmlElement]:
    # A repeated element inside each member that still holds most of the text is the
    # message without what surrounds it (profile box, signature, buttons).
    while True:
        inner = [
            members
            for members in groups.values()
            if members is not body
            and len(members) == len(body)
            and all(is_ancestor(b, m) for b, m in zip(body, members, strict=True))
            and total(members) >= 0.6 * total(body)
        ]
        if not inner:
            return body
        body = max(inner, key=total)


def _around(bodies: list[lxml.html.HtmlElement], now: datetime | None) -> list[_Found]:
    found: list[_Found] = []
    for body in bodies:
        others = [other for other in bodies if other is not body]
        boxes: list[lxml.html.HtmlElement] = []
        node = body.getparent()
        while node is not None and not any(is_ancestor(node, other) for other in others):
            boxes.append(node)
            node = node.getparent()
        own = boxes[-1] if boxes else body
        for box in boxes:
            # The header zone is walked once for both; no author, no need of a date.
            zone = _outside(box, body)
            author = _generic_author(box, body, zone)
            published = _generic_date(box, body, now, zone) if author else None
            if author and published:
                found.append(_Found(body, box, own, author, published))
                break
        else:
            author, published = _generic_author(own, body), _generic_date(own, body, now)
            lead = _lead(own, others) if not (author and published) else ()
            for header in lead:
                author = author or _generic_author(header, body)
                published = published or _generic_date(header, body, now)
            found.append(_Found(body, own, own, author, published, lead))
    return found


def _lead(
    own: lxml.html.HtmlElement, others: list[lxml.html.HtmlElement]
) -> tuple[lxml.html.HtmlElement, ...]:
    """The siblings printed just before a post's own box, nearest first, back to the
    previous post's box: where engines that split a post in two put its header."""
    lead: list[lxml.html.HtmlElement] = []
    for sibling in own.itersiblings(preceding=True):
        if not isinstance(sibling.tag, str):
            continue
        if any(sibling is other or is_ancestor(sibling, other) for other in others):
            break
        lead.append(sibling)
    return tuple(lead)


def _outside(
    container: lxml.html.HtmlElement, body: lxml.html.HtmlElement
) -> list[lxml.html.HtmlElement]:
    """Descendants of ``container`` that are not inside ``body`` (the post's header zone)."""
    return [
        node
        for node in container.iterdescendants()
        if isinstance(node.tag, str)
        and node is not body
        and not is_ancestor(body, node)
        and not is_ancestor(node, body)
    ]


def _header_text(container: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> str:
    """The text of ``container`` outside ``body``: author line, date, profile box."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node is body or not isinstance(node.tag, str):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(container)
    return squash(" ".join(parts))


def _generic_author(
    container: lxml.html.HtmlElement,
    body: lxml.html.HtmlElement,
    zone: list[lxml.html.HtmlElement] | None = None,
) -> str | None:
    if zone is None:
        zone = (
            _outside(container, body)
            if container is not body
            else list(container.iterdescendants())
        )

    def marks(node: lxml.html.HtmlElement) -> str:
        return " ".join(filter(None, (node.get("class"), node.get("itemprop"), node.get("id"))))

    # Names first ("pseudo", "username", "author"), then looser "user"/"membre" boxes;
    # within a tier the innermost element, because its wrapper also holds menus and titles.
    for pattern in (_AUTHOR_NAME, _AUTHOR_CLASS):
        matches = [node for node in zone if pattern.search(marks(node))]
        innermost = [
            node
            for node in matches
            if not any(other is not node and is_ancestor(node, other) for other in matches)
        ]
        for node in innermost:
            name = _AUTHOR_PREFIX.sub("", squash(node.text_content()))
            if 1 < len(name) <= 60 and not parse_french_date(name):
                return name
    for node in zone:
        if node.tag == "a" and _AUTHOR_LINK.search(node.get("href") or ""):
            name = squash(node.text_content())
            if 1 < len(name) <= 60:
                return name
    return None


def _generic_printed_date(
    container: lxml.html.HtmlElement,
    body: lxml.html.HtmlElement,
    header: list[lxml.html.HtmlElement],
    now: datetime | None,
) -> datetime | None:
    # An element labelled as the date says it best; otherwise take the latest date of
    # the header zone, because the other dates there (member since…) are older.
    for node in header:
        marks = " ".join(filter(None, (node.get("class"), node.get("itemprop"), node.get("id"))))
        if marks and DATE_CLASS.search(marks):
            # The tooltip's exact moment before the rounded age printed beside it.
            stamp = tooltip_date(node, now) or parse_french_date(spaced_text(node), now)
            if stamp:
                return stamp
    return max(find_french_dates(_header_text(container, body), now), default=None)


def _generic_date(
    container: lxml.html.HtmlElement,
    body: lxml.html.HtmlElement,
    now: datetime | None,
    zone: list[lxml.html.HtmlElement] | None = None,
) -> datetime | None:
    """The post's date, from the part of ``container`` outside ``body`` (``zone``, when
    the caller has it): a machine date (``<time datetime>``, a timestamp attribute)
    first, else a printed one."""
    header = (
        zone
        if zone is not None
        else (_outside(container, body) if container is not body else [container])
    )
    for node in header:
        if node.tag in ("time", "abbr") or any(
            node.get(attr) for attr in TIMESTAMP_ATTRS + ("datetime",)
        ):
            published = machine_date(node)
            if published:
                return published
    return _generic_printed_date(container, body, header, now)


def _boxes(
    inner: lxml.html.HtmlElement, outer: lxml.html.HtmlElement
) -> list[lxml.html.HtmlElement]:
    """``inner`` and its ancestors up to ``outer`` (included)."""
    chain = [inner]
    while chain[-1] is not outer and chain[-1].getparent() is not None:
        chain.append(chain[-1].getparent())
    return chain


def _shown_number(post: _Found) -> int | None:
    # Many engines print the post's number ("#7") beside the date: it is the position.
    for node in _outside(post.own, post.body):
        if match := re.fullmatch(r"#\s?(\d{1,6})", squash(node.text_content())):
            return int(match.group(1))
    return None


def _anchor_id(box: lxml.html.HtmlElement) -> tuple[str | None, str | None]:
    """(post id, anchor) from the box's id or an anchor inside or just before it."""
    own = box.get("id") or ""
    if match := _POST_ID.search(own):
        return match.group(1), own
    for node in box.xpath(".//a[@name or @id] | preceding-sibling::*[1][self::a][@name or @id]"):
        name = node.get("id") or node.get("name") or ""
        if match := _POST_ID.search(name):
            return match.group(1), name
    return None, None


def _data_id(box: lxml.html.HtmlElement) -> str | None:
    for node in [box, *box.iterdescendants()]:
        if not isinstance(node.tag, str):
            continue
        for attr, value in node.attrib.items():
            if (
                re.fullmatch(r"data-(?:post|message|msg|comment|reply)-?id", attr)
                and value.strip().isdigit()
            ):
                return str(value).strip()
    return None


def _generic_id(post: _Found) -> tuple[str | None, str | None]:
    """(post id, anchor): an anchor (which also makes the post's URL) on the post's
    boxes from the nearest outwards, else a data-*id attribute."""
    boxes = [*_boxes(post.zone, post.own), *post.lead]
    for box in boxes:
        ident, anchor = _anchor_id(box)
        if ident:
            return ident, anchor
    return next((ident for box in boxes if (ident := _data_id(box))), None), None


def parse_generic_thread(
    root: lxml.html.HtmlElement, url: str, now: datetime | None, per_page: int | None
) -> ThreadPage:
    pagination = read_pagination(root, url, PAGINATION_BLOCKS, CURRENT_PAGE)
    page_url, page, thread_url = thread_frame(root, url, pagination)
    title = thread_title(root, None)
    work = copy.deepcopy(root)
    for node in work.xpath("|".join(f"//{tag}" for tag in _GENERIC_DROP)):
        node.drop_tree()
    found = _post_chain(work, base_url(root, url), now)
    offset = page_offset(url, page, pagination, len(found), per_page)
    posts: list[Post] = []
    for index, post in enumerate(found, start=1):
        post_id, anchor = _generic_id(post)
        text, quotes = split_quotes(
            without_boilerplate(post.body), generic_quotes, labelled_citations
        )
        shown = _shown_number(post)
        # bbPress prints "#6104", its permalink: the post's id, not its place in the thread.
        position = shown if shown and str(shown) != post_id else offset + index
        posts.append(
            Post(
                post_id=post_id or str(position),
                author=post.author,
                published_at=post.published,
                text=text,
                quotes=quotes,
                position=position,
                url=f"{page_url}#{anchor}" if anchor else page_url,
            )
        )
    return ThreadPage(
        engine="generic",
        title=title,
        thread_url=thread_url,
        page_number=page,
        posts=tuple(posts),
        page_urls=page_urls(pagination, page, page_url),
        next_page_url=clean_url(pagination.next_url) if pagination.next_url else None,
        page_count=pagination.count,
        page_url=page_url,
    )


# boards.py reads boards of engines without a table from here.
__all__ = ["parse_generic_board", "parse_generic_thread"]
