"""Forum boards and threads: one record per post, whatever the engine.

A thread page is many documents (one per post), each with its own author and date,
so the generic main-content extractor is not enough. This module reads the markup of
the common engines (phpBB, vBulletin 4, XenForo 2, Invision Community, Discourse's
crawler view and its JSON API), falls back on the repeated-block finder of
:mod:`traceur.posts` for home-made engines, and keeps quoted text apart from the
quoting author's own words so a quote of someone else is never tagged as theirs.

Everything here is pure parsing (strings and bytes in, frozen records out): the
spiders fetch, these functions read. No Scrapy import, on purpose.

Incremental passes: a board lists each thread with its reply count and last activity
(:class:`ThreadLink`); :func:`resume_from` compares that with what the previous pass
remembered (:class:`ThreadState`) and says which page to fetch first (the previously
last page, which may have grown), or nothing at all when the thread is unchanged.
Positions do not depend on having seen page 1: each page works out its own offset.
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from .document import to_utc
# The repeated-block finder's building blocks; see _post_chain for why the finder
# itself (which keeps only the innermost level) is not enough here.
from .posts import is_ancestor, total, usable
from .textnorm import fold_plain, strip_control

ENGINES = ("phpbb", "vbulletin", "xenforo", "discourse", "invision", "generic")
PARIS = ZoneInfo("Europe/Paris")
# Discourse serves a topic's JSON 20 posts at a time (TopicView chunk size).
DISCOURSE_PAGE_SIZE = 20


# -- records -------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    post_id: str
    author: str | None
    published_at: datetime | None
    text: str
    quotes: tuple[str, ...]
    position: int
    url: str


@dataclass(frozen=True)
class ThreadPage:
    engine: str
    title: str
    thread_url: str
    page_number: int
    posts: tuple[Post, ...]
    page_urls: tuple[str, ...]
    next_page_url: str | None
    # "Page 2 sur 3" when the page says so (or the highest page linked); None if unknown.
    page_count: int | None = None
    # This page's own URL (its canonical link when on the same site), without fragment.
    page_url: str = ""


@dataclass(frozen=True)
class ThreadLink:
    url: str
    title: str
    replies: int | None
    last_post_at: datetime | None
    last_page_url: str | None


@dataclass(frozen=True)
class BoardPage:
    engine: str
    threads: tuple[ThreadLink, ...]
    next_page_url: str | None
    subforum_urls: tuple[str, ...]


@dataclass(frozen=True)
class ThreadState:
    """What a spider remembers about a thread between passes (JSON-friendly)."""

    replies: int | None
    last_post_at: datetime | None
    last_page_url: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "replies": self.replies,
            "last_post_at": self.last_post_at.isoformat() if self.last_post_at else None,
            "last_page_url": self.last_page_url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThreadState:
        last = data.get("last_post_at")
        return cls(
            replies=data.get("replies"),
            last_post_at=to_utc(datetime.fromisoformat(last)) if last else None,
            last_page_url=str(data["last_page_url"]),
        )


def thread_has_news(link: ThreadLink, state: ThreadState | None) -> bool:
    """True when the board shows activity the previous pass has not seen.

    A board that shows neither a reply count nor a last-post date gives no way to
    tell, so the thread counts as changed (its last page is fetched again)."""
    if state is None:
        return True
    if link.replies is None and link.last_post_at is None:
        return True
    if link.replies is not None and (state.replies is None or link.replies > state.replies):
        return True
    if link.last_post_at is not None and (state.last_post_at is None or link.last_post_at > state.last_post_at):
        return True
    return False


def resume_from(link: ThreadLink, state: ThreadState | None) -> str | None:
    """The first page to fetch for ``link`` on this pass, or None to skip the thread.

    New thread: its first page. Changed thread: the page that was last on the previous
    pass (new posts land there first); follow ``next_page_url`` from it. Posts already
    stored come back unchanged and are deduplicated by their stable ids."""
    if state is None:
        return link.url
    if not thread_has_news(link, state):
        return None
    return state.last_page_url


def state_after(link: ThreadLink | None, last_page: ThreadPage) -> ThreadState:
    """What to remember once the last page of a thread has been fetched this pass."""
    last_post = max((p.published_at for p in last_page.posts if p.published_at), default=None)
    replies = link.replies if link is not None else None
    if replies is None and last_page.posts:
        replies = max(p.position for p in last_page.posts) - 1
    seen_at = link.last_post_at if link is not None and link.last_post_at else last_post
    return ThreadState(replies=replies, last_post_at=seen_at, last_page_url=last_page.page_url or last_page.thread_url)


# -- small helpers shared with blogs.py ---------------------------------------------------


def has_class(name: str) -> str:
    """XPath predicate: the element's class list contains ``name`` (a whole word)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """The document root, or None for an empty or unparsable page."""
    # lxml refuses str input that still carries an encoding declaration (XHTML pages).
    html = _XML_DECLARATION.sub("", strip_control(html))
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def spaced_text(element: lxml.html.HtmlElement) -> str:
    """All the text of ``element``, pieces separated by spaces: unlike text_content(),
    "<td>4</td><td>Aujourd'hui</td>" does not become "4Aujourd'hui"."""
    return squash(" ".join(element.itertext()))


def base_url(root: lxml.html.HtmlElement, url: str) -> str:
    """What relative links resolve against: ``<base href>`` when the page has one
    (vBulletin 4 always does), else the page URL."""
    for href in root.xpath("//head/base/@href | //base/@href"):
        resolved = absolute(url, str(href))
        if resolved:
            return resolved
    return url


def squash(text: str | None) -> str:
    """Whitespace collapsed to single spaces, stripped."""
    return " ".join((text or "").split())


_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 tr table thead tbody section article "
    "header footer aside figure figcaption hr address details summary main nav center".split()
)
_SKIP_TAGS = frozenset("script style noscript template svg button select textarea iframe object".split())


def _is_smiley(img: lxml.html.HtmlElement) -> bool:
    marks = f"{img.get('class') or ''} {img.get('src') or ''}".lower()
    return any(word in marks for word in ("smil", "emoji", "emoticon")) or img.get("data-emoticon") is not None


def html_text(element: lxml.html.HtmlElement) -> str:
    """The text a reader sees in ``element``, one line per rendered line.

    Line breaks come from ``<br>`` and block elements only (newlines in the source
    are plain spaces to a browser); smiley images count as their alt text (":D"),
    because they are part of what the author wrote."""
    parts: list[str] = []

    def walk(node: Any, pre: bool) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is not None and tag.lower() not in _SKIP_TAGS:
            tag = tag.lower()
            if tag == "br":
                parts.append("\n")
            elif tag == "img":
                if _is_smiley(node) and node.get("alt"):
                    parts.append(f" {node.get('alt')} ")
            else:
                block = tag in _BLOCK_TAGS
                inner_pre = pre or tag == "pre"
                if block:
                    parts.append("\n")
                if node.text:
                    parts.append(node.text if inner_pre else _spaces(node.text))
                for child in node:
                    walk(child, inner_pre)
                if block:
                    parts.append("\n")
        if node is not element and node.tail:
            parts.append(node.tail if pre else _spaces(node.tail))

    walk(element, False)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None for non-HTTP links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:", "tel:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


# Session ids and highlight terms change from visit to visit; they are never part of
# which page it is. "start"/"page" are removed only where a first-page URL is wanted.
_SESSION_PARAMS = frozenset({"sid", "phpsessid", "hilit", "highlight", "sessionid"})


def clean_url(url: str, drop: Iterable[str] = ()) -> str:
    parts = urlsplit(url)
    dropped = {name.lower() for name in drop} | _SESSION_PARAMS
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        # vBulletin's "s" is a 32-hex session hash; elsewhere "s" may mean something.
        if key.lower() not in dropped and not (key == "s" and re.fullmatch(r"[0-9a-f]{32}", value))
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def in_order(element: lxml.html.HtmlElement, xpath: str) -> list[Any]:
    """Nodes for ``a | b | c`` in the order of the alternatives, not document order:
    each alternative is a fallback for the one before it."""
    found: list[Any] = []
    for alternative in xpath.split(" | "):
        for node in element.xpath(alternative):
            if not any(node is seen for seen in found):
                found.append(node)
    return found


def first_text(element: lxml.html.HtmlElement, xpath: str) -> str | None:
    """The squashed text of the first node ``xpath`` finds with any text (alternatives
    separated by " | " are tried in order)."""
    for node in in_order(element, xpath):
        text = squash(node if isinstance(node, str) else node.text_content())
        if text:
            return text
    return None


def json_ld_objects(root: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """Every typed object of the page's JSON-LD blocks, flattened: top level, lists,
    ``@graph`` and nested values (a WebPage's ``video``…), in reading order.
    Blocks that are not valid JSON are skipped (CMSs emit broken ones)."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if "@type" in value:
                found.append(value)
            for key, item in value.items():
                if key != "@context":
                    walk(item)

    for script in root.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        # Some CMSs wrap the JSON in an HTML comment or CDATA section.
        raw = re.sub(r"^\s*(?:<!--|/\*<!\[CDATA\[\*/|<!\[CDATA\[)|(?:-->|/\*\]\]>\*/|\]\]>)\s*$", "", raw)
        try:
            walk(json.loads(raw))
        except ValueError:
            continue
    return found


def parse_count(text: str | None) -> int | None:
    """"1 024", "1.024", "12 réponses", "1,2K", "3 M" → an int; None without a number."""
    if not text:
        return None
    folded = fold_plain(text).replace("\u202f", " ")
    match = re.search(r"(\d+(?:[ .,]\d+)*)\s*([km])?\b", folded)
    if match is None:
        return None
    number, suffix = match.group(1), match.group(2)
    if suffix:
        value = float(number.replace(" ", "").replace(",", "."))
        return int(round(value * (1000 if suffix == "k" else 1_000_000)))
    return int(re.sub(r"[ .,]", "", number))


# -- dates -----------------------------------------------------------------------------

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aou": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Matched on folded text (lower case, no accents, straight apostrophes).
_DATE_PATTERNS = (
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(z|[+-]\d{2}:?\d{2})?")),
    ("numeric", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")),
    ("text", re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\b\.?,?\s+(\d{{4}})\b")),
    # "21 nov. à 18:42": the current year is implied (XenForo, Discourse).
    ("text_no_year", re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\b\.?(?!\.?,?\s*\d{{4}})(?=\s*(?:,|a|-)?\s*\d{{1,2}}\s*[h:])")),
    ("relative", re.compile(r"\b(aujourd'hui|avant-hier|hier|today|yesterday)\b")),
    # "Jeudi à 18:42": the last such day of the past week (only with a time, so that
    # "sam. 21 nov. 2026" stays a full date).
    ("weekday", re.compile(r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s*(?=(?:,|a)\s*\d{1,2}\s*[h:])")),
    ("ago", re.compile(r"\bil y a\s+(\d+|une?|quelques)\s+(seconde|minute|min|heure|h|jour|semaine)s?\b")),
)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_TIME = re.compile(r"^\s*(?:,|a|-|@|at|vers)?\s*,?\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?:\s*:\s*(\d{2}))?(?!\d)")
_ISO_START = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")


def parse_iso(value: str | None, tz: ZoneInfo = PARIS) -> datetime | None:
    """ISO 8601 → aware UTC; a value without zone is local time in ``tz`` (the site's)."""
    if not value or not _ISO_START.match(value):
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz))


def from_timestamp(value: str | int | float | None) -> datetime | None:
    """Unix time in seconds (or milliseconds, as Blogger writes it) → aware UTC."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e11:
        number /= 1000
    if number < 1e8:  # before 1973: not a post date, a number that happens to be there
        return None
    return to_utc(datetime.fromtimestamp(number, tz=timezone.utc))


def parse_french_date(text: str | None, now: datetime | None = None, tz: ZoneInfo = PARIS) -> datetime | None:
    """A date as a French (or English) forum prints it → aware UTC, else None.

    "sam. 21 nov. 2026 09:30", "21/11/2026, 09h30", "5 novembre 2026 à 22 h 40",
    "Hier à 18:05", "Aujourd'hui, 08h12", "il y a 3 heures", "2026-11-21 09:30".
    The local time is in ``tz`` (Europe/Paris unless the site says otherwise);
    relative dates count from ``now`` (default: the current time). The first date
    in ``text`` wins."""
    found = find_french_dates(text, now, tz)
    return found[0] if found else None


def find_french_dates(text: str | None, now: datetime | None = None, tz: ZoneInfo = PARIS) -> list[datetime]:
    """Every date :func:`parse_french_date` understands in ``text``, in reading order."""
    if not text:
        return []
    folded = fold_plain(squash(text))
    matches: list[tuple[int, str, re.Match[str]]] = []
    for kind, pattern in _DATE_PATTERNS:
        matches.extend((match.start(), kind, match) for match in pattern.finditer(folded))
    matches.sort(key=lambda item: item[0])
    dates: list[datetime] = []
    covered = -1
    for start, kind, match in matches:
        if start < covered:  # "2026-11-21" is also "11-21"…: one reading per span
            continue
        covered = match.end()
        stamp = _date_from(folded, kind, match, now, tz)
        if stamp is not None:
            dates.append(stamp)
    return dates


def _date_from(folded: str, kind: str, match: re.Match[str], now: datetime | None, tz: ZoneInfo) -> datetime | None:
    if kind == "iso":
        return parse_iso(match.group(0), tz)
    local_now = (now or datetime.now(timezone.utc)).astimezone(tz)
    if kind == "ago":
        amount = {"un": 1, "une": 1, "quelques": 2}.get(match.group(1)) or int(match.group(1))
        unit = match.group(2)
        seconds = {"seconde": 1, "minute": 60, "min": 60, "heure": 3600, "h": 3600, "jour": 86400, "semaine": 604800}[unit]
        return to_utc(local_now - timedelta(seconds=amount * seconds))
    if kind == "relative":
        back = {"aujourd'hui": 0, "today": 0, "hier": 1, "yesterday": 1, "avant-hier": 2}[match.group(1)]
        day = (local_now - timedelta(days=back)).date()
        year, month, dom = day.year, day.month, day.day
    elif kind == "weekday":
        back = (local_now.weekday() - _WEEKDAYS.index(match.group(1))) % 7
        day = (local_now - timedelta(days=back)).date()
        year, month, dom = day.year, day.month, day.day
    elif kind == "text_no_year":
        dom, month, year = int(match.group(1)), _MONTHS[match.group(2)], local_now.year
        if (month, dom) > (local_now.month, local_now.day):
            year -= 1  # "28 déc." read in January is last year's
    elif kind == "numeric":
        dom, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if year < 100:
            year += 2000
    else:
        dom, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    hour = minute = second = 0
    clock = _TIME.match(folded[match.end():])
    if clock and int(clock.group(1)) < 24:
        hour, minute, second = int(clock.group(1)), int(clock.group(2) or 0), int(clock.group(3) or 0)
    try:
        local = datetime(year, month, dom, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None
    return to_utc(local)


_TIMESTAMP_ATTRS = ("data-timestamp", "data-time", "data-unix", "data-epoch")
_ISO_ATTRS = ("datetime", "content", "title", "data-datetime", "data-date")


def machine_date(element: lxml.html.HtmlElement) -> datetime | None:
    """The first machine-readable date on ``element`` or inside it: unix timestamps
    (``data-time`` in XenForo 2.1, ``data-timestamp``), then ISO attributes
    (``<time datetime>``, ``<abbr title>``, ``<meta content>``)."""
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in _TIMESTAMP_ATTRS:
            value = (node.get(attr) or "").strip()
            # XenForo 2.2 reuses data-time for "18:42"; only long digit runs are unix times.
            if len(value) >= 9 and value.isdigit():
                stamp = from_timestamp(value)
                if stamp:
                    return stamp
        for attr in _ISO_ATTRS:
            stamp = parse_iso(node.get(attr))
            if stamp:
                return stamp
    return None


def element_date(elements: Iterable[lxml.html.HtmlElement], now: datetime | None = None) -> datetime | None:
    """Machine-readable date first, then the printed French date, over ``elements``."""
    elements = list(elements)
    for element in elements:
        stamp = machine_date(element)
        if stamp:
            return stamp
    for element in elements:
        stamp = parse_french_date(spaced_text(element), now)
        if stamp:
            return stamp
    return None


# -- quotes ------------------------------------------------------------------------------


Finder = Callable[[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]


def xpath_finder(xpath: str) -> Finder:
    def find(element: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
        return list(element.xpath(xpath))

    return find


def split_quotes(
    content: lxml.html.HtmlElement,
    quote: Finder,
    citation: Finder,
    junk_xpath: str | None = None,
) -> tuple[str, tuple[str, ...]]:
    """(the author's own words, the quoted texts) of a message element.

    Every quote block, nested ones included, gives one entry of ``quotes`` with its own
    text only (the quote it quotes is its own entry, and the "X a écrit :" line is
    dropped). The message text keeps everything outside the outermost quotes."""
    content = copy.deepcopy(content)
    if junk_xpath:
        for node in content.xpath(junk_xpath):
            node.drop_tree()
    quote_nodes = quote(content)
    quotes: list[str] = []
    for node in quote_nodes:
        own = copy.deepcopy(node)
        for inner in quote(own):
            if inner is not own:
                inner.drop_tree()
        for cite in citation(own):
            if cite is not own:
                cite.drop_tree()
        text = html_text(own)
        if text:
            quotes.append(text)
    for node in quote_nodes:
        if not any(other is not node and is_ancestor(other, node) for other in quote_nodes):
            node.drop_tree()
    return html_text(content), tuple(quotes)


_QUOTE_CLASS = re.compile(r"^(?:[a-z0-9]+[-_])*(?:quote|citation|cite)(?:[-_]?(?:box|block|content|container|wrap|message|text))?$", re.I)


def _generic_quotes(content: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    # Unknown engines: <blockquote>, a long <q>, or an element whose class *is* a quote
    # ("quote", "citation", "post-quote", "quotecontent"), not one that merely names a
    # part of it ("citation-auteur", "quotetitle": those are attributions).
    found = []
    for node in content.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "blockquote" or (node.tag == "q" and len(squash(node.text_content())) > 20):
            found.append(node)
        elif any(_QUOTE_CLASS.match(token) for token in (node.get("class") or "").split()):
            found.append(node)
    # "ipsQuote_citation" looks like a quote by its name but is a quote's attribution line.
    return [node for node in found
            if not any(other is not node and is_ancestor(other, node) and node in _generic_citations(other) for other in found)]


_ATTRIBUTION = re.compile(r"(a ecrit|ecrivait|a dit|wrote|said|citation de|posted by|poste par)\s*:?\s*$")
_ATTRIBUTION_CLASS = re.compile(r"title|titre|auteur|author|cite|citation|header|posted|source|expandlink|expand-link", re.I)


def _generic_citations(quote: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    # Unknown engines label quotes in many ways: a <cite>, a child with a telling class,
    # or a bold first line ending in "a écrit :".
    found: list[lxml.html.HtmlElement] = list(quote.xpath(".//cite"))
    for child in quote.iterdescendants():
        if not isinstance(child.tag, str) or child in found:
            continue
        if _ATTRIBUTION_CLASS.search(child.get("class") or ""):
            found.append(child)
        elif child.tag in ("b", "strong", "span", "div", "p") and len(squash(child.text_content())) < 80:
            if _ATTRIBUTION.search(fold_plain(squash(child.text_content()))):
                found.append(child)
    return found


# -- engine detection ----------------------------------------------------------------------

_Q = "[\"']"
_MARKERS: dict[str, tuple[tuple[str, int], ...]] = {
    "discourse": (
        (rf"<meta[^>]+content={_Q}Discourse", 3),
        (r"data-discourse-setup|discourse-assets|id=.data-preloaded", 2),
        (r"crawler-post", 1),
        (r"DiscussionForumPosting", 1),
    ),
    "xenforo": (
        (rf"<html[^>]+id={_Q}XF{_Q}", 3),
        (r"data-xf-init|data-xf-click", 2),
        (r"bbWrapper", 1),
        (r"message--post|structItem--thread", 1),
        (r"XenForo", 1),
    ),
    "vbulletin": (
        (rf"<meta[^>]+content={_Q}vBulletin", 3),
        (rf"id={_Q}vbulletin_html", 2),
        (r"postbitlegacy|postcontainer|threadbit", 1),
        (r"post_message_\d+", 1),
        (r"bbcode_container|vbulletin_css|vBulletin", 1),
    ),
    "phpbb": (
        (rf"<body[^>]+id={_Q}phpbb{_Q}", 3),
        (r"postprofile", 1),
        (r"topictitle|forumtitle", 1),
        (r"viewtopic|viewforum", 1),
        (r"phpBB", 1),
    ),
    "invision": (
        (r"ipsApp|ipsLayout_", 2),
        (r"elComment_\d+", 1),
        (rf"data-role={_Q}commentContent", 1),
        (r"ipsType_richText|ipsQuote|ipsDataItem", 1),
        (r"Invision Community|invisioncommunity", 1),
    ),
}
_URL_MARKERS = {
    "discourse": re.compile(r"/t/[^/]+/\d+|/c/[^/]+/\d+|/latest\b"),
    "xenforo": re.compile(r"/threads/[^/]+\.\d+|/forums/[^/]+\.\d+"),
    "vbulletin": re.compile(r"showthread\.php|forumdisplay\.php|/threads/\d+-|/forums/\d+-"),
    "phpbb": re.compile(r"viewtopic|viewforum"),
    "invision": re.compile(r"/topic/\d+-|/forum/\d+-"),
}


def detect_engine(html: str, url: str) -> str:
    """The forum engine that produced ``html``: phpbb, vbulletin, xenforo, discourse,
    invision, or generic. Markup decides (generator, html/body ids, class names);
    the URL pattern only tips a close call."""
    head = html[:400_000]
    scores: dict[str, int] = {}
    for engine, markers in _MARKERS.items():
        score = sum(weight for pattern, weight in markers if re.search(pattern, head))
        if _URL_MARKERS[engine].search(urlsplit(url).path + "?" + urlsplit(url).query):
            score += 1
        scores[engine] = score
    best = max(scores, key=lambda engine: scores[engine])
    # One lone marker is often a word in a post ("on est passés de phpBB à…").
    return best if scores[best] >= 3 else "generic"


# -- per-engine markup -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Markup:
    name: str
    post: str                       # post containers, in page order
    post_id: Callable[[lxml.html.HtmlElement], str | None]
    anchor: Callable[[lxml.html.HtmlElement, str], str | None]
    author: Callable[[lxml.html.HtmlElement], str | None]
    date: str                       # relative to the post: where its date is shown
    content: str                    # relative to the post: the message itself
    quote: Finder                   # quote blocks inside the message
    citation: Callable[[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]
    junk: str | None                # relative to the message: never the author's words
    number: str | None              # relative to the post: the engine's "#12"
    title: str
    pagination: str                 # pagination blocks of a thread page
    current: str                    # relative to a pagination block: the current page


def _id_from(pattern: str, *attrs: str) -> Callable[[lxml.html.HtmlElement], str | None]:
    regex = re.compile(pattern)

    def find(post: lxml.html.HtmlElement) -> str | None:
        for attr in attrs:
            for node in [post, *post.iterdescendants()]:
                match = regex.search(node.get(attr) or "") if isinstance(node.tag, str) else None
                if match:
                    return match.group(1)
        return None

    return find


def _author_xpath(xpath: str, attr: str | None = None) -> Callable[[lxml.html.HtmlElement], str | None]:
    def find(post: lxml.html.HtmlElement) -> str | None:
        if attr and squash(post.get(attr)):
            return squash(post.get(attr))
        return first_text(post, xpath)

    return find


def _invision_author(post: lxml.html.HtmlElement) -> str | None:
    name = first_text(post, f".//*[{has_class('cAuthorPane_author')}]//a | .//*[{has_class('cAuthorPane_author')}]")
    if name:
        return name
    data = _quotedata(post)
    return str(data["username"]) if data.get("username") else None


def _quotedata(post: lxml.html.HtmlElement) -> dict[str, Any]:
    # Invision repeats author and unix time in data-quotedata for its quote button.
    for raw in post.xpath(".//@data-quotedata"):
        try:
            data = json.loads(str(raw))
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return {}


_MARKUP: dict[str, _Markup] = {
    "phpbb": _Markup(
        name="phpbb",
        post=f"//div[{has_class('post')}][starts-with(@id, 'p')]",
        post_id=_id_from(r"^p(\d+)$", "id"),
        anchor=lambda post, ident: post.get("id") or f"p{ident}",
        author=_author_xpath(
            f".//p[{has_class('author')}]//*[{has_class('username')} or {has_class('username-coloured')}]"
            f" | .//dl[{has_class('postprofile')}]//*[{has_class('username')} or {has_class('username-coloured')}]"
        ),
        date=f".//p[{has_class('author')}]",
        content=f".//div[{has_class('content')}]",
        quote=xpath_finder(".//blockquote"),
        citation=xpath_finder(".//cite"),
        junk=None,
        number=None,
        title=f"//*[self::h1 or self::h2][{has_class('topic-title')}]",
        pagination=f"//div[{has_class('pagination')}]",
        current=f".//li[{has_class('active')}] | .//strong",
    ),
    "vbulletin": _Markup(
        name="vbulletin",
        post=f"//li[{has_class('postcontainer')} or {has_class('postbitlegacy')} or {has_class('postbit')}][starts-with(@id, 'post_')]",
        post_id=_id_from(r"^post_(\d+)$", "id"),
        anchor=lambda post, ident: f"post{ident}",
        author=_author_xpath(f".//div[{has_class('userinfo')}]//*[{has_class('username')}] | .//*[{has_class('username')}]"),
        date=f".//span[{has_class('postdate')}] | .//div[{has_class('posthead')}]",
        content=".//div[starts-with(@id, 'post_message_')]",
        # Code boxes share bbcode_container; only those holding a quote are quotes.
        quote=xpath_finder(f".//div[{has_class('bbcode_container')}][.//div[{has_class('bbcode_quote')}]]"),
        citation=xpath_finder(f".//div[{has_class('bbcode_postedby')}]"),
        junk=None,
        number=f".//a[{has_class('postcounter')}]",
        title=f"//*[{has_class('threadtitle')}]",
        pagination=f"//form[{has_class('pagination')}] | //div[{has_class('pagination')}]",
        current=f".//span[{has_class('selected')}]",
    ),
    "xenforo": _Markup(
        name="xenforo",
        post=f"//article[{has_class('message--post')} or ({has_class('message')} and starts-with(@data-content, 'post-'))]",
        post_id=_id_from(r"^(?:js-)?post-(\d+)$", "data-content", "id"),
        anchor=lambda post, ident: f"post-{ident}",
        author=_author_xpath(f".//h4[{has_class('message-name')}]//*[{has_class('username')}]", attr="data-author"),
        date=f".//*[{has_class('message-attribution-main')}]//time | .//time[{has_class('u-dt')}]",
        content=f".//article[{has_class('message-body')}]//div[{has_class('bbWrapper')}]",
        quote=xpath_finder(f".//blockquote[{has_class('bbCodeBlock--quote')}]"),
        citation=xpath_finder(f".//div[{has_class('bbCodeBlock-title')}] | .//div[{has_class('bbCodeBlock-expandLink')}]"),
        junk=f".//div[{has_class('bbCodeBlock-expandLink')}]",
        number=f".//ul[{has_class('message-attribution-opposite')}]//a[starts-with(normalize-space(.), '#')]",
        title=f"//h1[{has_class('p-title-value')}]",
        pagination=f"//div[{has_class('pageNav')}]",
        current=f".//li[{has_class('pageNav-page--current')}]",
    ),
    "invision": _Markup(
        name="invision",
        post="//article[starts-with(@id, 'elComment_')]",
        post_id=_id_from(r"^elComment_(\d+)$", "id"),
        anchor=lambda post, ident: post.get("id") or f"elComment_{ident}",
        author=_invision_author,
        date=f".//div[{has_class('ipsComment_meta')}]//time | .//time",
        content=".//div[@data-role='commentContent']",
        quote=xpath_finder(f".//blockquote[{has_class('ipsQuote')}]"),
        citation=xpath_finder(f".//div[{has_class('ipsQuote_citation')}]"),
        # "Modifié … par X" notes sit inside the message but are the software's words.
        junk=".//*[@data-excludequote]",
        number=None,
        title=f"//h1[{has_class('ipsType_pageTitle')}]",
        pagination=f"//ul[{has_class('ipsPagination')}]",
        current=f".//li[{has_class('ipsPagination_active')}]",
    ),
    "discourse": _Markup(
        name="discourse",
        post=f"//div[{has_class('crawler-post')}][starts-with(@id, 'post_')]",
        # The crawler view shows post numbers, not post ids (see parse_discourse_topic).
        post_id=_id_from(r"^post_(\d+)$", "id"),
        anchor=lambda post, ident: None,
        author=_author_xpath(f".//*[{has_class('creator')}]//*[@itemprop='name'] | .//*[{has_class('creator')}]"),
        date=".//time[@itemprop='datePublished'] | .//time",
        content=".//div[@itemprop='text']",
        quote=xpath_finder(f".//aside[{has_class('quote')}]"),
        citation=xpath_finder(f"./div[{has_class('title')}]"),
        junk=f".//aside[{has_class('onebox')}]",
        number=".//*[@itemprop='position']",
        title="//h1",
        pagination=f"//div[@role='navigation'][{has_class('crawler-post')}]",
        current=".//strong",
    ),
}


# -- pagination ------------------------------------------------------------------------------

_PAGE_OF = re.compile(r"\bpage\s*(\d+)\s*(?:sur|of|/)\s*(\d+)")
_MESSAGES = re.compile(r"(\d+(?:[ .,]\d{3})*)\s*(?:messages?|posts?)\b")
_RESULTS = re.compile(r"\b(?:resultats?|results?|messages?|affichage des resultats)\s+(\d+)\s+(?:a|to|-)\s+(\d+)\s+(?:sur|of)\s+(\d+)")
_URL_PAGE = (
    re.compile(r"/page[-/]?(\d+)(?:\.html?)?/?$"),
    re.compile(r"[?&]page=(\d+)"),
)


@dataclass(frozen=True)
class _Pagination:
    pages: dict[int, str]
    current: int | None
    count: int | None
    total_posts: int | None
    first_shown: int | None       # "Résultats 7 à 11 sur 11" → 7
    next_url: str | None


def _pagination(root: lxml.html.HtmlElement, url: str, blocks_xpath: str, current_xpath: str,
                exclude: str | None = None) -> _Pagination:
    base = base_url(root, url)
    pages: dict[int, str] = {}
    current: int | None = None
    count: int | None = None
    total: int | None = None
    first_shown: int | None = None
    next_url: str | None = None
    blocks = list(root.xpath(blocks_xpath))
    if exclude:
        # Board rows carry their own mini-paginations (one per thread): not the board's.
        excluded = set(root.xpath(exclude))
        blocks = [b for b in blocks if not any(is_ancestor(row, b) or row is b for row in excluded)]
    for block in blocks:
        for link in block.xpath(".//a[@href]"):
            label = squash(link.text_content())
            href = absolute(base, link.get("href"))
            if href is None:
                continue
            if label.isdigit():
                pages.setdefault(int(label), href)
            if next_url is None and _is_next(link):
                next_url = href
        for node in block.xpath(current_xpath):
            label = squash(node.text_content())
            if label.isdigit():
                current = int(label)
                break
        folded = fold_plain(spaced_text(block))
        if count is None and (match := _PAGE_OF.search(folded)):
            current = current or int(match.group(1))
            count = int(match.group(2))
        if total is None and (match := _MESSAGES.search(folded)):
            total = int(re.sub(r"[ .,]", "", match.group(1)))
        for link in block.xpath(".//a[@title]"):
            # vBulletin puts "Résultats 1 à 6 sur 11" in the title of the current page link.
            if first_shown is None and squash(link.text_content()) == str(current or ""):
                if (found := _RESULTS.search(fold_plain(link.get("title") or ""))):
                    first_shown = int(found.group(1))
    if first_shown is None:
        for node in root.xpath(f"//*[{has_class('postpagestats')}] | //*[{has_class('pagestats')}]"):
            if (found := _RESULTS.search(fold_plain(spaced_text(node)))):
                first_shown = int(found.group(1))
                total = total or int(found.group(3))
                break
    if next_url is None:
        for link in root.xpath("//link[@rel='next'] | //a[@rel='next']"):
            if exclude and any(is_ancestor(row, link) for row in root.xpath(exclude)):
                continue
            next_url = absolute(base, link.get("href"))
            if next_url:
                break
    if current is None:
        current = _page_from_url(url)
    if current is not None and next_url is None and (current + 1) in pages:
        next_url = pages[current + 1]
    if pages and (count is None or max(pages) > count):
        count = max(max(pages), current or 1) if count is None else max(pages)
    return _Pagination(pages, current, count, total, first_shown, next_url)


def _is_next(link: lxml.html.HtmlElement) -> bool:
    rel = (link.get("rel") or "").lower().split()
    classes = (link.get("class") or "") + " " + (link.getparent().get("class") or "" if link.getparent() is not None else "")
    label = fold_plain(squash(link.text_content()) or link.get("title") or "")
    return (
        "next" in rel
        or re.search(r"pageNav-jump--next|ipsPagination_next|\bnext\b", classes) is not None
        or label in ("suivant", "suivante", "page suivante", "next", "›", "»", "→")
    )


def _page_from_url(url: str) -> int | None:
    for pattern in _URL_PAGE:
        match = pattern.search(url)
        if match:
            return int(match.group(1))
    return None


def _first_page_url(url: str) -> str:
    """A thread's first-page URL from the URL of any of its pages (last resort)."""
    cleaned = clean_url(url, drop=("start", "page"))
    parts = urlsplit(cleaned)
    path = re.sub(r"/page[-/]?\d+(?:\.html?)?/?$", "/", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _page_offset(url: str, page: int, pagination: _Pagination, n_posts: int, per_page: int | None) -> int:
    """How many posts of the thread come before this page.

    Each page must know it alone (a later pass starts from the last page): from a
    ``start=`` parameter, a "Résultats 7 à 11" line, the caller's posts-per-page, or,
    failing those, from the fact that every page but the last is full."""
    start = dict(parse_qsl(urlsplit(url).query)).get("start")
    if start and start.isdigit():
        return int(start)
    if pagination.first_shown:
        return pagination.first_shown - 1
    if page <= 1:
        return 0
    if per_page:
        return (page - 1) * per_page
    if pagination.count is not None and page < pagination.count:
        return (page - 1) * n_posts
    if pagination.total_posts is not None and pagination.total_posts >= n_posts:
        return pagination.total_posts - n_posts
    return (page - 1) * n_posts


# -- thread pages -------------------------------------------------------------------------------


def _canonical(root: lxml.html.HtmlElement, url: str) -> str:
    # The page's own canonical link is steadier than the URL we came by (jump links,
    # tracking), but only when it stays on the same site.
    for href in root.xpath("//link[@rel='canonical']/@href"):
        candidate = absolute(base_url(root, url), str(href))
        if candidate and urlsplit(candidate).hostname == urlsplit(url).hostname:
            return clean_url(candidate)
    return clean_url(url)


def _title(root: lxml.html.HtmlElement, xpath: str | None) -> str:
    if xpath:
        found = first_text(root, xpath)
        if found:
            return found
    page_title = squash(" ".join(root.xpath("//title//text()")))
    for heading in root.xpath("//h1 | //h2"):
        text = squash(heading.text_content())
        if text and text in page_title:
            return text
    og = first_text(root, "//meta[@property='og:title']/@content")
    if og:
        return og
    first_h1 = first_text(root, "//h1")
    if first_h1:
        return first_h1
    return re.split(r"\s+[-|–—]\s+", page_title)[0] if page_title else ""


def _shown_number(post: lxml.html.HtmlElement, xpath: str | None) -> int | None:
    if not xpath:
        return None
    text = first_text(post, xpath)
    match = re.search(r"#?\s*(\d+)", text or "")
    return int(match.group(1)) if match else None


def parse_thread_page(html: str, url: str, *, now: datetime | None = None, per_page: int | None = None,
                      engine: str | None = None) -> ThreadPage:
    """Every post of one page of a forum thread, whatever the engine.

    ``now`` anchors relative dates ("Hier à 18:05"); ``per_page`` (posts per page, if
    the spider knows it) settles the position of posts on a last page that says
    nothing about its offset; ``engine`` overrides detection ("generic" forces the
    repeated-block fallback). A page without posts gives an empty ``posts``."""
    root = parse_html(html)
    if root is None:
        return ThreadPage("generic", "", clean_url(url), 1, (), (), None, page_url=clean_url(url))
    engine = engine or detect_engine(html, url)
    markup = _MARKUP.get(engine)
    if markup is not None and root.xpath(markup.post):
        return _parse_known(root, url, markup, now, per_page)
    # Unknown engine, or a known one whose theme moved the posts: find them by repetition.
    return _parse_generic(root, url, now, per_page)


def _thread_frame(root: lxml.html.HtmlElement, url: str, pagination: _Pagination) -> tuple[str, int, str]:
    page_url = _canonical(root, url)
    page = pagination.current or 1
    if page == 1:
        thread_url = _first_page_url(page_url)
        # Page 1 is often the bare thread URL; keep the one the engine links as "1".
        if 1 in pagination.pages:
            thread_url = clean_url(pagination.pages[1])
    elif 1 in pagination.pages:
        thread_url = clean_url(pagination.pages[1])
    else:
        thread_url = _first_page_url(page_url)
    return page_url, page, thread_url


def _page_urls(pagination: _Pagination, page: int, page_url: str) -> tuple[str, ...]:
    pages = {number: clean_url(link) for number, link in pagination.pages.items()}
    pages[page] = page_url
    return tuple(pages[number] for number in sorted(pages))


def _parse_known(root: lxml.html.HtmlElement, url: str, markup: _Markup, now: datetime | None,
                 per_page: int | None) -> ThreadPage:
    pagination = _pagination(root, url, markup.pagination, markup.current)
    if markup.name == "invision" and per_page is None:
        for value in root.xpath("//@data-ipsPagination-perPage | //@data-ipspagination-perpage"):
            if str(value).isdigit():
                per_page = int(str(value))
                break
    page_url, page, thread_url = _thread_frame(root, url, pagination)
    if markup.name == "discourse":
        thread_url = re.sub(r"(/t/[^/]+/\d+)(?:/\d+)?/?$", r"\1", thread_url)
    found = list(root.xpath(markup.post))
    containers = [post for post in found if not any(other is not post and is_ancestor(other, post) for other in found)]
    offset = _page_offset(url, page, pagination, len(containers), per_page)
    posts: list[Post] = []
    for index, container in enumerate(containers, start=1):
        post_id = markup.post_id(container) or str(offset + index)
        contents = container.xpath(markup.content)
        if contents:
            text, quotes = split_quotes(contents[0], markup.quote, markup.citation, markup.junk)
        else:
            text, quotes = "", ()
        published = element_date(in_order(container, markup.date), now)
        if published is None and markup.name == "invision":
            published = from_timestamp(_quotedata(container).get("timestamp"))
        position = _shown_number(container, markup.number) or offset + index
        if markup.name == "discourse":
            post_url = f"{thread_url}/{position}"
        else:
            anchor = markup.anchor(container, post_id)
            post_url = f"{page_url}#{anchor}" if anchor else page_url
        posts.append(Post(post_id, markup.author(container), published, text, quotes, position, post_url))
    return ThreadPage(
        engine=markup.name,
        title=_title(root, markup.title),
        thread_url=thread_url,
        page_number=page,
        posts=tuple(posts),
        page_urls=_page_urls(pagination, page, page_url),
        next_page_url=clean_url(pagination.next_url) if pagination.next_url else None,
        page_count=pagination.count,
        page_url=page_url,
    )


# -- the generic fallback ------------------------------------------------------------------

_GENERIC_DROP = ("script", "style", "noscript", "template", "svg", "nav", "form", "select", "button")
_AUTHOR_NAME = re.compile(r"username|user-name|pseudo|author|auteur|nick|poster|login|signataire", re.I)
_AUTHOR_CLASS = re.compile(r"user|membre|member", re.I)
_AUTHOR_LINK = re.compile(r"membre|member|profil|user|utilisateur|/u/", re.I)
_AUTHOR_PREFIX = re.compile(r"^(?:message\s+)?(?:post[ée]e?|[ée]crit|publi[ée]e?)?\s*(?:par|by|de)\s+", re.I)
_POST_ID = re.compile(r"(\d{2,})$")
# Row-striping and state classes differ between posts of one thread ("bg1"/"bg2",
# "odd"/"even", "ligne1"/"ligne2", "unread"): they must not split the posts' group.
_VOLATILE_CLASSES = frozenset("odd even alt first last unread read new active highlight selected online offline".split())


def _post_groups(root: lxml.html.HtmlElement) -> dict[tuple[str, str], list[lxml.html.HtmlElement]]:
    groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tokens = {re.sub(r"\d+$", "", token.lower()) for token in (element.get("class") or "").split()}
        tokens = {token for token in tokens if token and token not in _VOLATILE_CLASSES}
        if tokens:
            groups.setdefault((element.tag, " ".join(sorted(tokens))), []).append(element)
    return groups


def _post_chain(root: lxml.html.HtmlElement) -> tuple[list[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]:
    """(post containers, message bodies) of a page of repeated posts.

    Same idea as :func:`traceur.posts.find_post_blocks` (the repeated element that
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
        members for members in groups.values()
        if 2 <= len(members) < len(best) and total(members) >= 0.7 * total(best)
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
            members for members in groups.values()
            if members is not body and len(members) == len(body)
            and all(is_ancestor(b, m) for b, m in zip(body, members))
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
        match = next((index for index, other in enumerate(others) if index not in used
                      and (other is member or is_ancestor(member, other) or is_ancestor(other, member))), None)
        if match is None:
            return False
        used.add(match)
    return True


def _outside(container: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Descendants of ``container`` that are not inside ``body`` (the post's header zone)."""
    return [
        node for node in container.iterdescendants()
        if isinstance(node.tag, str) and node is not body and not is_ancestor(body, node)
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
        innermost = [node for node in matches if not any(other is not node and is_ancestor(node, other) for other in matches)]
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


def _generic_printed_date(container: lxml.html.HtmlElement, body: lxml.html.HtmlElement,
                          header: list[lxml.html.HtmlElement], now: datetime | None) -> datetime | None:
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
    if (match := _POST_ID.search(own)):
        return match.group(1), own
    for node in container.xpath(".//a[@name or @id] | preceding-sibling::*[1][self::a][@name or @id]"):
        name = node.get("id") or node.get("name") or ""
        if (match := _POST_ID.search(name)):
            return match.group(1), name
    for node in [container, *container.iterdescendants()]:
        if not isinstance(node.tag, str):
            continue
        for attr, value in node.attrib.items():
            if re.fullmatch(r"data-(?:post|message|msg|comment|reply)-?id", attr) and value.strip().isdigit():
                return value.strip(), None
    return None, None


def _parse_generic(root: lxml.html.HtmlElement, url: str, now: datetime | None, per_page: int | None) -> ThreadPage:
    pagination = _pagination(root, url, "//*[contains(translate(@class, 'PAGINTO', 'paginto'), 'pagination')"
                             " or contains(@class, 'pageNav') or contains(@class, 'pages')]",
                             ".//*[contains(@class, 'active') or contains(@class, 'current') or contains(@class, 'selected')]"
                             " | .//strong | .//b")
    page_url, page, thread_url = _thread_frame(root, url, pagination)
    title = _title(root, None)
    work = copy.deepcopy(root)
    for node in work.xpath("|".join(f"//{tag}" for tag in _GENERIC_DROP)):
        node.drop_tree()
    containers, bodies = _post_chain(work)
    offset = _page_offset(url, page, pagination, len(containers), per_page)
    posts: list[Post] = []
    for index, (container, body) in enumerate(zip(containers, bodies), start=1):
        post_id, anchor = _generic_id(container)
        text, quotes = split_quotes(body, _generic_quotes, _generic_citations)
        header = _outside(container, body) if container is not body else [container]
        published = None
        for node in header:
            if node.tag in ("time", "abbr") or any(node.get(attr) for attr in _TIMESTAMP_ATTRS + ("datetime",)):
                published = machine_date(node)
                if published:
                    break
        if published is None:
            published = _generic_printed_date(container, body, header, now)
        # Many engines print the post's number ("#7") beside the date: it is the position.
        shown = next((int(match.group(1)) for node in header
                      if (match := re.fullmatch(r"#\s?(\d{1,6})", squash(node.text_content())))), None)
        position = shown or offset + index
        posts.append(Post(
            post_id=post_id or str(position),
            author=_generic_author(container, body),
            published_at=published,
            text=text,
            quotes=quotes,
            position=position,
            url=f"{page_url}#{anchor}" if anchor else page_url,
        ))
    return ThreadPage(
        engine="generic",
        title=title,
        thread_url=thread_url,
        page_number=page,
        posts=tuple(posts),
        page_urls=_page_urls(pagination, page, page_url),
        next_page_url=clean_url(pagination.next_url) if pagination.next_url else None,
        page_count=pagination.count,
        page_url=page_url,
    )


# -- boards -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BoardMarkup:
    rows: str                 # one element per thread
    link: str                 # relative to a row: the thread's title link
    replies: Callable[[lxml.html.HtmlElement], int | None]
    last: str                 # relative to a row: where the last activity is shown
    last_page: str            # relative to a row: links of the row's mini-pagination
    subforums: str
    pagination: str
    current: str


def _replies_xpath(xpath: str) -> Callable[[lxml.html.HtmlElement], int | None]:
    def find(row: lxml.html.HtmlElement) -> int | None:
        return parse_count(first_text(row, xpath))

    return find


def _xenforo_replies(row: lxml.html.HtmlElement) -> int | None:
    for pair in row.xpath(f".//dl[{has_class('pairs')}]"):
        label = fold_plain(first_text(pair, "./dt") or "")
        if label.startswith(("reponse", "replies", "repl")):
            return parse_count(first_text(pair, "./dd"))
    return None


_BOARDS: dict[str, _BoardMarkup] = {
    "phpbb": _BoardMarkup(
        rows=f"//ul[{has_class('topiclist')} and {has_class('topics')}]/li[{has_class('row')}]",
        link=f".//a[{has_class('topictitle')}]",
        replies=_replies_xpath(f".//dd[{has_class('posts')}]"),
        last=f".//dd[{has_class('lastpost')}]",
        last_page=f".//div[{has_class('pagination')}]//a",
        subforums=f"//ul[{has_class('topiclist')} and {has_class('forums')}]//a[{has_class('forumtitle')}] | //a[{has_class('subforum')}]",
        pagination=f"//div[{has_class('action-bar')}]//div[{has_class('pagination')}]",
        current=f".//li[{has_class('active')}]",
    ),
    "vbulletin": _BoardMarkup(
        rows=f"//li[{has_class('threadbit')}]",
        link=f".//a[{has_class('title')}]",
        replies=_replies_xpath(f".//ul[{has_class('threadstats')}]/li[1]"),
        last=f".//dl[{has_class('threadlastpost')}]",
        last_page=f".//dl[{has_class('pagination')}]//a",
        subforums=f"//*[{has_class('forumtitle')}]/a",
        pagination=f"//div[{has_class('threadpagenav')}]//*[{has_class('pagination')}] | //div[{has_class('pagination_top')}]//*[{has_class('pagination')}]",
        current=f".//span[{has_class('selected')}]",
    ),
    "xenforo": _BoardMarkup(
        rows=f"//div[{has_class('structItem--thread')}]",
        link=f".//div[{has_class('structItem-title')}]/a[contains(@href, '/threads/')][last()]",
        replies=_xenforo_replies,
        last=f".//time[{has_class('structItem-latestDate')}] | .//div[{has_class('structItem-cell--latest')}]",
        last_page=f".//span[{has_class('structItem-pageJump')}]/a",
        subforums=f"//*[{has_class('node-title')}]/a",
        pagination=f"//div[{has_class('pageNav')}]",
        current=f".//li[{has_class('pageNav-page--current')}]",
    ),
    "invision": _BoardMarkup(
        rows=f"//ol[{has_class('cTopicList')}]/li[{has_class('ipsDataItem')}]",
        link=f".//*[{has_class('ipsDataItem_title')}]//a[contains(@href, '/topic/')][1]",
        replies=_replies_xpath(f".//ul[{has_class('ipsDataItem_stats')}]/li[1]"),
        last=f".//ul[{has_class('ipsDataItem_lastPoster')}]",
        last_page=f".//ul[{has_class('ipsPagination_mini')}]//a",
        subforums=f"//ol[{has_class('cForumList')}]//*[{has_class('ipsDataItem_title')}]//a",
        pagination=f"//ul[{has_class('ipsPagination')}]",
        current=f".//li[{has_class('ipsPagination_active')}]",
    ),
    "discourse": _BoardMarkup(
        rows=f"//tr[{has_class('topic-list-item')}]",
        link=f".//a[{has_class('raw-topic-link')} or {has_class('title')}]",
        replies=_replies_xpath(f".//*[{has_class('replies')}] | .//*[{has_class('posts')}]"),
        last=".//time | .//*[@data-time]",
        last_page=".//a[contains(@href, '?page=')]",
        subforums=f"//a[{has_class('badge-category')}] | //a[{has_class('category-title-link')}]",
        pagination=f"//div[@role='navigation']",
        current=".//strong",
    ),
}


def _last_page_link(row: lxml.html.HtmlElement, xpath: str, url: str) -> str | None:
    numbered: dict[int, str] = {}
    for link in row.xpath(xpath):
        label = squash(link.text_content())
        href = absolute(url, link.get("href"))
        if href and label.isdigit():
            numbered[int(label)] = href
    if not numbered or max(numbered) <= 1:
        return None
    return clean_url(numbered[max(numbered)])


def parse_board(html: str, url: str, *, now: datetime | None = None) -> BoardPage:
    """The threads a board (forum index, sub-forum, topic list) links to, with reply
    counts and last activity where shown, plus the board's next page and sub-forums."""
    root = parse_html(html)
    if root is None:
        return BoardPage("generic", (), None, ())
    engine = detect_engine(html, url)
    markup = _BOARDS.get(engine)
    if markup is None:
        return _generic_board(root, url, now)
    base = base_url(root, url)
    threads: list[ThreadLink] = []
    seen: set[str] = set()
    for row in root.xpath(markup.rows):
        links = row.xpath(markup.link)
        if not links:
            continue
        href = absolute(base, links[0].get("href"))
        if href is None:
            continue
        thread_url = clean_url(href, drop=("view", "start", "page"))
        if thread_url in seen:
            continue
        seen.add(thread_url)
        threads.append(ThreadLink(
            url=thread_url,
            title=squash(links[0].text_content()),
            replies=markup.replies(row),
            last_post_at=element_date(in_order(row, markup.last), now),
            last_page_url=_last_page_link(row, markup.last_page, base),
        ))
    pagination = _pagination(root, url, markup.pagination, markup.current, exclude=markup.rows)
    subforums: list[str] = []
    for link in root.xpath(markup.subforums):
        href = absolute(base, link.get("href"))
        if href and clean_url(href) not in subforums:
            subforums.append(clean_url(href))
    return BoardPage(
        engine=engine,
        threads=tuple(threads),
        next_page_url=clean_url(pagination.next_url) if pagination.next_url else None,
        subforum_urls=tuple(subforums),
    )


_THREAD_HINT = re.compile(r"sujet|topic|thread|discussion|viewtopic|showthread|/t/|message", re.I)


def _generic_board(root: lxml.html.HtmlElement, url: str, now: datetime | None) -> BoardPage:
    # Unknown engine: the thread list is the biggest group of repeated rows (same tag
    # and class) that each hold a same-site link; the row's longest link is the thread.
    host = urlsplit(url).hostname
    url = base_url(root, url)
    best: list[tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]] = []
    for members in _post_groups(root).values():
        rows = []
        for member in members:
            links = [a for a in member.xpath(".//a[@href]")
                     if (absolute(url, a.get("href")) or "").startswith(("http://", "https://"))
                     and urlsplit(absolute(url, a.get("href")) or "").hostname == host]
            if links:
                rows.append((member, max(links, key=lambda a: (bool(_THREAD_HINT.search(a.get("href") or "")),
                                                                  len(squash(a.text_content()))))))
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
        if (match := re.search(r"(\d+)\s*(?:reponses?|replies|messages?)", row_text)):
            replies = int(match.group(1))
        elif (cells := row.xpath(f".//*[{has_class('reponses')} or {has_class('replies')} or {has_class('posts')}]")):
            replies = parse_count(cells[0].text_content())
        link_text = fold_plain(spaced_text(link))
        stamps = [stamp for node in row.xpath(".//time | .//*[@data-time] | .//*[@data-timestamp]")
                  if (stamp := machine_date(node)) is not None]
        threads.append(ThreadLink(
            url=href,
            title=squash(link.text_content()),
            replies=replies,
            # The latest date of the row: a row may also show when the thread started.
            last_post_at=max(stamps or find_french_dates(row_text.replace(link_text, " "), now), default=None),
            last_page_url=None,
        ))
    pagination = _pagination(root, url, "//*[contains(@class, 'pagination') or contains(@class, 'pages')]",
                             ".//*[contains(@class, 'active') or contains(@class, 'current')] | .//strong")
    return BoardPage("generic", tuple(threads), clean_url(pagination.next_url) if pagination.next_url else None, ())


# -- Discourse (JSON API) ---------------------------------------------------------------------------


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def discourse_board_json_url(url: str) -> str:
    """The JSON twin of a Discourse list page: /c/slug/12 → /c/slug/12.json,
    /latest → /latest.json, the site root → /latest.json (query kept)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path:
        path = "/latest"
    if not path.endswith(".json"):
        path += ".json"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def discourse_topic_json_url(thread_url: str, page: int = 1) -> str:
    """/t/slug/42 (or /t/slug/42/7, or its JSON) → /t/slug/42.json, with ?page=N past page 1."""
    parts = urlsplit(thread_url)
    path = parts.path
    if path.endswith(".json"):
        path = path[:-5]
    match = re.match(r"(/t/(?:[^/]+/)?\d+)", path)
    base: str = match.group(1) if match else path.rstrip("/")
    query = f"page={page}" if page > 1 else ""
    return urlunsplit((parts.scheme, parts.netloc, base + ".json", query, ""))


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def parse_discourse_board(data: bytes, url: str) -> BoardPage:
    """A Discourse topic list (/latest.json, /c/slug/id.json) or category list
    (/categories.json) → thread links (replies = posts_count − 1) and sub-categories."""
    payload = _json(data)
    if not isinstance(payload, dict):
        return BoardPage("discourse", (), None, ())
    site = _site(url)
    threads: list[ThreadLink] = []
    topic_list = payload.get("topic_list") or {}
    for topic in topic_list.get("topics") or []:
        if not isinstance(topic, dict) or "id" not in topic:
            continue
        thread_url = f"{site}/t/{topic.get('slug') or 'topic'}/{topic['id']}"
        posts_count = topic.get("posts_count")
        pages = math.ceil(posts_count / DISCOURSE_PAGE_SIZE) if isinstance(posts_count, int) and posts_count > 0 else 1
        threads.append(ThreadLink(
            url=thread_url,
            title=squash(str(topic.get("title") or topic.get("fancy_title") or "")),
            replies=posts_count - 1 if isinstance(posts_count, int) else topic.get("reply_count"),
            last_post_at=parse_iso(topic.get("last_posted_at") or topic.get("bumped_at")),
            last_page_url=discourse_topic_json_url(thread_url, pages) if pages > 1 else None,
        ))
    more = topic_list.get("more_topics_url")
    next_url = discourse_board_json_url(urljoin(site + "/", more)) if isinstance(more, str) and more else None
    subforums: list[str] = []
    for category in (payload.get("category_list") or {}).get("categories") or []:
        if isinstance(category, dict) and category.get("slug") and category.get("id") is not None:
            subforums.append(f"{site}/c/{category['slug']}/{category['id']}")
            for sub in category.get("subcategory_list") or []:
                if isinstance(sub, dict) and sub.get("slug") and sub.get("id") is not None:
                    subforums.append(f"{site}/c/{category['slug']}/{sub['slug']}/{sub['id']}")
    return BoardPage("discourse", tuple(threads), next_url, tuple(subforums))


_DISCOURSE_QUOTE = xpath_finder(f".//aside[{has_class('quote')}]")


def parse_discourse_topic(data: bytes, url: str) -> ThreadPage:
    """One page of a Discourse topic's JSON (/t/slug/id.json?page=N) → its posts.

    ``cooked`` is the rendered HTML of a post; its ``aside.quote`` blocks are quotes.
    Post URLs are Discourse's own permalinks, thread URL + "/" + post number."""
    payload = _json(data)
    parts = urlsplit(url)
    requested = dict(parse_qsl(parts.query)).get("page", "1")
    page = max(int(requested), 1) if requested.isdigit() else 1
    if not isinstance(payload, dict):
        return ThreadPage("discourse", "", clean_url(url), page, (), (), None, page_url=clean_url(url))
    site = _site(url)
    thread_url = f"{site}/t/{payload.get('slug') or 'topic'}/{payload.get('id')}"
    posts: list[Post] = []
    for raw in (payload.get("post_stream") or {}).get("posts") or []:
        if not isinstance(raw, dict) or raw.get("id") is None:
            continue
        # Deleted, hidden and "small action" posts (topic closed, pinned…) are not words of anyone.
        if raw.get("post_type", 1) != 1 or raw.get("deleted_at") or raw.get("hidden") and not raw.get("cooked"):
            continue
        number = int(raw.get("post_number") or 0) or len(posts) + 1
        text: str = ""
        quotes: tuple[str, ...] = ()
        cooked = raw.get("cooked") or ""
        fragment = parse_html(f"<div>{cooked}</div>") if cooked.strip() else None
        if fragment is not None:
            body = fragment.xpath("//body/div")
            text, quotes = split_quotes(body[0] if body else fragment, _DISCOURSE_QUOTE,
                                        xpath_finder(f"./div[{has_class('title')}]"), f".//aside[{has_class('onebox')}]")
        posts.append(Post(
            post_id=str(raw["id"]),
            author=raw.get("username") or raw.get("name") or None,
            published_at=parse_iso(raw.get("created_at")),
            text=text,
            quotes=quotes,
            position=number,
            url=f"{thread_url}/{number}",
        ))
    posts_count = payload.get("posts_count")
    count = math.ceil(posts_count / DISCOURSE_PAGE_SIZE) if isinstance(posts_count, int) and posts_count > 0 else page
    count = max(count, page)
    return ThreadPage(
        engine="discourse",
        title=squash(str(payload.get("title") or payload.get("fancy_title") or "")),
        thread_url=thread_url,
        page_number=page,
        posts=tuple(posts),
        page_urls=tuple(discourse_topic_json_url(thread_url, n) for n in range(1, count + 1)),
        next_page_url=discourse_topic_json_url(thread_url, page + 1) if page < count else None,
        page_count=count,
        page_url=discourse_topic_json_url(thread_url, page),
    )
