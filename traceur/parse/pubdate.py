"""A page's publication date, chosen by one order of trust.

Dates are collected as candidates, each with where it came from, then one is picked:

1. ``structured``: the main content's own metadata: JSON-LD ``datePublished`` of the
   main Article/NewsArticle/BlogPosting (top level or in ``@graph``, never an item
   nested in another), ``article:published_time`` and kin, microdata of the main item,
   ``<time datetime>`` inside the main article (never in sidebars, teasers, comments
   or footers), hAtom's ``<abbr class="published" title="…">``;
2. ``feed``: the date of the feed or sitemap entry that led to the page;
3. ``byline``: a printed date near the title ("Publié le 12 mars 2026 à 14h05",
   "le 13/03/2026 à 12:05", "il y a 3 heures"), local time of Europe/Paris;
4. ``heuristic``: trafilatura's guess, kept only when the page's own URL or its
   visible text prints that day: never a year read from a stylesheet, script or
   image URL.

Update dates ("mis à jour le", ``dateModified``) come after every publication date.
A date at day precision yields to a minute-precise one of another source on the same
day. A date more than a day after the fetch is dropped for the next source, except a
structured one, which is kept and flagged ``future``.

A date without a time of day stands for its calendar day and is stored as 00:00 UTC of
that day, so it reads as the day the page printed. Where the title, the main article and
the zones that are not it stand is ``traceur.parse.pagelayout``'s business.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from traceur.document import to_utc
from traceur.parse.dates import PARIS, find_french_dates, parse_iso, scan_french_dates
from traceur.parse.html import json_ld_top_level, json_ld_types, squash
from traceur.parse.pagelayout import (
    ARTICLE_TYPES,
    PAGE_TYPES,
    PageLayout,
    TextBlock,
    away_below,
    css_marks,
    fold,
    in_away_zone,
    inside,
    itemtype,
)

STRUCTURED = "structured"
FEED = "feed"
BYLINE = "byline"
HEURISTIC = "heuristic"
TRUST = (STRUCTURED, FEED, BYLINE, HEURISTIC)

FUTURE = "future"  # a structured date more than a day ahead, kept
FUTURE_DROPPED = "future_dropped"  # a date more than a day ahead, passed over
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class DateCandidate:
    """One date a page (or its feed entry) gives: when (UTC), from which source,
    whether it has a time of day, and whether it is an update date."""

    when: datetime
    source: str
    precise: bool = True
    modified: bool = False


@dataclass(frozen=True)
class DateChoice:
    published_at: datetime | None = None
    source: str | None = None
    flag: str | None = None


def choose_date(
    candidates: Sequence[DateCandidate], fetched_at: datetime | None = None
) -> DateChoice:
    """The publication date ``candidates`` support, by the order of trust (see the
    module's docstring); ``fetched_at`` (default: now) tells what is in the future."""
    now = to_utc(fetched_at) if fetched_at else datetime.now(UTC)
    ranked = sorted(candidates, key=lambda c: (c.modified, TRUST.index(c.source)))
    flag = None
    usable: list[DateCandidate] = []
    for candidate in ranked:
        if candidate.when - now <= FUTURE_TOLERANCE:
            usable.append(candidate)
        elif candidate.source == STRUCTURED and not usable:
            usable.append(candidate)
            flag = FUTURE
        else:
            flag = flag or FUTURE_DROPPED
    if not usable:
        return DateChoice(flag=flag)
    chosen = usable[0]
    if not chosen.precise:
        chosen = next(
            (c for c in usable if c.precise and not c.modified and _same_day(c, chosen)), chosen
        )
    return DateChoice(chosen.when, chosen.source, flag)


def _same_day(precise: DateCandidate, day: DateCandidate) -> bool:
    # The day a page prints is its local day; a UTC day is accepted as well.
    return day.when.date() in (precise.when.date(), precise.when.astimezone(PARIS).date())


def feed_candidate(published_at: datetime | None) -> list[DateCandidate]:
    """The feed or sitemap entry's date, as a candidate (none when it has no date)."""
    if published_at is None:
        return []
    when = to_utc(published_at)
    return [DateCandidate(when, FEED, precise=when.time() != time(0))]


# -- what the page says -----------------------------------------------------------------


@dataclass(frozen=True)
class PageDates:
    """What a page says of its date: its own candidates, the days it prints (below its
    title) against which a heuristic guess is checked, and the day its URL names."""

    candidates: tuple[DateCandidate, ...] = ()
    printed_days: frozenset[date] = frozenset()
    url_day: date | None = None

    def with_heuristic(self, guess: str | None) -> tuple[DateCandidate, ...]:
        """The candidates, plus trafilatura's guess (``YYYY-MM-DD``) when the page
        prints that day: htmldate also reads years in asset URLs ("/2011/theme.css"),
        and a guess that nothing visible backs is no date. Without one, the day the
        page's URL names ("/2026/03/12/slug") is the guess."""
        stamp = parse_iso(guess, UTC) if guess else None
        backed = stamp.date() if stamp and stamp.date() in self.printed_days else None
        day = backed or self.url_day
        if day is None:
            return self.candidates
        return (*self.candidates, DateCandidate(_day(day), HEURISTIC, precise=False))


def page_dates(
    tree: lxml.html.HtmlElement, url: str, fetched_at: datetime | None = None
) -> PageDates:
    """The structured and byline dates of the page ``tree`` fetched from ``url``."""
    layout = PageLayout(tree)
    chunks = list(layout.chunks())
    candidates = [
        *_json_ld_dates(tree, url),
        *_meta_dates(tree, layout),
        *_microdata_dates(tree, layout),
        *_main_time_dates(layout),
        *_microformat_dates(layout),
        *_byline_dates(chunks, layout, fetched_at),
    ]
    days = _printed_days(chunks[_title_index(chunks) + 1 :])
    day = _url_day(url)
    return PageDates(tuple(candidates), days | {day} if day else days, day)


def _title_index(chunks: list[TextBlock]) -> int:
    return next((i for i, chunk in enumerate(chunks) if chunk.is_title), -1)


def _day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def machine_value(value: str | None) -> DateCandidate | None:
    """A machine-written date (ISO 8601, or RFC 2822 as feeds write it) as a structured
    candidate; a value without a zone is taken as UTC, as metadata is."""
    if not value or not value.strip():
        return None
    text = value.strip()
    stamp = parse_iso(text, UTC)
    if stamp is None:
        try:
            stamp = to_utc(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            return None
    # CMSs write 00:00:00 when they only know the day: that is the day the page names.
    if not _CLOCK.search(text) or _MIDNIGHT.search(text):
        return DateCandidate(_day(_named_day(text, stamp)), STRUCTURED, precise=False)
    return DateCandidate(stamp, STRUCTURED)


_CLOCK = re.compile(r"\d:\d\d")
_MIDNIGHT = re.compile(r"^\s*\d{4}-\d\d-\d\d[T ]00:00(?::00(?:\.0+)?)?\s*(?:Z|[+-]\d|$)", re.I)


def _named_day(text: str, stamp: datetime) -> date:
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text)
    return date(*map(int, match.groups())) if match else stamp.date()


# -- structured metadata --------------------------------------------------------------

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.created",
    "dcterms.issued",
    "dcterms.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "sailthru.date",
    "parsely-pub-date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)


def _meta_dates(tree: lxml.html.HtmlElement, layout: PageLayout) -> list[DateCandidate]:
    named: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").strip().lower()
        if name and meta.get("itemprop") is None and not in_away_zone(meta, layout):
            named.setdefault(name, []).append(meta.get("content") or "")
    found = []
    for names, modified in ((_PUBLISHED_META, False), (_MODIFIED_META, True)):
        for name in names:
            found.extend(_candidates(named.get(name, ()), modified))
    return found


def _candidates(values: Sequence[str], modified: bool = False) -> list[DateCandidate]:
    found = []
    for value in values:
        candidate = machine_value(value)
        if candidate is not None:
            found.append(
                DateCandidate(candidate.when, candidate.source, candidate.precise, modified)
            )
    return found


def _json_ld_dates(tree: lxml.html.HtmlElement, url: str) -> list[DateCandidate]:
    top = json_ld_top_level(tree)
    articles = [obj for obj in top if set(json_ld_types(obj)) & ARTICLE_TYPES]
    main = _main_item(articles, url) or next(
        (obj for obj in top if set(json_ld_types(obj)) & PAGE_TYPES), None
    )
    if main is None:
        return []
    return [
        *_candidates(_strings(main.get("datePublished"))),
        *_candidates(_strings(main.get("dateCreated"))),
        *_candidates(_strings(main.get("dateModified")), modified=True),
    ]


def _main_item(articles: list[dict[str, Any]], url: str) -> dict[str, Any] | None:
    """The article of this page: the one whose URL is the page's, else the first that
    names no other page."""
    page = _bare_url(url)
    elsewhere = []
    for article in articles:
        refs = {_bare_url(ref) for ref in _references(article)}
        if page in refs:
            return article
        # An "@id" with a fragment ("…#article") is the page's own.
        if refs - {""}:
            elsewhere.append(article)
    chosen = [article for article in articles if article not in elsewhere] or articles
    return chosen[0] if chosen else None


def _references(article: dict[str, Any]) -> list[str]:
    entity = article.get("mainEntityOfPage")
    refs = [article.get("url"), entity]
    if isinstance(entity, dict):
        refs += [entity.get("@id"), entity.get("url")]
    return [ref for ref in refs if isinstance(ref, str) and "://" in ref]


def _bare_url(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, (str, int))]


def _microdata_dates(tree: lxml.html.HtmlElement, layout: PageLayout) -> list[DateCandidate]:
    found = []
    for prop, modified in (("datePublished", False), ("dateModified", True)):
        for element in tree.xpath(f"//*[@itemprop='{prop}']"):
            scope = next(
                (a for a in element.iterancestors() if a.get("itemscope") is not None), None
            )
            if scope is not None and itemtype(scope) not in ARTICLE_TYPES | PAGE_TYPES:
                continue  # a comment's, a review's, an embedded video's
            if scope is not None and layout.title is not None and scope not in layout.keep:
                continue  # another article's: a teaser
            if in_away_zone(element, layout):
                continue
            value = element.get("datetime") or element.get("content") or element.text_content()
            found.extend(_candidates([value], modified))
    return found


_UPDATE_WORDS = re.compile(
    r"(?:mis a jour|mise a jour|\bmaj\b|modifie|actualise|updated|edited|derniere modification)"
)
_PUBLISH_WORDS = re.compile(r"(?:publie|mis en ligne|poste|published|posted|cree le)")


def _main_time_dates(layout: PageLayout) -> list[DateCandidate]:
    if layout.main is None:
        return []
    found = []
    for element in layout.main.iter("time"):
        if away_below(element, layout.main, layout):
            continue
        value = element.get("datetime")
        if value is None and element.get("pubdate") is None:
            continue
        found.extend(_candidates([value or element.text_content()], _is_update_time(element)))
    return found


_MICROFORMAT_PUBLISHED = frozenset(("published", "dt-published", "dtstart"))


def _microformat_dates(layout: PageLayout) -> list[DateCandidate]:
    """hAtom's ``<abbr class="published" title="2026-11-24T19:30:00Z">`` (SPIP, older
    WordPress themes): the machine date in the title of a printed day, in the main
    article or beside the title when there is no article element."""
    if layout.title is None:
        return []
    scope = layout.main if layout.main is not None else layout.title.getparent()
    if scope is None:
        return []
    found = []
    for element in scope.iter("abbr", "span", "time"):
        marks = set(css_marks(element))
        if not marks & (_MICROFORMAT_PUBLISHED | {"updated"}) or in_away_zone(element, layout):
            continue
        modified = not marks & _MICROFORMAT_PUBLISHED
        found.extend(_candidates([element.get("title") or ""], modified))
    return found


def _is_update_time(element: lxml.html.HtmlElement) -> bool:
    """``<time class="updated">``, ``itemprop="dateModified"``, "Mis à jour le <time>";
    WordPress writes ``class="published updated"`` on a post never updated."""
    marks = f"{element.get('class') or ''} {element.get('itemprop') or ''}".lower()
    if "published" in marks or "datepublished" in marks:
        return False
    return "modif" in marks or "updated" in marks or _label(fold(_before(element))) == "updated"


def _before(element: lxml.html.HtmlElement) -> str:
    """The words just before ``element`` in its parent ("Mis à jour le" <time>)."""
    parent = element.getparent()
    if parent is None:
        return ""
    words = [parent.text or ""]
    for sibling in parent:
        if sibling is element:
            break
        words += [" ".join(sibling.itertext()), sibling.tail or ""]
    return squash(" ".join(words))[-40:]


# -- the printed byline -----------------------------------------------------------------

# How far from the title a byline may stand, in blocks of text; a byline is short.
_BEFORE_TITLE = 4
_AFTER_TITLE = 10
_BYLINE_CHARS = 220


def _byline_dates(
    chunks: list[TextBlock], layout: PageLayout, fetched_at: datetime | None
) -> list[DateCandidate]:
    """Dates printed near the title: labelled publication dates first, then unlabelled
    ones (below the title before above it), update dates last."""
    start = _title_index(chunks)
    if start < 0:
        return []
    below = chunks[start + 1 : start + _AFTER_TITLE + 1]
    above = chunks[max(0, start - _BEFORE_TITLE) : start][::-1]
    published: list[DateCandidate] = []
    plain: list[DateCandidate] = []
    updated: list[DateCandidate] = []
    for chunk in [*below, *above]:
        if len(chunk.text) > _BYLINE_CHARS:
            continue
        masthead = chunk in above and not inside(layout.main, chunk.element)
        for candidate, label in _chunk_dates(chunk, fetched_at):
            if label == "published":
                published.append(candidate)
            elif label == "updated":
                updated.append(candidate)
            elif masthead and not candidate.precise:
                continue  # "Mardi 20 octobre 2026" over the site's header is today's date
            elif _bylinish(chunk):
                plain.append(candidate)
    return [*published, *plain, *updated]


def _chunk_dates(
    chunk: TextBlock, fetched_at: datetime | None
) -> Iterator[tuple[DateCandidate, str]]:
    folded, found = scan_french_dates(chunk.text, fetched_at)
    previous_start = 0
    for item in found:
        label = _label(folded[max(previous_start, item.start - 40) : item.start])
        previous_start = item.start
        when = item.when if item.has_time else _day(item.when.astimezone(PARIS).date())
        yield DateCandidate(when, BYLINE, item.has_time, label == "updated"), label
    if found:
        return
    for element in chunk.times:  # "<time datetime>" outside the main article
        candidate = machine_value(element.get("datetime"))
        if candidate is not None:
            label = _label(fold(_before(element)))
            yield (
                DateCandidate(candidate.when, BYLINE, candidate.precise, label == "updated"),
                label,
            )


_BYLINE_MARKS = re.compile(r"date|time|meta|byline|publi|auteur|author|signature|dateline|posted")
_SHORT_BYLINE = 60


def _bylinish(chunk: TextBlock) -> bool:
    """An unlabelled date is a byline when it stands alone or in a block marked as one;
    a short sentence of the article ("Le conseil se réunira le 20 mars.") is not."""
    if len(chunk.text) <= _SHORT_BYLINE or chunk.times:
        return True
    return any(_BYLINE_MARKS.search(mark) for mark in css_marks(chunk.element))


def _label(words: str) -> str:
    """ "published", "updated" or "": the nearest such word before a date decides
    ("Mis à jour le 12/03 · Publié le" labels what follows as published)."""
    update = max((m.end() for m in _UPDATE_WORDS.finditer(words)), default=-1)
    publish = max((m.end() for m in _PUBLISH_WORDS.finditer(words)), default=-1)
    if update < 0 and publish < 0:
        return ""
    return "updated" if update > publish else "published"


# -- the days a page prints -------------------------------------------------------------

_URL_DAY = re.compile(r"/(20\d\d|19\d\d)[/-](\d\d)[/-](\d\d)(?:[/-]|\.html?|$)")


def _url_day(url: str) -> date | None:
    parts = urlsplit(url)
    match = _URL_DAY.search(f"{parts.path}?{parts.query}")
    if match:
        with contextlib.suppress(ValueError):  # "/2026/13/45/" is no day
            return date(*map(int, match.groups()))
    return None


def _printed_days(chunks: list[TextBlock]) -> frozenset[date]:
    days: set[date] = set()
    text = " ".join(chunk.text for chunk in chunks)
    for stamp in find_french_dates(text, datetime(2000, 1, 1, tzinfo=UTC)):
        days.add(stamp.astimezone(PARIS).date())
        days.add(stamp.date())
    return frozenset(days)
