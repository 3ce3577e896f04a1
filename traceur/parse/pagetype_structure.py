"""What a page's layout says about its type, read without trusting its metadata: teasers
(blocks whose heading leads to another, deeper page) against one main text, a headline
of its own, a publication date of its own, ``rel=next`` pagination.

Teasers in "Lire aussi" / "Sur le même sujet" boxes, sidebars and footers are set apart:
an article surrounded by links is still an article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.html import absolute, base_url, squash
from traceur.textnorm import fold_plain


@dataclass(frozen=True)
class Structure:
    teasers: int  # teasers of the page's own list (not of a related-links box)
    teaser_text: int  # characters in those teasers
    main_text: int  # characters of the densest block of paragraphs outside any teaser
    headline: bool  # a headline of its own, linking nowhere else
    list_heading: str  # the page's heading when it names a list ("Archives", "Catégorie : …")
    dated: bool  # a publication date outside the teasers
    paginated: bool  # rel=next/prev links or a pager


_HEADINGS = ("h1", "h2", "h3", "h4", "h5")
_OUTSIDE = frozenset({"nav", "footer", "aside", "form", "script", "style", "noscript", "template"})
_AWAY = re.compile(
    r"related|similar|lire-?aussi|read-?more|recommend|popular|plus-lus|most-read|meme-sujet"
    r"|same-|autres|widget-area|widget_|sidebar|more-stories|paginav|post-navigation|comment|cookie|consent"
    r"|outbrain|taboola|breadcrumb",
    re.I,
)
_AWAY_TITLE = re.compile(
    r"^(lire aussi|a lire (aussi|egalement)|sur le meme (sujet|theme)|dans la meme rubrique"
    r"|articles? (similaires|lies|recents)|vous aimerez|les plus lus|autres actualites|voir aussi"
    r"|a voir aussi|related|read more|en lien)",
)
_BLOCK = re.compile(
    r"\b(post|entry|teaser|card|item|node|views-row|hentry|story|article|blog-item|result)", re.I
)
_MORE_LINK = re.compile(
    r"^(lire la suite|lire plus|en savoir plus|continuer|read more|suite)", re.I
)
_LIST_HEADING = re.compile(
    r"^(categorie|category|rubrique|etiquette|tag|mot-cle|mots-cles|archives?|resultats"
    r"|recherche|auteur|articles? (de|par|publies|tagues)|tous les articles|page \d+)\b"
)
_DATE_TEXT = re.compile(
    r"\b\d{1,2}(er)? (janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre"
    r"|novembre|decembre) \d{4}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
_DATE_MARKUP = (
    "//time | //abbr[contains(@class, 'published')] | //*[@itemprop='datePublished']"
    " | //*[contains(@class, 'date') or contains(@class, 'published')]"
)


def _tag(element: lxml.html.HtmlElement) -> str:
    """The tag name ("" for comments and processing instructions); lxml.html's parser
    gives HTML tags in lower case already."""
    tag = element.tag
    return tag if isinstance(tag, str) else ""


def _marks(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def _ancestors(element: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    parent = element.getparent()
    while parent is not None:
        yield parent
        parent = parent.getparent()


def is_away(element: lxml.html.HtmlElement) -> bool:
    """Inside navigation, a sidebar, a footer, a form, comments or a related-links box."""
    for ancestor in (element, *_ancestors(element)):
        tag = _tag(ancestor)
        if tag in ("body", "html"):
            break  # body classes describe the page ("has-sidebar"), not a region of it
        if _away_itself(ancestor):
            return True
    return False


def _away_itself(element: lxml.html.HtmlElement) -> bool:
    tag = _tag(element)
    if tag in _OUTSIDE or (tag == "header" and element.get("role") == "banner"):
        return True
    if _AWAY.search(_marks(element)):
        return True
    return tag in ("section", "div", "ul") and _titled_away(element)


def _away_elements(root: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    """Every element ``is_away`` would name, found in one walk down the tree."""
    away: set[lxml.html.HtmlElement] = set()
    for element in root.iter():
        if not _tag(element) or _tag(element) in ("body", "html"):
            continue
        parent = element.getparent()
        if (parent is not None and parent in away) or _away_itself(element):
            away.add(element)
    return away


def _titled_away(box: lxml.html.HtmlElement) -> bool:
    for child in box:
        if _tag(child) in _HEADINGS:
            return bool(_AWAY_TITLE.match(fold_plain(squash(child.text_content()))))
    return False


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _same_page(a: str, b: str) -> bool:
    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        return (_site(url), parts.path.rstrip("/") or "/", parts.query)

    return key(a) == key(b)


# Headings that lead to lists or to people (a forum post's author) are no teasers.
_LIST_TARGET = re.compile(
    r"/(category|categories|categorie|tag|tags|label|author|auteurs?|page/\d+|search"
    r"|members?|membres?|users?|u|profile|profil)(/|$|[.-])",
    re.I,
)


_PAGING = re.compile(r"([-/_.]?(page|start|p)[-/_=]?\d+)+|\.html?$|/$", re.I)


def _unpaged(url: str) -> str:
    """The URL of a list or thread whatever its page: ``viewtopic-1905-start-5.html`` and
    ``viewtopic-1905.html`` are one thread."""
    parts = urlsplit(url)
    return _PAGING.sub("", f"{_site(url)}{parts.path}?{parts.query}".rstrip("?"))


class _Reader:
    """One pass of questions over one page; the tree is never modified."""

    def __init__(self, root: lxml.html.HtmlElement, url: str) -> None:
        self.root = root
        self.url = url
        self.base = base_url(root, url)
        self.away = _away_elements(root)
        # Asked for every link of the page: worked out once.
        self.site = _site(url)
        self.unpaged = _unpaged(url)

    def leaf_link(self, href: str | None) -> bool:
        """``href`` leads down to another page of this site: not up to a parent, not to
        another page of this same list or thread, not to a list or a person."""
        target = absolute(self.base, href)
        if target is None or _site(target) != self.site or _same_page(target, self.url):
            return False
        path = urlsplit(target).path
        if path in ("", "/") or _LIST_TARGET.search(path):
            return False
        return not self.unpaged.startswith(_unpaged(target))

    def heading_link(self, heading: lxml.html.HtmlElement) -> bool:
        """The heading leads to another page of the site: through a link inside it, a
        link around it, or its block's "read more" / overlay link."""
        if any(self.leaf_link(a.get("href")) for a in heading.iter("a")):
            return True
        for depth, ancestor in enumerate(_ancestors(heading)):
            if depth >= 3:
                break
            if _tag(ancestor) == "a":
                return self.leaf_link(ancestor.get("href"))
        block = self.repeated_block(heading)
        if block is None:
            return False
        title = squash(heading.text_content())
        # A page's own <h1> may be repeated word for word by a "Lire aussi" link of its
        # block (a CMS linking the story to an earlier one of the same title): that link
        # does not make the headline a teaser's.
        own_headline = _tag(heading) == "h1"
        for link in block.iter("a"):
            words = squash(link.text_content())
            same = words == title and not own_headline
            if (not words or same or _MORE_LINK.match(words)) and self.leaf_link(link.get("href")):
                return True
        return False

    @staticmethod
    def repeated_block(heading: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        """The block of a list a heading heads (an <article>, an <li>, a "post"/"card"
        <div>), or None."""
        for depth, ancestor in enumerate(_ancestors(heading)):
            tag = _tag(ancestor)
            if depth >= 4 or tag in ("main", "body"):
                break
            # A teaser's own <header> ("entry-header") is part of the block, not the block.
            if tag in ("article", "li") or (
                tag not in ("header", "a", "h1", "h2", "h3")
                and _BLOCK.search(ancestor.get("class") or "")
            ):
                return ancestor
        return None

    def block_of(self, heading: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        """The teaser a linking heading belongs to: its repeated block, else its parent."""
        block = self.repeated_block(heading)
        if block is not None:
            return block
        parent = heading.getparent()
        if parent is not None and _tag(parent) in ("header", "a"):
            parent = parent.getparent()
        return parent

    def teaser_blocks(
        self,
    ) -> tuple[
        list[lxml.html.HtmlElement], list[lxml.html.HtmlElement], set[lxml.html.HtmlElement]
    ]:
        """Blocks of the page's own list, blocks of related-links boxes, and every element
        inside either (what the main text is not read from): blocks headed
        by a heading that leads to a leaf page, and runs of three or more look-alike
        sibling blocks each holding a title link (lists whose titles are no headings)."""
        own: list[lxml.html.HtmlElement] = []
        away: list[lxml.html.HtmlElement] = []
        claimed = _Claimed()
        for heading in self.root.iter(*_HEADINGS):
            if not self.heading_link(heading):
                continue
            block = self.block_of(heading)
            if block is not None and claimed.take(block):
                (away if heading in self.away else own).append(block)
        for block in self.repeated_link_blocks():
            if claimed.take(block):
                (away if block in self.away else own).append(block)
        return own, away, claimed.inside

    def repeated_link_blocks(self) -> Iterator[lxml.html.HtmlElement]:
        for parent in self.root.iter():
            groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
            for child in parent:
                if _tag(child):
                    groups.setdefault((_tag(child), child.get("class") or ""), []).append(child)
            for members in groups.values():
                linked = [m for m in members if len(members) >= 3 and self.title_link(m)]
                if len(linked) >= 3 and len(linked) * 5 >= len(members) * 3:
                    yield from linked

    def title_link(self, block: lxml.html.HtmlElement) -> bool:
        """The block is, or holds, a link of four words or more to a leaf page, and that
        link is a title, not a few words linked inside running text."""
        if _tag(block) == "a":
            parent = block.getparent()
            prose = [parent.text or ""] + [child.tail or "" for child in parent]
            if len(squash(" ".join(prose))) >= 40:
                return False
            links = [block]
        else:
            links = list(block.iter("a"))
        size = len(squash(block.text_content()))
        for link in links:
            words = squash(link.text_content())
            if (
                len(words.split()) >= 4
                and len(words) * 4 >= size
                and self.leaf_link(link.get("href"))
            ):
                return True
        return False

    def main_block(
        self, skipped: set[lxml.html.HtmlElement]
    ) -> tuple[int, lxml.html.HtmlElement | None]:
        """The densest block of text and its size: each paragraph counts for its parent,
        half for its grandparent (so entries of a live blog add up), outside teasers and
        boilerplate."""
        scores: dict[lxml.html.HtmlElement, float] = {}
        for unit, length in self.text_units(skipped):
            parent = unit.getparent()
            if parent is None:
                continue
            scores[parent] = scores.get(parent, 0.0) + length
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + length / 2
        if not scores:
            return 0, None
        best = max(scores, key=lambda element: scores[element])
        return int(scores[best]), best

    def text_units(
        self, skipped: set[lxml.html.HtmlElement]
    ) -> Iterator[tuple[lxml.html.HtmlElement, int]]:
        for element in self.root.iter("p", "div", "td", "blockquote", "section", "li"):
            if _tag(element) == "p":
                length = len(squash(element.text_content()))
            else:
                # Text written straight into a block, lines cut by <br> (Blogger, old CMSs).
                own = [element.text or ""] + [child.tail or "" for child in element]
                length = len(squash(" ".join(own)))
            if length < 40 or self.skipped(element, skipped):
                continue
            yield element, length

    def skipped(self, element: lxml.html.HtmlElement, skipped: set[lxml.html.HtmlElement]) -> bool:
        """``element`` is in a teaser (``skipped`` holds every element of every teaser) or
        in boilerplate."""
        return element in skipped or element in self.away

    def headline(self, skipped: set[lxml.html.HtmlElement]) -> bool:
        """A title of its own: the page's first <h1> that links nowhere else (a logo in an
        <h1> leads home), or without one the first such <h2>/<h3>; four words or more, and
        not the name of a list ("Archives : novembre")."""
        for levels in (("h1",), ("h2", "h3")):
            for heading in self.root.iter(*levels):
                if self.skipped(heading, skipped) or self.links_elsewhere(heading):
                    continue
                words = squash(heading.text_content()).split()
                if levels == ("h1",) or len(words) >= 4:
                    return len(words) >= 4 and not _LIST_HEADING.match(fold_plain(" ".join(words)))
        return False

    def links_elsewhere(self, heading: lxml.html.HtmlElement) -> bool:
        return any(
            a.get("href") and not _same_page(absolute(self.base, a.get("href")) or "", self.url)
            for a in heading.iter("a")
        )

    def list_heading(self) -> str:
        for heading in self.root.iter("h1"):
            words = squash(heading.text_content())
            return words[:60] if _LIST_HEADING.match(fold_plain(words)) else ""
        return ""

    def dated(self, skipped: set[lxml.html.HtmlElement]) -> bool:
        if self.root.xpath(
            "//meta[@property='article:published_time' or @itemprop='datePublished'"
            " or @name='date' or @property='og:published_time']"
        ):
            return True
        for element in self.root.xpath(_DATE_MARKUP):
            if self.skipped(element, skipped):
                continue
            value = element.get("datetime") or element.get("title") or element.text_content()
            if re.search(r"\d{4}", value or "") or _DATE_TEXT.search(fold_plain(value or "")):
                return True
        return False

    def paginated(self) -> bool:
        if self.root.xpath("//link[@rel='next' or @rel='prev']"):
            return True
        for link in self.root.xpath("//a[@rel='next' or @rel='prev']"):
            marks = " ".join(_marks(a) for a in (link, *_ancestors(link)))
            if re.search(r"pag", marks) and "post-navigation" not in marks:
                return True
        return bool(self.root.xpath("//*[contains(@class, 'pagination') or @class='pager']"))


class _Claimed:
    """Teaser blocks found so far; a block inside one of them, or holding one, is not
    another teaser."""

    def __init__(self) -> None:
        self.inside: set[lxml.html.HtmlElement] = set()
        self.around: set[lxml.html.HtmlElement] = set()

    def take(self, block: lxml.html.HtmlElement) -> bool:
        if block in self.inside or block in self.around:
            return False
        self.inside.update(block.iter())
        self.around.update(_ancestors(block))
        return True


def _trailing(
    root: lxml.html.HtmlElement, main: lxml.html.HtmlElement, blocks: list[lxml.html.HtmlElement]
) -> bool:
    """Every block comes after the main text and outside it: the "more to read" under an
    article, whatever its box is called."""
    order = {element: position for position, element in enumerate(root.iter())}
    return all(
        order.get(block, -1) > order.get(main, 0) and not any(a is main for a in _ancestors(block))
        for block in blocks
    )


def read_structure(root: lxml.html.HtmlElement, url: str) -> Structure:
    """What the layout of ``root`` (fetched from ``url``) says, without modifying it."""
    reader = _Reader(root, url)
    own, away, skipped = reader.teaser_blocks()
    main_text, main = reader.main_block(skipped)
    teaser_text = sum(min(len(squash(block.text_content())), 600) for block in own)
    # Teasers under a main text longer than all of them are its "read more", not a list.
    dominant = main is not None and main_text >= 400 and main_text > teaser_text
    if own and dominant and main is not None and _trailing(root, main, own):
        own, teaser_text = [], 0
    return Structure(
        teasers=len(own),
        teaser_text=teaser_text,
        main_text=main_text,
        headline=reader.headline(skipped),
        list_heading=reader.list_heading(),
        dated=reader.dated(skipped),
        paginated=reader.paginated(),
    )
