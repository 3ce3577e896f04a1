"""Small helpers every page parser shares: parsing tolerant HTML, text with the right
spaces, absolute and clean URLs, XPath lookups, JSON-LD objects, printed counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

# The repeated-block finder's building blocks; see _post_chain for why the finder
# itself (which keeps only the innermost level) is not enough here.
from traceur.textnorm import fold_plain, strip_control


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
_SKIP_TAGS = frozenset(
    "script style noscript template svg button select textarea iframe object".split()
)


def _is_smiley(img: lxml.html.HtmlElement) -> bool:
    marks = f"{img.get('class') or ''} {img.get('src') or ''}".lower()
    return (
        any(word in marks for word in ("smil", "emoji", "emoticon"))
        or img.get("data-emoticon") is not None
    )


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
    # The kept parameters stay as written: re-encoding would turn Phorum's
    # "read.php?3,1205" into "read.php?3%2C1205=", an address its server does not know.
    query = []
    for piece in parts.query.split("&"):
        key, _, value = (unquote_plus(part) for part in piece.partition("="))
        # vBulletin's "s" is a 32-hex session hash; elsewhere "s" may mean something.
        if (
            piece
            and key.lower() not in dropped
            and not (key == "s" and re.fullmatch(r"[0-9a-f]{32}", value))
        ):
            query.append(piece)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(query), ""))


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


def meta(root: lxml.html.HtmlElement, *names: str) -> str | None:
    """The first non-empty ``<meta>`` of these names (``property``, ``name`` or ``itemprop``)."""
    for name in names:
        found = first_text(
            root, f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']/@content"
        )
        if found:
            return found
    return None


def load_json(data: bytes) -> Any:
    """The decoded payload, or None for an answer that is not JSON (an HTML error page…)."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: JSON nested deeper than the interpreter's stack (a hostile page).
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
        raw = re.sub(
            r"^\s*(?:<!--|/\*<!\[CDATA\[\*/|<!\[CDATA\[)|(?:-->|/\*\]\]>\*/|\]\]>)\s*$", "", raw
        )
        try:
            walk(json.loads(raw))
        except (ValueError, RecursionError):
            # RecursionError: nested deeper than the stack, which no real page needs.
            continue
    return found


def json_ld_top_level(root: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """The objects a page says it *is*: top-level and ``@graph`` members and a WebPage's
    ``mainEntity``, not the teasers of an ItemList or the video inside an article."""
    objects = json_ld_objects(root)
    nested: set[int] = set()
    for item in objects:
        for key, value in item.items():
            if key not in ("@graph", "mainEntity"):
                _mark_nested(value, nested)
    return [item for item in objects if id(item) not in nested]


def _mark_nested(value: Any, nested: set[int]) -> None:
    if isinstance(value, list):
        for item in value:
            _mark_nested(item, nested)
    elif isinstance(value, dict):
        nested.add(id(value))
        for item in value.values():
            _mark_nested(item, nested)


def json_ld_types(item: dict[str, Any]) -> tuple[str, ...]:
    """schema.org local names of an object's ``@type``, in order: "NewsArticle",
    "https://schema.org/NewsArticle" and "schema:NewsArticle" are all "NewsArticle"."""
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return tuple(
        re.split(r"[/:#]", str(v).rstrip("/"))[-1] for v in values if isinstance(v, str) and v
    )


def parse_count(text: str | None) -> int | None:
    """ "1 024", "1.024", "12 réponses", "1,2K", "3 M" → an int; None without a number."""
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
