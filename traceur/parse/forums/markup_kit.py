"""The shape of an engine's markup table (where a thread page and a board put each
part), and the small builders the tables of :mod:`markup_classic` and
:mod:`markup_modern` are written with.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import lxml.html

from traceur.parse.dates import element_date, parse_french_date
from traceur.parse.forums.quotes import Finder
from traceur.parse.html import first_text, parse_count, squash

Element: TypeAlias = lxml.html.HtmlElement


@dataclass(frozen=True)
class ThreadMarkup:
    name: str  # the engine family, as detect_engine names it
    post: str  # post containers, in page order
    post_id: Callable[[Element], str | None]
    anchor: Callable[[Element, str], str | None]
    author: Callable[[Element], str | None]
    date: str  # relative to the post: where its date is shown
    content: str  # relative to the post: the message itself
    quote: Finder  # quote blocks inside the message
    citation: Finder
    junk: str | None  # relative to the message: never the author's words
    number: Callable[[Element], int | None]  # the engine's shown post number
    title: str
    pagination: str  # pagination blocks of a thread page
    current: str  # relative to a pagination block: the current page
    # Cuts what a message carries after the author's words (phpBB 2's signature line).
    trim: Callable[[Element], None] | None = None
    # A date the engine keeps out of the visible date (Invision's quote data).
    stamp: Callable[[Element], datetime | None] | None = None
    # Attribute giving the posts per page (Invision 4), when the engine prints one.
    per_page: str | None = None


@dataclass(frozen=True)
class BoardMarkup:
    rows: str  # one element per thread
    link: str  # relative to a row: the thread's title link
    replies: Callable[[Element], int | None]
    last: str  # relative to a row: where the last activity is shown
    last_page: str  # relative to a row: links of the row's mini-pagination
    subforums: str
    pagination: str
    current: str


def id_from(pattern: str, *attrs: str) -> Callable[[Element], str | None]:
    """The first match of ``pattern`` in ``attrs`` of the post or its descendants."""
    regex = re.compile(pattern)

    def find(post: Element) -> str | None:
        for attr in attrs:
            for node in [post, *post.iterdescendants()]:
                match = regex.search(node.get(attr) or "") if isinstance(node.tag, str) else None
                if match:
                    return match.group(1)
        return None

    return find


def author_at(xpath: str, attr: str | None = None) -> Callable[[Element], str | None]:
    """The author's name: the post's ``attr`` when it has one, else the text at ``xpath``."""

    def find(post: Element) -> str | None:
        if attr and squash(post.get(attr)):
            return squash(post.get(attr))
        return first_text(post, xpath)

    return find


def anchor_as(template: str) -> Callable[[Element, str], str | None]:
    """The post's anchor from its id: ``anchor_as("post{}")``."""
    return lambda post, ident: template.format(ident)


def own_id_anchor(post: Element, ident: str) -> str | None:
    return post.get("id") or None


def number_at(
    xpath: str | None, pattern: str = r"#?\s*(\d+)", plus: int = 0
) -> Callable[[Element], int | None]:
    """The shown post number (``#12``) at ``xpath``; ``plus`` turns an engine's reply
    number ("Réponse #3" is the fourth post) into a position."""
    regex = re.compile(pattern)

    def find(post: Element) -> int | None:
        if not xpath:
            return None
        match = regex.search(first_text(post, xpath) or "")
        return int(match.group(1)) + plus if match else None

    return find


def replies_at(xpath: str) -> Callable[[Element], int | None]:
    def find(row: Element) -> int | None:
        return parse_count(first_text(row, xpath))

    return find


def cut_after_line(marker: str) -> Callable[[Element], None]:
    """A trim that drops a message's text from ``marker`` on, with the elements after
    it: phpBB 2 prints its signatures inside the message, after a line of underscores."""

    def trim(message: Element) -> None:
        for node in message.iter():
            if not isinstance(node.tag, str):
                continue
            if node.text and marker in node.text:
                node.text = node.text.split(marker, 1)[0]
                for child in list(node):
                    node.remove(child)
                _drop_following(node)
                return
            if node.tail and marker in node.tail:
                node.tail = node.tail.split(marker, 1)[0]
                _drop_following(node)
                return

    return trim


def _drop_following(node: Element) -> None:
    # Everything after ``node`` inside its parent, and so on up the message.
    while node is not None:
        for sibling in list(node.itersiblings()):
            node.getparent().remove(sibling)
        node = node.getparent()


def quotedata(post: Element) -> dict[str, Any]:
    # Invision repeats author and unix time in data-quotedata for its quote button.
    for raw in post.xpath(".//@data-quotedata"):
        try:
            data = json.loads(str(raw))
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return {}


def read_date(elements: Iterable[Element], now: datetime | None) -> datetime | None:
    """A post's or a row's date: machine-readable first, then the printed date with
    each dated ``title`` put in place of the words it explains (MyBB's
    ``<span title="12/03/2027">Aujourd'hui</span>, 14:05``, XenForo 1's
    ``<span title="12 mars 2027 à 14:05">12 mars 2027</span>``)."""
    return element_date([_titles_spelled_out(element, now) for element in elements], now)


def _titles_spelled_out(element: Element, now: datetime | None) -> Element:
    if not element.xpath("descendant-or-self::*[@title]"):
        return element
    element = copy.deepcopy(element)
    for node in element.xpath("descendant-or-self::*[@title]"):
        title = squash(node.get("title"))
        if re.search(r"\d", title) and parse_french_date(title, now) is not None:
            for child in list(node):
                node.remove(child)
            node.text = title
    return element
