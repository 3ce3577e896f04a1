"""Where a page's own content stands: its headline, the article (or main element) that
holds it, and the zones whose text is someone else's (menus, sidebars, teasers, comments,
the site's header and footer); and the page's visible text in blocks, in reading order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html

from traceur.parse.html import squash
from traceur.textnorm import fold_plain


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how headings and labels are compared."""
    return fold_plain(squash(text))


_SKIP_TAGS = frozenset("script style noscript template svg select textarea iframe".split())
_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd blockquote h1 h2 h3 h4 h5 h6 tr td th table section article "
    "header footer aside figure figcaption address main nav form".split()
)
# Zones whose dates are someone else's: other articles, comments, the site's furniture.
_AWAY_TAGS = frozenset(("aside", "nav", "form"))
_AWAY_WORDS = re.compile(
    r"(?:^|[-_])(?:comments?|commentaires?|reactions?|disqus|replies|sidebar|widgets?|"
    r"related|similar|teasers?|popular|populaires?|trending|recommended|recommandes?|"
    r"outbrain|taboola|newsletter|breadcrumbs?|ariane|share|sharing|partage|social|"
    r"ads?|advert|publicite|promo|nav|navigation|menu|cookies?|consent|masthead|"
    r"topbar|ticker|breaking|cards?|latest|dernieres?|archives?|lire|aussi|plus-lus|"
    r"mostread|most-read|une|autres|agenda|footer|copyright|colophon)(?:$|[-_])"
)
ARTICLE_TYPES = frozenset(
    "Article NewsArticle BlogPosting ReportageNewsArticle AnalysisNewsArticle "
    "OpinionNewsArticle BackgroundNewsArticle ReviewNewsArticle LiveBlogPosting "
    "SocialMediaPosting DiscussionForumPosting TechArticle Report SatiricalArticle".split()
)
PAGE_TYPES = frozenset(("WebPage", "ItemPage"))
_TITLE_CHARS = 15  # shorter headings ("Actualités") say nothing of which is the headline


def css_marks(element: lxml.html.HtmlElement) -> Iterator[str]:
    yield from f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()


class PageLayout:
    """Where the title and the main article stand, and which zones are not theirs."""

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self.tree = tree
        self.title = self._find_title()
        self.keep = set(self.title.iterancestors()) if self.title is not None else set()
        if self.title is not None:
            self.keep.add(self.title)
        self.main = self._find_main()
        if self.main is not None:
            # The main article may stand after a title printed outside it (Drupal).
            self.keep.add(self.main)
            self.keep.update(self.main.iterancestors())

    def _find_title(self) -> lxml.html.HtmlElement | None:
        """The headline: the longest heading that the page's <title> repeats (blog
        engines put the site's name in <h1> and the post's in <h2>), else the first
        <h1> of the article or main element, else the first <h1> out of the furniture."""
        headings = [h for h in self.tree.iter("h1") if not self._in_furniture(h)]
        page_title = fold(self.tree.findtext(".//title") or "")
        named = [
            h
            for h in self.tree.iter("h1", "h2")
            if len(fold(h.text_content())) >= _TITLE_CHARS
            and fold(h.text_content()) in page_title
            and not self._in_furniture(h)
        ]
        if named:
            return max(named, key=lambda h: len(fold(h.text_content())))
        inside = [
            h for h in headings if any(a.tag in ("article", "main") for a in h.iterancestors())
        ]
        chosen = inside or headings
        return chosen[0] if chosen else None

    @staticmethod
    def _in_furniture(element: lxml.html.HtmlElement) -> bool:
        """In the site's header, menus, sidebars or footer (not the article's own)."""
        return any(
            a.tag in ("header", "nav", "aside", "footer")
            and not _has_article_below(a)
            and not any(up.tag in ("article", "main") for up in a.iterancestors())
            for a in element.iterancestors()
        )

    def _find_main(self) -> lxml.html.HtmlElement | None:
        if self.title is None:
            return None
        ancestors = list(self.title.iterancestors())
        for test in (
            lambda a: a.tag == "article",
            lambda a: itemtype(a) in ARTICLE_TYPES,
            lambda a: a.tag == "main" or a.get("role") == "main",
        ):
            for ancestor in ancestors:
                if test(ancestor):
                    return ancestor
        return self._article_after_title(ancestors)

    def _article_after_title(
        self, ancestors: list[lxml.html.HtmlElement]
    ) -> lxml.html.HtmlElement | None:
        """Drupal (and CMSs built like it) prints the page's title in a block of its own,
        then the node's <article> in the next block: the first article after the title,
        in the title's region, that is not a comment, a teaser or the site's furniture."""
        title = self.title
        for region in ancestors[:3]:
            seen_title = False
            for element in region.iter():
                if element is title:
                    seen_title = True
                elif (
                    seen_title
                    and element.tag == "article"
                    and itemtype(element) != "Comment"
                    and not any(_AWAY_WORDS.search(w) for w in css_marks(element))
                    and not self._in_furniture(element)
                ):
                    return element
        return None

    def away(self, element: lxml.html.HtmlElement) -> bool:
        """Is ``element`` a zone whose dates are not the main content's own?"""
        if element in self.keep or not isinstance(element.tag, str):
            return False
        if element.tag in ("html", "body"):
            return False
        inside_main = self.main is not None and contains(self.main, element)
        if element.tag in _AWAY_TAGS or itemtype(element) == "Comment":
            return True
        if element.tag in ("header", "footer") or element.tag == "article":
            return not inside_main or element.tag == "article"  # a teaser inside the main
        words = [w for w in css_marks(element) if _AWAY_WORDS.search(w)]
        return bool(words) and not (inside_main and all("footer" in w for w in words))

    def chunks(self) -> Iterator[TextBlock]:
        """The visible text of the page outside the away zones, one chunk per block."""
        body = self.tree.find("body")
        yield from self._walk(body if body is not None else self.tree)

    def _walk(self, element: lxml.html.HtmlElement) -> Iterator[TextBlock]:
        if not isinstance(element.tag, str) or element.tag in _SKIP_TAGS or self.away(element):
            return
        own: list[str] = [element.text or ""]
        times: list[lxml.html.HtmlElement] = [element] if element.tag == "time" else []
        for child in element:
            if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
                yield from self._flush(element, own, times)
                own, times = [], []
                yield from self._walk(child)
            elif (
                isinstance(child.tag, str) and child.tag not in _SKIP_TAGS and not self.away(child)
            ):
                own.append(" ".join(child.itertext()))
                times.extend(child.iter("time"))
            own.append(child.tail or "")
        yield from self._flush(element, own, times)

    def _flush(
        self, element: lxml.html.HtmlElement, own: list[str], times: list[lxml.html.HtmlElement]
    ) -> Iterator[TextBlock]:
        text = squash(" ".join(own))
        if text or times:
            is_title = element is self.title
            yield TextBlock(text, element, tuple(times), is_title)


@dataclass(frozen=True)
class TextBlock:
    """The text of one block (a paragraph, a heading, a byline), its element, the
    ``<time>`` elements in it, and whether it is the headline."""

    text: str
    element: lxml.html.HtmlElement
    times: tuple[lxml.html.HtmlElement, ...]
    is_title: bool


def _has_article_below(element: lxml.html.HtmlElement) -> bool:
    # A <header> that wraps the whole article (some themes do) is not the site's header.
    return next(element.iter("article", "main"), None) is not None


def contains(ancestor: lxml.html.HtmlElement, element: lxml.html.HtmlElement) -> bool:
    """Is ``element`` ``ancestor`` or inside it?"""
    return element is ancestor or any(a is ancestor for a in element.iterancestors())


def itemtype(element: lxml.html.HtmlElement) -> str:
    """The schema.org type of a microdata scope: "https://schema.org/Article" → "Article"."""
    return (element.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]


def in_away_zone(element: lxml.html.HtmlElement, layout: PageLayout) -> bool:
    """Is ``element`` in a zone whose text is not the main content's?"""
    return any(layout.away(a) for a in (element, *element.iterancestors()))


def away_below(
    element: lxml.html.HtmlElement, top: lxml.html.HtmlElement, layout: PageLayout
) -> bool:
    """Is ``element`` in such a zone inside ``top`` (a teaser or comments in the article)?"""
    for ancestor in (element, *element.iterancestors()):
        if ancestor is top:
            return False
        if layout.away(ancestor):
            return True
    return False


def inside(container: lxml.html.HtmlElement | None, element: lxml.html.HtmlElement) -> bool:
    """Like :func:`contains`, false when there is no container."""
    return container is not None and contains(container, element)
