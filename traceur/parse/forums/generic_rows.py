"""Repeated elements of a forum page, for engines without a markup table: the groups
of same-tag, same-class elements the post finder starts from, and a board's thread
rows with their reply counts and last activity.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.dates import find_french_dates, machine_date, parse_french_date
from traceur.parse.forums.pagination import read_pagination
from traceur.parse.forums.records import BoardPage, ThreadLink
from traceur.parse.html import (
    absolute,
    base_url,
    clean_url,
    has_class,
    parse_count,
    spaced_text,
    squash,
)
from traceur.parse.posts import total
from traceur.textnorm import fold_plain

# Row-striping and state classes differ between posts of one thread ("bg1"/"bg2",
# "odd"/"even", "ligne1"/"ligne2", "unread"): they must not split the posts' group.
_VOLATILE_CLASSES = frozenset(
    "odd even alt first last unread read new active highlight selected online offline".split()
)


Groups = dict[tuple[str, str], list[lxml.html.HtmlElement]]


def repeated_groups(root: lxml.html.HtmlElement) -> Groups:
    """Elements by (tag, classes), row striping and state classes left out."""
    groups: Groups = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tokens = {
            re.sub(r"\d+$", "", token.lower()) for token in (element.get("class") or "").split()
        }
        # "thread-even"/"thread-odd" stripe rows as "even"/"odd" do.
        tokens = {re.sub(r"[-_](?:odd|even|alt)$", "", token) for token in tokens}
        tokens = {token for token in tokens if token and token not in _VOLATILE_CLASSES}
        if tokens:
            groups.setdefault((element.tag, " ".join(sorted(tokens))), []).append(element)
    return groups


# Pagination blocks and their current page, as engines name them ("pagination",
# "paging", "pageNav", "pages", "Pager"), or as accessibility markup says it.
PAGINATION_BLOCKS = (
    "//*[contains(translate(@class, 'PAGINTOR', 'pagintor'), 'pagin')"
    " or contains(@class, 'pageNav') or contains(@class, 'pages')"
    " or contains(translate(@class, 'PAGER', 'pager'), 'pager')]"
)
CURRENT_PAGE = (
    ".//*[@aria-current='page' or contains(@class, 'active') or contains(@class, 'current')"
    " or contains(@class, 'selected') or contains(translate(@class, 'H', 'h'), 'highlight')]"
    " | .//strong | .//b"
)


_THREAD_HINT = re.compile(r"sujet|topic|thread|discussion|viewtopic|showthread|/t/|message", re.I)
# A member's profile is never the thread a row lists.
PROFILE_LINK = re.compile(
    r"/u\d+\b|/users?/|/members?/|/membres?/|/profiles?\b|/profil\b|memberlist|viewprofile", re.I
)
_REPLY_LABEL = r"(?:reponses?|replies|commentaires?|comments?|messages?)"
# "12 réponses", or a label before its number ("Réponses 12", <dt>Réponses</dt><dd>12</dd>);
# never the minutes of a time ("20:04 Réponses") nor the end of a name ("Nageur03 Réponses").
_REPLIES = (
    re.compile(rf"(?<![\w:])(\d+)\s*{_REPLY_LABEL}\b"),
    re.compile(rf"\b{_REPLY_LABEL}\s*:?\s*(\d+)\b(?!\s*[:/h])"),
)


# Class, itemprop or id words of an element that prints a date.
DATE_CLASS = re.compile(r"date|time|heure|posted|poste|publi", re.I)


def tooltip_date(node: lxml.html.HtmlElement, now: datetime | None) -> datetime | None:
    """The exact moment a date element gives as its tooltip: engines that print a rounded
    age ("il y a 1 jour 15 heures") put the minute there (Kunena)."""
    marks = " ".join(filter(None, (node.get("class"), node.get("itemprop"), node.get("id"))))
    if not marks or not DATE_CLASS.search(marks):
        return None
    return parse_french_date(node.get("title") or "", now)


def row_link(
    row: lxml.html.HtmlElement, url: str, host: str | None
) -> lxml.html.HtmlElement | None:
    # The thread's link: one that says it leads to a thread, else the longest title.
    links = [
        a
        for a in row.xpath(".//a[@href]")
        if (absolute(url, a.get("href")) or "").startswith(("http://", "https://"))
        and urlsplit(absolute(url, a.get("href")) or "").hostname == host
        and not PROFILE_LINK.search(a.get("href") or "")
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
    # A rounded age ("il y a 1 jour") with the exact moment as its tooltip (Kunena).
    tooltips = [stamp for node in row.xpath(".//*[@title]") if (stamp := tooltip_date(node, now))]
    if tooltips:
        return max(tooltips)
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


def thread_rows(
    root: lxml.html.HtmlElement, url: str, now: datetime | None
) -> list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement, datetime | None]]:
    """(row, thread link, last activity) of the board's thread list: the repeated rows
    (same tag and classes) with a same-site link that most look like threads (a link
    that says so, a date, a title), rather than a menu or a list of categories."""
    host = urlsplit(url).hostname
    best: list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement, datetime | None]] = []
    best_score = (0, 0, 0, 0, 0)
    for members in [*repeated_groups(root).values(), *_sibling_rows(root)]:
        rows = [
            (member, link, _row_last_post(member, link, now))
            for member in members
            if (link := row_link(member, url, host)) is not None
        ]
        # Counted by thread: cells of one row (Kunena's title cell and last-post cell)
        # repeat a link to the same thread and are not twice as many threads.
        threads = {_thread_key(url, link) for _, link, _ in rows}
        dated = len({_thread_key(url, link) for _, link, last in rows if last})
        titled = len(
            {_thread_key(url, link) for _, link, _ in rows if len(squash(link.text_content())) >= 3}
        )
        hinted = len(
            {
                _thread_key(url, link)
                for _, link, _ in rows
                if _THREAD_HINT.search(link.get("href") or "")
            }
        )
        # Between lists as good, the fullest rows: they carry the counts and last dates.
        score = (dated, titled, hinted, len(threads), total([row for row, _, _ in rows]))
        if len(rows) >= 2 and score > best_score:
            best, best_score = rows, score
    return best


def _thread_key(url: str, link: lxml.html.HtmlElement) -> str:
    return clean_url(absolute(url, link.get("href")) or "")


def parse_generic_board(root: lxml.html.HtmlElement, url: str, now: datetime | None) -> BoardPage:
    url = base_url(root, url)
    threads: list[ThreadLink] = []
    seen: set[str] = set()
    for row, link, last_post in thread_rows(root, url, now):
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
    pagination = read_pagination(root, url, PAGINATION_BLOCKS, CURRENT_PAGE)
    return BoardPage(
        "generic",
        tuple(threads),
        clean_url(pagination.next_url) if pagination.next_url else None,
        (),
    )
