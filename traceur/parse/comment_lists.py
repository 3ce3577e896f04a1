"""Reader comments as records, and comment lists read by their markup.

A comment is someone else's words under someone's post or article, so it becomes its
own document (kind ``comment``) with its own author and date, linked to the page it
was left under by ``post_url`` and to the comment it answers by ``parent_comment_id``.
Comment systems that put each comment in an element with a numbered id (WordPress's
``li#comment-N``, Blogger's ``li#cN``) are described by a :class:`CommentMarkup`; blogs
and news pages share them. Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime

import lxml.html

from traceur.parse.dates import element_date, from_timestamp
from traceur.parse.html import first_text, has_class, html_text, in_order


@dataclass(frozen=True)
class Comment:
    comment_id: str
    author: str | None
    published_at: datetime | None
    text: str
    url: str  # the post's URL + "#" + the comment's anchor
    parent_comment_id: str | None  # the comment this one answers (threaded replies)
    post_url: str  # the post it was left under (no fragment)


# -- comment lists described by their markup ----------------------------------------------


@dataclass(frozen=True)
class CommentMarkup:
    """Where a comment system puts each comment and its parts (XPath, alternatives
    separated by `` | `` tried in order)."""

    comments: str  # every comment element, nested replies included
    own: str  # parts of a comment element that belong to its replies (removed)
    comment_id: re.Pattern[str]  # read from the comment element's id
    author: str
    date: str
    text: str
    junk: str


WORDPRESS = CommentMarkup(
    comments=(
        f"//*[{has_class('comment-list')} or {has_class('commentlist')}]"
        "//li[contains(@id, 'comment-')]"
    ),
    own=f".//ol[{has_class('children')}] | .//ul[{has_class('children')}]",
    comment_id=re.compile(r"comment-(\d+)$"),
    author=(
        f".//*[{has_class('comment-author')}]//*[{has_class('fn')}]"
        f" | .//cite[{has_class('fn')}] | .//*[{has_class('comment-author')}]"
        # Some news themes (tagDiv's Newspaper) print the name in a bare <cite>.
        " | .//footer//cite | .//cite"
    ),
    date=(
        f".//*[{has_class('comment-metadata')}] | .//*[{has_class('commentmetadata')}] | .//time"
    ),
    text=f".//*[{has_class('comment-content')}] | .//*[{has_class('comment-text')}]",
    junk=(
        f".//*[{has_class('reply')}] | .//*[{has_class('comment-awaiting-moderation')}]"
        f" | .//*[{has_class('comment-meta')}]"
    ),
)


def text_without(element: lxml.html.HtmlElement, junk: str) -> str:
    """The text of ``element`` without what ``junk`` selects (the page is not changed)."""
    element = copy.deepcopy(element)
    for node in element.xpath(junk):
        node.drop_tree()
    return html_text(element)


def said(author: str | None) -> str | None:
    if not author:
        return None
    return re.sub(r"\s*(?:dit|a dit|said|says)\s*:?\s*$", "", author, flags=re.I) or None


def read_comments(
    root: lxml.html.HtmlElement, markup: CommentMarkup, post_url: str, now: datetime | None
) -> tuple[Comment, ...]:
    """Each comment ``markup`` finds under ``root`` that has an id, in reading order."""
    found = list(root.xpath(markup.comments))
    comments: list[Comment] = []
    seen: set[str] = set()
    for element in found:
        anchor = element.get("id") or ""
        match = markup.comment_id.search(anchor)
        if match is None or match.group(1) in seen:
            continue
        comment_id = match.group(1)
        seen.add(comment_id)
        # The comment's own part: its replies are nested inside it and are their own comments.
        own = copy.deepcopy(element)
        for node in own.xpath(markup.own):
            node.drop_tree()
        texts = in_order(own, markup.text)
        text = text_without(texts[0] if texts else own, markup.junk)
        parent = None
        for ancestor in element.iterancestors():
            if any(ancestor is other for other in found):
                parent_match = markup.comment_id.search(ancestor.get("id") or "")
                parent = parent_match.group(1) if parent_match else None
                break
        comments.append(
            Comment(
                comment_id=comment_id,
                author=said(first_text(own, markup.author)),
                published_at=_comment_date(own, markup.date, now),
                text=text,
                url=f"{post_url}#{anchor}",
                parent_comment_id=parent,
                post_url=post_url,
            )
        )
    return tuple(comments)


_SHOW_COMMENT = re.compile(r"[?&]showComment=(\d{10,})")


def _comment_date(own: lxml.html.HtmlElement, date: str, now: datetime | None) -> datetime | None:
    # Blogger prints "21 novembre 2026 à 09:27" but its permalink carries the exact
    # time in milliseconds (?showComment=1763713620000).
    for href in own.xpath(".//a/@href"):
        match = _SHOW_COMMENT.search(str(href))
        if match:
            stamp = from_timestamp(match.group(1))
            if stamp:
                return stamp
    return element_date(in_order(own, date), now)


_BUTTON_WORDS = (
    r"r[ée]pondre|signaler(?:\s+(?:un\s+abus|ce\s+commentaire))?|alerter|j[’']aime|"
    r"je\s+n[’']aime\s+pas|partager|citer|modifier|supprimer|masquer|"
    r"voir\s+(?:les|la)\s+\d*\s*r[ée]ponses?|reply|report|like|permalien|lien"
)
_BUTTON_LINE = re.compile(
    rf"^(?:(?:{_BUTTON_WORDS})\s*(?:\(\s*\d+\s*\)|\d+)?\s*[·|•–-]?\s*|[▲▼👍👎+]\s*\d*\s*)+$",
    re.I,
)


def clean_comment_text(text: str) -> str:
    """The comment's words without the lines of buttons and counters under it."""
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line and not _BUTTON_LINE.match(line))
