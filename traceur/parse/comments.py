"""A news page's reader comments: where the comment section is, and each comment in it.

Comments are someone else's words under the article, so they become their own
documents (``traceur.parse.comment_lists.Comment``), never part of the article's text.
The section is found, in this order of trust, from:

- the article's JSON-LD ``comment`` list (schema.org ``Comment``, replies nested);
- WordPress's ``ol.commentlist`` / ``ol.comment-list`` of ``li#comment-N`` (the markup
  the blogs read too);
- schema.org microdata (``itemprop="comment"``, ``itemtype`` ``Comment`` or
  ``UserComments``);
- a block whose id or class says so (``section#comments``, ``div.reactions``, a
  newspaper's "Réagir" module) or a heading ("Réactions", "Commentaires (12)",
  "Vos réactions") over repeated blocks that each carry an author: one comment per
  author, the largest element around the name that holds no other author but its
  replies'.

:func:`comment_sections` gives the elements to leave out of the article's text;
:func:`parse_article_comments` gives each comment's author, UTC date, text (without
"Répondre", "Signaler", "J'aime (3)"), id and the comment it answers, in reading
order (their position). Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.html
from lxml import etree

from traceur.parse.comment_lists import (
    WORDPRESS,
    Comment,
    clean_comment_text,
    read_comments,
    said,
)
from traceur.parse.dates import element_date, parse_french_date, parse_iso
from traceur.parse.html import (
    clean_url,
    first_text,
    html_text,
    json_ld_objects,
    json_ld_types,
    parse_html,
    squash,
)
from traceur.parse.pagelayout import ARTICLE_TYPES, PAGE_TYPES
from traceur.textnorm import fold_plain


@dataclass(frozen=True)
class PageComments:
    """The comments under one article, and the title they are filed under."""

    title: str
    comments: tuple[Comment, ...]


# -- a news page's comment section -------------------------------------------------------------

# Class or id words of a comment section ("comments", "commentaires", "reactions",
# "reagir", "comment-list"), as a whole word of a class token: "most-commented" (a
# sidebar of teasers) is not one.
_SECTION_TOKEN = re.compile(
    r"(?:^|[-_])(?:comments?|commentaires?|reactions?|reagir|comment-?list|commentlist)(?:$|[-_])"
)
_SECTION_HEADING = re.compile(
    r"^(?:\d+\s+)?(?:les\s+|vos\s+)?(?:reactions?|commentaires?|comments?|reagir|reagissez)"
    r"(?:\s+(?:des\s+lecteurs|a\s+cet\s+article|sur\s+cet\s+article))?\s*(?:\(\s*\d+\s*\))?\s*:?$"
)
# A class that names the author: "comment-author", "vb-react-auteur", "pseudo",
# "Comment_author__w2" (hashed), "author-name"; not "user-content" or "field--name-body".
_AUTHOR_TOKEN = re.compile(
    r"(?:^|[-_])(?:author|auteur|pseudo|username|user|nickname|fn|commenter|commentateur|"
    r"signature|nom)(?:$|__|[-_](?:name|nom|info|link)$)"
)
_NOT_AUTHOR_TOKEN = re.compile(r"avatar|photo|img|pic|link|count|badge")
_DATE_TOKEN = re.compile(r"(?:^|[-_])(?:date|time|heure|published|publie|timestamp)(?:$|[-_])")
_TEXT_TOKEN = re.compile(
    r"(?:^|[-_])(?:content|text|texte|message|body|contenu|corps|comment-text|comment-body)$"
)
# Buttons and counters under a comment: "Répondre", "Signaler", "J'aime (3)", "12 ▲".
_JUNK_TOKEN = re.compile(
    r"(?:^|[-_])(?:reply|repondre|report|signal|signaler|abuse|like|likes|vote|votes|action|"
    r"actions|toolbar|tools|share|partage|moderation|btn|button|buttons|footer|permalink)(?:$|[-_])"
)
_ID_ATTRS = ("data-comment-id", "data-id", "data-commentid", "itemid", "id")
_PARENT_ATTRS = ("data-parent-id", "data-parent", "data-reply-to", "data-in-reply-to")
_COMMENTED_TYPES = ARTICLE_TYPES | PAGE_TYPES
_MICRODATA = (
    "//*[@itemprop='comment'] | //*[contains(@itemtype, 'schema.org/Comment')]"
    " | //*[contains(@itemtype, 'schema.org/UserComments')]"
)
_DROPPED_TAGS = ("script", "style", "noscript", "form", "button", "template", "svg", "textarea")


def _tokens(element: lxml.html.HtmlElement) -> list[str]:
    words = (element.get("class") or "").split()
    if element.get("id"):
        words.append(element.get("id") or "")
    return [fold_plain(word) for word in words]


def _is_section(element: lxml.html.HtmlElement) -> bool:
    return any(_SECTION_TOKEN.search(token) for token in _tokens(element))


# Every section token holds one of these words; finding the elements whose class or id
# holds one, in XPath, spares folding the class words of every element of the page.
_LOWER = ("ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÊËéèêë", "abcdefghijklmnopqrstuvwxyzeeeeeeee")
_NAMES = f"translate(concat(@class, ' ', @id), '{_LOWER[0]}', '{_LOWER[1]}')"
_MAY_BE_SECTION = etree.XPath(
    f"//*[@class or @id][contains({_NAMES}, 'comment') or contains({_NAMES}, 'reaction')"
    f" or contains({_NAMES}, 'reagir')]"
)


# SPIP's article forum: <ul class="forum"> of <li class="forum-fil">, each message a
# <div class="forum-message" id="forum412">, replies nested. "forum" alone names too much
# (a sidebar of the site's forum topics) to be a section word.
_SPIP_FORUM = etree.XPath(
    "//ul[contains(concat(' ', normalize-space(@class), ' '), ' forum ')]"
    "[.//*[contains(concat(' ', normalize-space(@class), ' '), ' forum-message ')]]"
)
_SPIP_MESSAGE = etree.XPath(
    "*[contains(concat(' ', normalize-space(@class), ' '), ' forum-message ')][@id]"
)


_ARTICLE_INSIDE = etree.XPath(".//h1 | .//*[@itemprop='articleBody'] | self::body | self::main")
_IN_QUOTE = etree.XPath("ancestor::blockquote | ancestor::q")


def _holds_article(element: lxml.html.HtmlElement) -> bool:
    """The element holds the article itself: leaving it out would lose the article."""
    return bool(_ARTICLE_INSIDE(element))


def _is_author(element: lxml.html.HtmlElement) -> bool:
    if element.tag == "cite" or element.get("itemprop") in ("author", "creator"):
        return True
    return any(
        _AUTHOR_TOKEN.search(token) and not _NOT_AUTHOR_TOKEN.search(token)
        for token in _tokens(element)
    )


def _authors(region: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The outermost author elements of ``region`` that name someone, in reading order."""
    found: list[lxml.html.HtmlElement] = []
    for element in region.iter():
        if not isinstance(element.tag, str) or not _is_author(element):
            continue
        # A quoted author (<blockquote><cite>) is no comment of its own.
        if any(found_one in element.iterancestors() for found_one in found) or _IN_QUOTE(element):
            continue
        if 0 < len(squash(element.text_content())) <= 80:
            found.append(element)
    return found


def _depth(element: lxml.html.HtmlElement) -> int:
    return sum(1 for _ in element.iterancestors())


def _wraps_only(
    ancestor: lxml.html.HtmlElement, inner: lxml.html.HtmlElement, author: lxml.html.HtmlElement
) -> bool:
    """``ancestor`` adds nothing around ``inner``, which already says more than the name."""
    if squash(inner.text_content()) == squash(author.text_content()):
        return False
    children = [child for child in ancestor if isinstance(child.tag, str)]
    own_text = (ancestor.text or "") + "".join(child.tail or "" for child in ancestor)
    return len(children) == 1 and not own_text.strip()


def _blocks_by_authors(
    roots: Iterable[lxml.html.HtmlElement], stop: lxml.html.HtmlElement
) -> list[lxml.html.HtmlElement]:
    """One element per comment: for each author, the largest element around it (below
    ``stop``) where every other author is deeper, that is, only in its replies."""
    authors = [author for root in roots for author in _authors(root)]
    depth = {id(author): _depth(author) for author in authors}
    blocks: list[lxml.html.HtmlElement] = []
    for author in authors:
        best = None
        for ancestor in author.iterancestors():
            if ancestor is stop or _holds_article(ancestor):
                break
            others = [
                other
                for other in authors
                if other is not author and ancestor in other.iterancestors()
            ]
            if any(depth[id(other)] <= depth[id(author)] for other in others):
                break
            if best is not None and _wraps_only(ancestor, best, author):
                break  # a replies wrapper around one reply is not the reply
            best = ancestor
        if best is not None and not any(best is block for block in blocks):
            blocks.append(best)
    return blocks


def _stable_id(author: str | None, published: datetime | None, text: str) -> str:
    """An id for a comment the page gives none: from what it says, who and when, so that
    a new comment above it does not change it."""
    key = f"{author or ''}|{published.isoformat() if published else ''}|{text}"
    return "h" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _element_id(element: lxml.html.HtmlElement) -> str | None:
    for attr in _ID_ATTRS:
        match = re.search(r"(\d+)$", element.get(attr) or "")
        if match:
            return match.group(1)
    return None


def _own(
    block: lxml.html.HtmlElement, blocks: list[lxml.html.HtmlElement]
) -> lxml.html.HtmlElement:
    """A copy of ``block`` without its replies, forms and buttons."""
    nested = [other for other in blocks if block in other.iterancestors()]
    paths = [block.getroottree().getpath(other) for other in nested]
    own = copy.deepcopy(block)
    base = block.getroottree().getpath(block)
    # Found first, dropped after: dropping one reply would shift the next one's path.
    replies = [node for path in paths for node in own.xpath("." + path[len(base) :])]
    for node in replies:
        node.drop_tree()
    for node in list(own.iter(*_DROPPED_TAGS)):
        node.drop_tree()
    return own


_INLINE = frozenset(("span", "small", "em", "i", "abbr", "font", "a", "b"))


def _printed_date(element: lxml.html.HtmlElement) -> bool:
    """A short inline element that only prints a date ("13 mars 2027 à 20:11")."""
    if element.tag not in _INLINE or len(element):
        return False
    text = squash(element.text_content())
    return 0 < len(text) <= 40 and parse_french_date(text) is not None


def _parts(own: lxml.html.HtmlElement) -> tuple[list[Any], list[Any], list[Any]]:
    authors, dates, texts = [], [], []
    for element in own.iter():
        if not isinstance(element.tag, str) or element is own:
            continue
        tokens = _tokens(element)
        prop = element.get("itemprop") or ""
        if _is_author(element):
            authors.append(element)
        elif (
            element.tag == "time"
            or prop in ("dateCreated", "datePublished", "commentTime")
            or any(_DATE_TOKEN.search(token) for token in tokens)
            or _printed_date(element)
        ):
            dates.append(element)
        elif prop in ("text", "commentText") or any(_TEXT_TOKEN.search(token) for token in tokens):
            texts.append(element)
    return authors, dates, texts


def _words_alone(
    node: lxml.html.HtmlElement, own: lxml.html.HtmlElement, header: list[Any]
) -> bool:
    """``node`` is still in the comment, has words, and holds no author or date."""
    return (
        any(ancestor is own for ancestor in node.iterancestors())
        and bool(squash(node.text_content()))
        and not any(part is node or part in node.iterancestors() for part in header)
        and not any(node in part.iterancestors() for part in header)
    )


def _block_comment(
    block: lxml.html.HtmlElement, blocks: list[lxml.html.HtmlElement], now: datetime | None
) -> tuple[str | None, str | None, datetime | None, str]:
    """The id, author, date and text of one comment block."""
    own = _own(block, blocks)
    authors, dates, texts = _parts(own)
    author = said(first_text(authors[0], ".")) if authors else None
    published = element_date(dates, now) if dates else None
    if published is None:
        published = parse_french_date(squash(own.text_content())[:200], now)
    junk = [
        node
        for node in own.iter()
        if node is not own
        and isinstance(node.tag, str)
        and any(_JUNK_TOKEN.search(token) for token in _tokens(node))
    ]
    for node in junk:
        node.drop_tree()
    header = [*authors, *dates]
    # The comment's words: its text element when it has one that is not also its header.
    body = next((node for node in texts if _words_alone(node, own, header)), None)
    if body is None:
        for node in header:
            if node.getparent() is not None:
                node.drop_tree()
        body = own
    return _element_id(block), author, published, clean_comment_text(html_text(body))


def _read_blocks(
    blocks: list[lxml.html.HtmlElement], post_url: str, now: datetime | None
) -> tuple[Comment, ...]:
    comments: list[Comment] = []
    ids: dict[int, str] = {}  # by id() of the block: lxml keeps one proxy per live element
    for block in blocks:
        given_id, author, published, text = _block_comment(block, blocks, now)
        if not text:
            continue
        # SPIP numbers the message inside the thread item: <div class="forum-message" id>.
        message = next(iter(_SPIP_MESSAGE(block)), None) if given_id is None else None
        if message is not None:
            given_id = _element_id(message)
        comment_id = given_id or _stable_id(author, published, text)
        while comment_id in ids.values():
            comment_id += "b"
        ids[id(block)] = comment_id
        anchor = (
            block.get("id")
            or (message.get("id") if message is not None else None)
            or f"comment-{comment_id}"
        )
        comments.append(
            Comment(
                comment_id=comment_id,
                author=author,
                published_at=published,
                text=text,
                url=f"{post_url}#{anchor}",
                parent_comment_id=_block_parent(block, ids),
                post_url=post_url,
            )
        )
    return tuple(comments)


def _block_parent(block: lxml.html.HtmlElement, ids: dict[int, str]) -> str | None:
    """The id of the comment ``block`` answers: the comment it is nested in, else the one
    its attributes name."""
    for ancestor in block.iterancestors():
        if id(ancestor) in ids:
            return ids[id(ancestor)]
    # Flat lists say whom a reply answers in an attribute.
    for attr in _PARENT_ATTRS:
        match = re.search(r"(\d+)$", block.get(attr) or "")
        if match and match.group(1) in ids.values():
            return match.group(1)
    return None


def _headed_regions(
    root: lxml.html.HtmlElement,
) -> Iterator[tuple[list[lxml.html.HtmlElement], lxml.html.HtmlElement]]:
    """For each "Réactions" / "Commentaires (12)" heading: what follows it, and the
    element the comments are looked for under."""
    for heading in root.xpath("//h2 | //h3 | //h4 | //*[@role='heading']"):
        if not _SECTION_HEADING.match(fold_plain(squash(heading.text_content())).lower()):
            continue
        parent = heading.getparent()
        if parent is None:
            continue
        if not _holds_article(parent):
            yield [parent], parent.getparent() if parent.getparent() is not None else parent
        else:
            yield [heading, *heading.itersiblings()], parent


def _worded(blocks: list[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    """The blocks that say something besides who and when (a comment, not its header)."""
    return [block for block in blocks if _block_comment(block, blocks, None)[3]]


@dataclass
class _Section:
    elements: list[lxml.html.HtmlElement]  # left out of the article's text
    blocks: list[lxml.html.HtmlElement]  # one per comment


def _sections(root: lxml.html.HtmlElement) -> list[_Section]:
    sections: list[_Section] = []

    def covered(element: lxml.html.HtmlElement) -> bool:
        return any(
            element is kept or kept in element.iterancestors()
            for section in sections
            for kept in section.elements
        )

    spip = _SPIP_FORUM(root)
    for element in [*_MAY_BE_SECTION(root), *spip]:
        if not isinstance(element.tag, str) or covered(element):
            continue
        if not (_is_section(element) or any(element is forum for forum in spip)):
            continue
        # A class that says "comment" may be one comment's: then the list is its parent.
        for candidate in (element, element.getparent()):
            if candidate is None or _holds_article(candidate) or covered(candidate):
                break
            blocks = _worded(_blocks_by_authors([candidate], candidate))
            if blocks or candidate.xpath(".//textarea"):
                sections.append(_Section([candidate], blocks))
                break
    for regions, stop in _headed_regions(root):
        if any(covered(region) for region in regions):
            continue
        blocks = _worded(_blocks_by_authors(regions, stop))
        if blocks:
            sections.append(_Section(regions, blocks))
    return sections


def comment_sections(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The elements of ``root`` that hold reader comments (with their headings, forms and
    buttons): what the article's text leaves out."""
    return _section_elements(root, _sections(root))


def _section_elements(
    root: lxml.html.HtmlElement, sections: list[_Section]
) -> list[lxml.html.HtmlElement]:
    elements = [element for section in sections for element in section.elements]
    for comment in root.xpath(_MICRODATA):
        inside = any(comment is e or e in comment.iterancestors() for e in elements)
        if not inside and not _holds_article(comment):
            elements.append(comment)
    return elements + _links_to(root, elements)


def _links_to(
    root: lxml.html.HtmlElement, sections: list[lxml.html.HtmlElement]
) -> list[lxml.html.HtmlElement]:
    """The "4 réactions" / "Réagir" links of the byline that jump to the comments."""
    anchors = {f"#{element.get('id')}" for element in sections if element.get("id")}
    anchors |= {f"#{n.get('id')}" for e in sections for n in e.iter() if n.get("id")}
    return [
        link
        for link in root.xpath("//a[starts-with(@href, '#')]")
        if link.get("href") in anchors
        and len(squash(link.text_content())) <= 40
        and not any(link is e or e in link.iterancestors() for e in sections)
    ]


def _ld_text(value: Any) -> str:
    raw = str(value or "")
    root = parse_html(f"<div>{raw}</div>") if "<" in raw else None
    return clean_comment_text(html_text(root) if root is not None else squash(raw))


def _ld_author(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    name = squash(str(value)) if value else ""
    return name or None


def _ld_comments(
    items: Any, parent: str | None, post_url: str, seen: set[str]
) -> Iterator[Comment]:
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict):
            continue
        text = _ld_text(item.get("text") or item.get("commentText"))
        published = parse_iso(
            str(item.get("dateCreated") or item.get("datePublished") or item.get("commentTime"))
        )
        author = _ld_author(item.get("author") or item.get("creator"))
        link = str(item.get("url") or item.get("@id") or "")
        anchor = link.split("#", 1)[1] if "#" in link else ""
        match = re.search(r"(\d+)$", anchor or str(item.get("identifier") or ""))
        comment_id = match.group(1) if match else _stable_id(author, published, text)
        if text and comment_id not in seen:
            seen.add(comment_id)
            yield Comment(
                comment_id=comment_id,
                author=author,
                published_at=published,
                text=text,
                url=f"{post_url}#{anchor or f'comment-{comment_id}'}",
                parent_comment_id=parent,
                post_url=post_url,
            )
        yield from _ld_comments(item.get("comment") or [], comment_id, post_url, seen)


def _json_ld_comments(root: lxml.html.HtmlElement, post_url: str) -> tuple[Comment, ...]:
    for item in json_ld_objects(root):
        if item.get("comment") and set(json_ld_types(item)) & _COMMENTED_TYPES:
            return tuple(_ld_comments(item["comment"], None, post_url, set()))
    return ()


def _page_title(root: lxml.html.HtmlElement) -> str:
    return (
        first_text(root, "//h1 | //meta[@property='og:title']/@content | //title") or ""
    ).strip()


def parse_article_comments(
    page: str | lxml.html.HtmlElement, url: str, *, now: datetime | None = None
) -> PageComments:
    """The reader comments under the article of ``page`` (its HTML, or its parsed root),
    each linked to ``url`` (the article's address, as its document has it)."""
    root = parse_html(page) if isinstance(page, str) else page
    if root is None:
        return PageComments("", ())
    return _page_comments(root, url, now, lambda: _sections(root))


def read_article_comments(
    root: lxml.html.HtmlElement, url: str, *, now: datetime | None = None
) -> tuple[PageComments, list[lxml.html.HtmlElement]]:
    """``parse_article_comments`` and ``comment_sections`` of one parsed page, its comment
    sections found once for both (a crawled article needs its comments and, for its
    text, what to leave out)."""
    sections = _sections(root)
    return _page_comments(root, url, now, lambda: sections), _section_elements(root, sections)


def _page_comments(
    root: lxml.html.HtmlElement,
    url: str,
    now: datetime | None,
    sections: Callable[[], list[_Section]],
) -> PageComments:
    post_url = clean_url(url)
    comments = _json_ld_comments(root, post_url) or read_comments(root, WORDPRESS, post_url, now)
    if not comments:
        microdata = [element for element in root.xpath(_MICRODATA) if not _holds_article(element)]
        comments = _read_blocks(microdata, post_url, now)
    if not comments:
        blocks = [block for section in sections() for block in section.blocks]
        comments = _read_blocks(blocks, post_url, now)
    return PageComments(_page_title(root), comments)
