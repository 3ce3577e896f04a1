"""The fallback for engines without a markup table: posts found as repeated blocks,
each with an author and a date, under one thread title; boards as lists of links to
threads.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.dates import TIMESTAMP_ATTRS, find_french_dates, machine_date, parse_french_date
from traceur.parse.forums.pagination import (
    page_offset,
    page_urls,
    read_pagination,
    thread_frame,
    thread_title,
)
from traceur.parse.forums.quotes import generic_citations, generic_quotes, split_quotes
from traceur.parse.forums.records import BoardPage, Post, ThreadLink, ThreadPage
from traceur.parse.html import (
    absolute,
    base_url,
    clean_url,
    has_class,
    parse_count,
    spaced_text,
    squash,
)

# The repeated-block finder's building blocks; see _post_chain for why the finder
# itself (which keeps only the innermost level) is not enough here.
from traceur.parse.posts import is_ancestor, total, usable
from traceur.textnorm import fold_plain

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
# Row-striping and state classes differ between posts of one thread ("bg1"/"bg2",
# "odd"/"even", "ligne1"/"ligne2", "unread"): they must not split the posts' group.
_VOLATILE_CLASSES = frozenset(
    "odd even alt first last unread read new active highlight selected online offline".split()
)


def _post_groups(root: lxml.html.HtmlElement) -> dict[tuple[str, str], list[lxml.html.HtmlElement]]:
    groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tokens = {
            re.sub(r"\d+$", "", token.lower()) for token in (element.get("class") or "").split()
        }
        tokens = {token for token in tokens if token and token not in _VOLATILE_CLASSES}
        if tokens:
            groups.setdefault((element.tag, " ".join(sorted(tokens))), []).append(element)
    return groups


def _post_chain(
    root: lxml.html.HtmlElement,
) -> tuple[list[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]:
    """(post containers, message bodies) of a page of repeated posts.

    Same idea as :func:`traceur.parse.posts.find_post_blocks` (the repeated element that
    holds most of the page's text, narrowed to the part holding the message), but the
    outermost level is kept too: the author and date live beside the message."""
    groups = {key: usable(members) for key, members in _post_groups(root).items()}
    groups = {key: members for key, members in groups.items() if len(members) >= 2}
    if not groups:
        return [], []
    best = max(groups.values(), key=total)
    page_total = len(squash(root.text_content()))
    if page_total == 0 or total(best) < 0.3 * page_total:
        return [], []
    # A generic box class ("inner", "box") can win by also covering the header and menu
    # boxes. A smaller group whose members each wrap, or sit in, one of best's and that
    # still holds most of its text is the posts without those extras.
    purer = [
        members
        for members in groups.values()
        if 2 <= len(members) < len(best)
        and total(members) >= 0.7 * total(best)
        and _one_to_one(members, best)
    ]
    if purer:
        best = max(purer, key=total)
    # The richest group is the outermost repeated box (an ancestor holds at least its
    # descendants' text), so it is the post container; narrow it to the message.
    containers = best
    body = best
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
            break
        body = max(inner, key=total)
    return containers, body


def _one_to_one(members: list[lxml.html.HtmlElement], others: list[lxml.html.HtmlElement]) -> bool:
    """Each of ``members`` wraps or sits in a different one of ``others``."""
    used: set[int] = set()
    for member in members:
        match = next(
            (
                index
                for index, other in enumerate(others)
                if index not in used
                and (other is member or is_ancestor(member, other) or is_ancestor(other, member))
            ),
            None,
        )
        if match is None:
            return False
        used.add(match)
    return True


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


def _generic_author(container: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> str | None:
    zone = _outside(container, body) if container is not body else list(container.iterdescendants())

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


_DATE_CLASS = re.compile(r"date|time|heure|posted|poste|publi", re.I)


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
        if marks and _DATE_CLASS.search(marks):
            stamp = parse_french_date(spaced_text(node), now)
            if stamp:
                return stamp
    return max(find_french_dates(_header_text(container, body), now), default=None)


def _generic_id(container: lxml.html.HtmlElement) -> tuple[str | None, str | None]:
    """(post id, anchor) from the container's id, an anchor inside or just before it,
    or a data-*id attribute."""
    own = container.get("id") or ""
    if match := _POST_ID.search(own):
        return match.group(1), own
    for node in container.xpath(
        ".//a[@name or @id] | preceding-sibling::*[1][self::a][@name or @id]"
    ):
        name = node.get("id") or node.get("name") or ""
        if match := _POST_ID.search(name):
            return match.group(1), name
    for node in [container, *container.iterdescendants()]:
        if not isinstance(node.tag, str):
            continue
        for attr, value in node.attrib.items():
            if (
                re.fullmatch(r"data-(?:post|message|msg|comment|reply)-?id", attr)
                and value.strip().isdigit()
            ):
                return value.strip(), None
    return None, None


def parse_generic_thread(
    root: lxml.html.HtmlElement, url: str, now: datetime | None, per_page: int | None
) -> ThreadPage:
    pagination = read_pagination(
        root,
        url,
        "//*[contains(translate(@class, 'PAGINTO', 'paginto'), 'pagination')"
        " or contains(@class, 'pageNav') or contains(@class, 'pages')]",
        ".//*[contains(@class, 'active') or contains(@class, 'current')"
        " or contains(@class, 'selected')] | .//strong | .//b",
    )
    page_url, page, thread_url = thread_frame(root, url, pagination)
    title = thread_title(root, None)
    work = copy.deepcopy(root)
    for node in work.xpath("|".join(f"//{tag}" for tag in _GENERIC_DROP)):
        node.drop_tree()
    containers, bodies = _post_chain(work)
    offset = page_offset(url, page, pagination, len(containers), per_page)
    posts: list[Post] = []
    for index, (container, body) in enumerate(zip(containers, bodies, strict=True), start=1):
        post_id, anchor = _generic_id(container)
        text, quotes = split_quotes(body, generic_quotes, generic_citations)
        header = _outside(container, body) if container is not body else [container]
        published = None
        for node in header:
            if node.tag in ("time", "abbr") or any(
                node.get(attr) for attr in TIMESTAMP_ATTRS + ("datetime",)
            ):
                published = machine_date(node)
                if published:
                    break
        if published is None:
            published = _generic_printed_date(container, body, header, now)
        # Many engines print the post's number ("#7") beside the date: it is the position.
        shown = next(
            (
                int(match.group(1))
                for node in header
                if (match := re.fullmatch(r"#\s?(\d{1,6})", squash(node.text_content())))
            ),
            None,
        )
        position = shown or offset + index
        posts.append(
            Post(
                post_id=post_id or str(position),
                author=_generic_author(container, body),
                published_at=published,
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


_THREAD_HINT = re.compile(r"sujet|topic|thread|discussion|viewtopic|showthread|/t/|message", re.I)


def parse_generic_board(root: lxml.html.HtmlElement, url: str, now: datetime | None) -> BoardPage:
    # Unknown engine: the thread list is the biggest group of repeated rows (same tag
    # and class) that each hold a same-site link; the row's longest link is the thread.
    host = urlsplit(url).hostname
    url = base_url(root, url)
    best: list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]] = []
    for members in _post_groups(root).values():
        rows = []
        for member in members:
            links = [
                a
                for a in member.xpath(".//a[@href]")
                if (absolute(url, a.get("href")) or "").startswith(("http://", "https://"))
                and urlsplit(absolute(url, a.get("href")) or "").hostname == host
            ]
            if links:
                rows.append(
                    (
                        member,
                        max(
                            links,
                            key=lambda a: (
                                bool(_THREAD_HINT.search(a.get("href") or "")),
                                len(squash(a.text_content())),
                            ),
                        ),
                    )
                )
        if len(rows) >= 2 and len(rows) > len(best):
            best = rows
    threads: list[ThreadLink] = []
    seen: set[str] = set()
    for row, link in best:
        href = clean_url(absolute(url, link.get("href")) or "")
        if href in seen:
            continue
        seen.add(href)
        row_text = fold_plain(spaced_text(row))
        replies = None
        if match := re.search(r"(\d+)\s*(?:reponses?|replies|messages?)", row_text):
            replies = int(match.group(1))
        elif cells := row.xpath(
            f".//*[{has_class('reponses')} or {has_class('replies')} or {has_class('posts')}]"
        ):
            replies = parse_count(cells[0].text_content())
        link_text = fold_plain(spaced_text(link))
        stamps = [
            stamp
            for node in row.xpath(".//time | .//*[@data-time] | .//*[@data-timestamp]")
            if (stamp := machine_date(node)) is not None
        ]
        threads.append(
            ThreadLink(
                url=href,
                title=squash(link.text_content()),
                replies=replies,
                # The latest date of the row: a row may also show when the thread started.
                last_post_at=max(
                    stamps or find_french_dates(row_text.replace(link_text, " "), now), default=None
                ),
                last_page_url=None,
            )
        )
    pagination = read_pagination(
        root,
        url,
        "//*[contains(@class, 'pagination') or contains(@class, 'pages')]",
        ".//*[contains(@class, 'active') or contains(@class, 'current')] | .//strong",
    )
    return BoardPage(
        "generic",
        tuple(threads),
        clean_url(pagination.next_url) if pagination.next_url else None,
        (),
    )
