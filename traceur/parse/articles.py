"""Main-content extraction: title, author, date, text and language of a fetched page.

trafilatura does the heavy lifting (boilerplate removal); the publication date is chosen
by ``traceur.parse.pubdate`` (the page's metadata and byline first, trafilatura's guess
last), and ``<html lang>`` is read from the page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lxml.html
import trafilatura

from traceur.document import parse_utc
from traceur.parse.comments import comment_sections
from traceur.parse.dates import find_french_dates
from traceur.parse.posts import post_texts
from traceur.parse.pubdate import (
    FUTURE,
    DateCandidate,
    DateChoice,
    choose_date,
    feed_candidate,
    page_dates,
)
from traceur.textnorm import fold_plain, strip_control

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    # What the page declares (``<html lang>``); the document's language is read from its
    # words when it is built (traceur.enrich.language).
    declared_lang: str | None
    # Where ``published_at`` came from (traceur.parse.pubdate: "structured", "byline",
    # "heuristic"), ``"future"`` when it is more than a day ahead of the fetch, and every
    # date the page gave, so that the feed entry's date can take its place in the order.
    date_source: str | None = None
    date_flag: str | None = None
    date_candidates: tuple[DateCandidate, ...] = ()

    def publication(self, entry_date: datetime | None, fetched_at: datetime | None) -> DateChoice:
        """The publication date once the feed or sitemap entry's date is known."""
        own = self.date_candidates
        if not own and self.published_at is not None:  # built by hand, not by extract_page
            own = (DateCandidate(self.published_at, self.date_source or "structured"),)
        return choose_date([*own, *feed_candidate(entry_date)], fetched_at)


# "Accueil > Écoles et jeunesse > <title>": a breadcrumb trail ending with the headline.
_TRAIL = re.compile(r"\s(?:>|»|›|/|\|)\s")
# The words of a byline line besides its date's digits (its author, a link, is gone).
_BYLINE_WORDS = frozenset(
    "par publie publiee le a mis en ligne by on h min er lundi mardi mercredi jeudi vendredi"
    " samedi dimanche lun mar mer jeu ven sam dim janvier fevrier mars avril mai juin juillet"
    " aout septembre octobre novembre decembre janv fevr avr juil sept oct nov dec".split()
)


def _without_lead_furniture(text: str, title: str) -> str:
    """``text`` without what trafilatura keeps of the page head before the article's first
    words: the headline again (kept in the title only), a breadcrumb trail ending with it
    (SPIP's "arbo"), a byline of a date alone ("mardi 24 novembre 2026, par")."""
    lines = text.split("\n")
    dropped = 0
    for line in lines[:3]:
        words = line.strip()
        if (
            title
            and (words == title or (words.endswith(title) and _TRAIL.search(words)))
            or _is_bare_byline(words)
        ):
            dropped += 1
        else:
            break
    kept = "\n".join(lines[dropped:]).lstrip()
    # The headline run on into the first paragraph, on one line.
    if title and kept.startswith(title):
        kept = kept[len(title) :].lstrip()
    return kept


def _is_bare_byline(line: str) -> bool:
    if not line or len(line) > 60 or not find_french_dates(line):
        return False
    return all(word in _BYLINE_WORDS for word in re.findall(r"[a-z]+", fold_plain(line).lower()))


def _declared_lang(tree: lxml.html.HtmlElement) -> str | None:
    for node in tree.xpath("/html/@lang | //meta[@http-equiv='content-language']/@content"):
        lang = str(node).split("-")[0].strip().lower() or None
        if lang:
            return lang
    return None


def _drop_comment_sections(
    tree: lxml.html.HtmlElement, sections: list[lxml.html.HtmlElement] | None
) -> None:
    # trafilatura leaves out the comment lists it recognises by class; a "Réactions"
    # heading over plain blocks, or a newspaper's own "Réagir" module, it keeps as text.
    for section in comment_sections(tree) if sections is None else sections:
        if section.getparent() is not None:
            section.drop_tree()


def extract_page(
    html: str,
    url: str,
    thread: bool = False,
    fetched_at: datetime | None = None,
    *,
    tree: lxml.html.HtmlElement | None = None,
    sections: list[lxml.html.HtmlElement] | None = None,
) -> Extracted | None:
    """Extract the main content of ``html``; None when the page has no main text.

    Reader comments are never part of it, nor the buttons under them: they are their
    own documents (``traceur.parse.comments``).

    ``thread``: the page is a forum thread; its text is every post, not only the block
    a main-content extractor would keep. Its author is left empty (there is one per post).
    ``fetched_at`` (default: now) dates "il y a 3 heures" and tells a future date.

    ``tree``: ``html`` as ``traceur.parse.html.parse_html`` read it, when the caller has
    parsed it already (a crawled page is then parsed once, not twice); extraction reshapes
    it, so the caller must be done with it. ``sections``: that tree's
    ``comment_sections``, when the caller has found them already.
    """
    html = strip_control(html)
    if not html.strip():
        return None
    if tree is None or html.lstrip().startswith("<?xml"):
        # parse_html drops an XML declaration, which lxml refuses in text; extraction has
        # always parsed such a page itself (and given up on it), so it still does.
        sections = None
        try:
            tree = lxml.html.document_fromstring(html)
        except (lxml.etree.ParserError, ValueError):
            return None
    lang = _declared_lang(tree)
    dates = page_dates(tree, url, fetched_at)
    # trafilatura drops <header> blocks as boilerplate, and with them the lead paragraph
    # that many CMSs put in the article's own <header> next to the headline. (Comment
    # sections are found by class, id and headings, never by <header>: those found
    # before this renaming are the ones found after it.)
    for header in tree.xpath("//article//header"):
        header.tag = "div"
    if not thread:
        _drop_comment_sections(tree, sections)
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        # A forum thread's replies may be all trafilatura sees of it when its posts are
        # not found by their markup; an article's comments are never its text.
        include_comments=thread,
        include_tables=True,
        favor_precision=True,
    )
    if result is None:
        return None
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    title = (data.get("title") or "").strip()
    text = (data.get("text") or "").strip()
    text = _without_lead_furniture(text, title)
    comments = (data.get("comments") or "").strip()
    if thread and comments:
        text = f"{text}\n\n{comments}"
    author = (data.get("author") or "").strip() or None
    if thread:
        posts = post_texts(html)
        if posts:
            text = "\n\n".join(posts)
            author = None
    if not text:
        return None
    candidates = dates.with_heuristic(data.get("date"))
    choice = choose_date(candidates, fetched_at)
    if choice.flag == FUTURE:
        log.warning("%s: dated more than a day after its fetch; date kept from its metadata", url)
    return Extracted(
        title=title,
        text=text,
        author=author,
        published_at=choice.published_at,
        declared_lang=lang,
        date_source=choice.source,
        date_flag=choice.flag,
        date_candidates=candidates,
    )


@dataclass
class FeedEntry:
    """What a feed said about an entry: the fallback when the page lacks it."""

    key: str
    title: str = ""
    author: str | None = None
    published_at: datetime | None = None
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedEntry:
        return cls(
            key=data["key"],
            title=data.get("title") or "",
            author=data.get("author"),
            published_at=parse_utc(data.get("published_at")),
            summary=data.get("summary") or "",
        )


@dataclass
class FetchedPage:
    """A page as a collector hands it over."""

    url: str
    source_id: str
    kind: str
    html: str
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    entry: FeedEntry | None = None


class NotADocument(Exception):
    """The page holds no main text worth keeping; the reason says why."""


def extract(
    page: FetchedPage,
    min_text_chars: int,
    *,
    tree: lxml.html.HtmlElement | None = None,
    sections: list[lxml.html.HtmlElement] | None = None,
) -> Extracted:
    """Extract ``page``; raise ``NotADocument`` when it has too little text. ``tree`` and
    ``sections``: the page already parsed, as ``extract_page`` takes them."""
    extracted = extract_page(
        page.html,
        page.url,
        thread=page.kind == "forum_post",
        fetched_at=page.fetched_at,
        tree=tree,
        sections=sections,
    )
    if extracted is None:
        raise NotADocument("no main text")
    if len(extracted.text) < min_text_chars:
        raise NotADocument(
            f"main text too short ({len(extracted.text)} < {min_text_chars} characters)"
        )
    return extracted
