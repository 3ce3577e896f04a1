"""The fallback for engines without a markup table: posts found as repeated blocks,
each with an author and a date, under one thread title; boards as lists of links to
threads.
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
from traceur.parse.forums.jsondata import drop_quote_lead_ins
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


@dataclass(frozen=True)
class _Found:
    """One post found by repetition."""

    body: lxml.html.HtmlElement  # the message itself
    zone: lxml.html.HtmlElement  # the smallest box around it that shows its author and date
    own: lxml.html.HtmlElement  # the largest box around it that holds no other post
    author: str | None
    published: datetime | None


def _post_chain(root: lxml.html.HtmlElement, now: datetime | None) -> list[_Found]:
    """The posts of a page of repeated posts, in page order ([] when there are none).

    The messages are the richest repeated element (same tag and classes) whose members
    each sit in a box of their own that names an author and a date, narrowed to the
    repeated part holding the message without the profile box and signature. Engines
    wrap the opening post and the replies differently (Vanilla) or put the author in a
    column beside the message (phpBB, tables): the author and date are looked for
    around each message, from its nearest box outwards, never in another post's."""
    groups = {key: usable(members) for key, members in _post_groups(root).items()}
    page_total = len(squash(root.text_content()))
    candidates = sorted(
        (members for members in groups.values() if len(members) >= 2), key=total, reverse=True
    )
    for members in candidates:
        if page_total == 0 or total(members) < 0.3 * page_total:
            break
        found = _around(_narrowed(members, groups), now)
        signed = sum(1 for post in found if post.author and post.published)
        if signed >= 2 and signed >= 0.8 * len(found):
            return found
    return []


def _narrowed(
    body: list[lxml.html.HtmlElement],
    groups: dict[tuple[str, str], list[lxml.html.HtmlElement]],
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
            author, published = _generic_author(box, body), _generic_date(box, body, now)
            if author and published:
                found.append(_Found(body, box, own, author, published))
                break
        else:
            author, published = _generic_author(own, body), _generic_date(own, body, now)
            found.append(_Found(body, own, own, author, published))
    return found


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


def _generic_date(
    container: lxml.html.HtmlElement, body: lxml.html.HtmlElement, now: datetime | None
) -> datetime | None:
    """The post's date, from the part of ``container`` outside ``body``: a machine date
    (``<time datetime>``, a timestamp attribute) first, else a printed one."""
    header = _outside(container, body) if container is not body else [container]
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
    boxes = _boxes(post.zone, post.own)
    for box in boxes:
        ident, anchor = _anchor_id(box)
        if ident:
            return ident, anchor
    return next((ident for box in boxes if (ident := _data_id(box))), None), None


# What a post's buttons and counters say: nobody's words. Folded (no accents, lower case).
_ACTION_WORDS = frozenset(
    (
        "repondre citer citation signaler modifier editer supprimer effacer partager aime "
        "j'aime jaime like likes merci remercier remerciements remonter multi-citation "
        "multiquote quote reply report edit delete share avertir moderer alerter"
    ).split()
)
_EDIT_NOTE = re.compile(
    r"^(?:derniere (?:edition|modification)|(?:message )?(?:modifie|edite)|edited)\b.{0,160}$"
)
_SIGNATURE = re.compile(r"signature|(?:^|[\s_-])sig(?:$|[\s_-])", re.I)


# "Citation", "Quote", "Zitat" heading a quote, the quoted author on the next line.
_QUOTE_LABEL = re.compile(r"^(?:citation|citer|quote|zitat|cita)\b")


def _citations(quote: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """A quote's attribution: what quotes.generic_citations knows, or a short first
    element that starts with a quote label ("Citation<br>Bob")."""
    found = generic_citations(quote)
    # The innermost element the quote opens with (<div><small>Citation<br>Bob</small>…).
    first = quote
    while not (first.text or "").strip():
        children = [child for child in first if isinstance(child.tag, str)]
        if not children:
            break
        first = children[0]
    label = fold_plain(spaced_text(first))
    if first is not quote and first not in found and len(label) <= 80 and _QUOTE_LABEL.match(label):
        found.append(first)
    return found


def _is_action_bar(node: lxml.html.HtmlElement) -> bool:
    """A row of buttons or counters ("Répondre Citer Signaler", "J'aime 3")."""
    if not node.xpath(".//a | .//button | .//span") and node.tag not in ("a", "button"):
        return False
    words = re.findall(r"[a-z'+-]+", fold_plain(squash(node.text_content())))
    return bool(words) and all(word in _ACTION_WORDS for word in words)


def _without_boilerplate(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of a message without what the software adds to it: signatures, edit
    notes, buttons and like counters, and the "X a écrit :" line above a quote."""
    body = copy.deepcopy(body)
    for node in list(body.iterdescendants()):
        if not isinstance(node.tag, str) or node.getparent() is None:
            continue
        marks = " ".join(filter(None, (node.get("class"), node.get("id"))))
        text = fold_plain(squash(node.text_content()))
        if (
            _SIGNATURE.search(marks)
            or (node.tag != "blockquote" and _is_action_bar(node))
            or (len(text) < 200 and _EDIT_NOTE.match(text))
        ):
            node.drop_tree()
    drop_quote_lead_ins(body)
    return body


# Pagination blocks and their current page, as engines name them ("pagination",
# "paging", "pageNav", "pages", "Pager"), or as accessibility markup says it.
_PAGINATION_BLOCKS = (
    "//*[contains(translate(@class, 'PAGINTOR', 'pagintor'), 'pagin')"
    " or contains(@class, 'pageNav') or contains(@class, 'pages')"
    " or contains(translate(@class, 'PAGER', 'pager'), 'pager')]"
)
_CURRENT_PAGE = (
    ".//*[@aria-current='page' or contains(@class, 'active') or contains(@class, 'current')"
    " or contains(@class, 'selected') or contains(translate(@class, 'H', 'h'), 'highlight')]"
    " | .//strong | .//b"
)


def parse_generic_thread(
    root: lxml.html.HtmlElement, url: str, now: datetime | None, per_page: int | None
) -> ThreadPage:
    pagination = read_pagination(root, url, _PAGINATION_BLOCKS, _CURRENT_PAGE)
    page_url, page, thread_url = thread_frame(root, url, pagination)
    title = thread_title(root, None)
    work = copy.deepcopy(root)
    for node in work.xpath("|".join(f"//{tag}" for tag in _GENERIC_DROP)):
        node.drop_tree()
    found = _post_chain(work, now)
    offset = page_offset(url, page, pagination, len(found), per_page)
    posts: list[Post] = []
    for index, post in enumerate(found, start=1):
        post_id, anchor = _generic_id(post)
        text, quotes = split_quotes(_without_boilerplate(post.body), generic_quotes, _citations)
        position = _shown_number(post) or offset + index
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


_THREAD_HINT = re.compile(r"sujet|topic|thread|discussion|viewtopic|showthread|/t/|message", re.I)
# A member's profile is never the thread a row lists.
_PROFILE_LINK = re.compile(
    r"/u\d+\b|/users?/|/members?/|/membres?/|/profiles?\b|/profil\b|memberlist|viewprofile", re.I
)
_REPLY_LABEL = r"(?:reponses?|replies|commentaires?|comments?|messages?)"
# "12 réponses", or a label before its number ("Réponses 12", <dt>Réponses</dt><dd>12</dd>);
# never the minutes of a time ("20:04 Réponses").
_REPLIES = (
    re.compile(rf"(?<![\d:])(\d+)\s*{_REPLY_LABEL}\b"),
    re.compile(rf"\b{_REPLY_LABEL}\s*:?\s*(\d+)\b(?!\s*[:/h])"),
)


def _row_link(
    row: lxml.html.HtmlElement, url: str, host: str | None
) -> lxml.html.HtmlElement | None:
    # The thread's link: one that says it leads to a thread, else the longest title.
    links = [
        a
        for a in row.xpath(".//a[@href]")
        if (absolute(url, a.get("href")) or "").startswith(("http://", "https://"))
        and urlsplit(absolute(url, a.get("href")) or "").hostname == host
        and not _PROFILE_LINK.search(a.get("href") or "")
    ]
    return max(
        links,
        key=lambda a: (
            bool(_THREAD_HINT.search(a.get("href") or "")),
            len(squash(a.text_content())),
        ),
        default=None,
    )


def _row_last_post(
    row: lxml.html.HtmlElement, link: lxml.html.HtmlElement, now: datetime | None
) -> datetime | None:
    # The latest date of the row: a row may also show when the thread started.
    stamps = [
        stamp
        for node in row.xpath(".//time | .//*[@data-time] | .//*[@data-timestamp]")
        if (stamp := machine_date(node)) is not None
    ]
    if stamps:
        return max(stamps)
    row_text = fold_plain(spaced_text(row)).replace(fold_plain(spaced_text(link)), " ")
    return max(find_french_dates(row_text, now), default=None)


def _column_replies(row: lxml.html.HtmlElement) -> int | None:
    """The count in a table row's "Réponses" (or "Messages") column, by its heading."""
    table = next(row.iterancestors("table"), None)
    headings = table.xpath(".//tr[th][1]/th") if table is not None else []
    cells = row.xpath("./td")
    for index, heading in enumerate(headings):
        label = fold_plain(spaced_text(heading))
        if index < len(cells) and re.fullmatch(_REPLY_LABEL, label):
            count = parse_count(cells[index].text_content())
            # A thread's messages include its opening post; its replies do not.
            if count is not None and label.startswith("message"):
                count = max(count - 1, 0)
            return count
    return None


def _row_replies(row: lxml.html.HtmlElement) -> int | None:
    if row.tag == "tr" and (count := _column_replies(row)) is not None:
        return count
    text = fold_plain(spaced_text(row))
    for pattern in _REPLIES:
        if match := pattern.search(text):
            return int(match.group(1))
    cells = row.xpath(
        f".//*[{has_class('reponses')} or {has_class('replies')} or {has_class('posts')}]"
    )
    return parse_count(cells[0].text_content()) if cells else None


def _sibling_rows(root: lxml.html.HtmlElement) -> list[list[lxml.html.HtmlElement]]:
    # Rows without classes (Phorum's <tr>, a home-made <li>): same-tag siblings.
    found = []
    for parent in root.iter("table", "tbody", "ul", "ol", "div"):
        for tag in ("tr", "li", "div", "article"):
            rows = [child for child in parent if child.tag == tag and not child.get("class")]
            if len(rows) >= 2:
                found.append(rows)
    return found


def _thread_rows(
    root: lxml.html.HtmlElement, url: str, now: datetime | None
) -> list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement, datetime | None]]:
    """(row, thread link, last activity) of the board's thread list: the repeated rows
    (same tag and classes) with a same-site link that most look like threads (a link
    that says so, a date, a title), rather than a menu or a list of categories."""
    host = urlsplit(url).hostname
    best: list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement, datetime | None]] = []
    best_score = (0, 0, 0, 0, 0)
    for members in [*_post_groups(root).values(), *_sibling_rows(root)]:
        rows = [
            (member, link, _row_last_post(member, link, now))
            for member in members
            if (link := _row_link(member, url, host)) is not None
        ]
        dated = sum(1 for _, _, last in rows if last)
        titled = sum(1 for _, link, _ in rows if len(squash(link.text_content())) >= 3)
        hinted = sum(1 for _, link, _ in rows if _THREAD_HINT.search(link.get("href") or ""))
        # Between lists as good, the fullest rows: they carry the counts and last dates.
        score = (dated, titled, hinted, len(rows), total([row for row, _, _ in rows]))
        if len(rows) >= 2 and score > best_score:
            best, best_score = rows, score
    return best


def parse_generic_board(root: lxml.html.HtmlElement, url: str, now: datetime | None) -> BoardPage:
    url = base_url(root, url)
    threads: list[ThreadLink] = []
    seen: set[str] = set()
    for row, link, last_post in _thread_rows(root, url, now):
        href = clean_url(absolute(url, link.get("href")) or "")
        if href in seen:
            continue
        seen.add(href)
        threads.append(
            ThreadLink(
                url=href,
                title=squash(link.text_content()),
                replies=_row_replies(row),
                last_post_at=last_post,
                last_page_url=None,
            )
        )
    pagination = read_pagination(root, url, _PAGINATION_BLOCKS, _CURRENT_PAGE)
    return BoardPage(
        "generic",
        tuple(threads),
        clean_url(pagination.next_url) if pagination.next_url else None,
        (),
    )
