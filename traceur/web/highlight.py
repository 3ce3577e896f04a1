"""Crawled text → safe HTML with the mentions highlighted.

Everything here comes from crawled pages, so the order is always: escape the text first,
then add our own ``<mark>`` elements around ranges computed on the raw text. Nothing from
a page is ever trusted as markup, whatever it contains (``<script>``, ``onerror=``...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from traceur.document import Document, Snippet
from traceur.store.base import HIGHLIGHT_END, HIGHLIGHT_START


def fragment(text: str) -> Markup:
    """A store fragment (matches between HIGHLIGHT_START and HIGHLIGHT_END) as safe HTML.

    An unbalanced mark (a fragment cut by the store in the middle of a match) is closed at
    the end rather than leaking an open ``<mark>`` into the page.
    """
    out: list[str] = []
    open_mark = False
    piece: list[str] = []
    for char in text:
        if char in (HIGHLIGHT_START, HIGHLIGHT_END):
            out.append(str(escape("".join(piece))))
            piece = []
            if char == HIGHLIGHT_START and not open_mark:
                out.append("<mark>")
                open_mark = True
            elif char == HIGHLIGHT_END and open_mark:
                out.append("</mark>")
                open_mark = False
            continue
        piece.append(char)
    out.append(str(escape("".join(piece))))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


def plain(text: str) -> str:
    """A store fragment without its marks (for exports and ``<title>``)."""
    return text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


Range = tuple[int, int, str]


def mention_ranges(document: Document, field: str) -> list[Range]:
    """Every match in ``field`` ("title" or "text") as ``(start, end, mention id)``, sorted and
    with overlaps merged (a candidate's name inside a topic phrase is one highlight)."""
    raw: list[Range] = []
    length = len(document.title if field == "title" else document.text)
    for ident, mention in document.mentions.items():
        for span in mention.spans:
            if span.field != field:
                continue
            start, end = max(0, span.start), min(length, span.end)
            if start < end:
                raw.append((start, end, ident))
    raw.sort()
    merged: list[Range] = []
    for start, end, ident in raw:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, ident))
    return merged


def _marked(text: str, ranges: Iterable[Range], offset: int, labels: Mapping[str, str]) -> str:
    """``text`` (which starts at ``offset`` in its field) escaped, with ``ranges`` marked."""
    out: list[str] = []
    cursor = 0
    for start, end, ident in ranges:
        start, end = max(start - offset, 0), min(end - offset, len(text))
        if end <= cursor or start >= len(text):
            continue
        start = max(start, cursor)
        out.append(str(escape(text[cursor:start])))
        label = labels.get(ident, ident)
        out.append(f'<mark title="{escape(label)}">{escape(text[start:end])}</mark>')
        cursor = end
    out.append(str(escape(text[cursor:])))
    return "".join(out)


def title(document: Document, labels: Mapping[str, str] | None = None) -> Markup:
    """The document's title, escaped, with its mentions marked."""
    ranges = mention_ranges(document, "title")
    return Markup(_marked(document.title, ranges, 0, labels or {}))


def full_text(document: Document, labels: Mapping[str, str] | None = None) -> Markup:
    """The whole extracted text as ``<p>`` paragraphs (one per line of the extraction), every
    mention marked; ``labels`` names each mention id (candidate or topic) in a tooltip."""
    ranges = mention_ranges(document, "text")
    paragraphs: list[str] = []
    offset = 0
    for line in document.text.split("\n"):
        if line.strip():
            inside = [r for r in ranges if r[0] < offset + len(line) and r[1] > offset]
            paragraphs.append(f"<p>{_marked(line, inside, offset, labels or {})}</p>")
        offset += len(line) + 1
    return Markup("\n".join(paragraphs))


def http_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None: a crawled link field
    holding ``javascript:``, ``data:`` or a relative path must never become an ``href``."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def snippet(found: Snippet) -> Markup:
    """A tagger snippet, escaped, with its match (``start``..``end``) marked."""
    text = found.text
    start, end = max(0, found.start), min(len(text), found.end)
    if start >= end:
        return Markup(escape(text))
    return Markup(
        f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
    )


def best_snippets(document: Document, limit: int = 2) -> list[Snippet]:
    """Up to ``limit`` distinct snippets to show under a result when the search has no
    words to highlight: from the text first (the title is shown above them anyway)."""
    found = [s for m in document.mentions.values() for s in m.snippets]
    found.sort(key=lambda s: s.field != "text")
    chosen: list[Snippet] = []
    seen: set[str] = set()
    for candidate in found:
        key = " ".join(candidate.text.split())
        if key in seen or (candidate.field == "title" and chosen):
            continue
        seen.add(key)
        chosen.append(candidate)
        if len(chosen) == limit:
            break
    return chosen


def body_fragments(fragments: Iterable[str], title: str) -> list[str]:
    """The store's fragments without the one that only repeats the title (shown, marked,
    just above them)."""
    heading = " ".join(title.split())
    kept = []
    for found in fragments:
        text = " ".join(plain(found).strip(" …").split())
        if text and text != heading:
            kept.append(found)
    return kept
