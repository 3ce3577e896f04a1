"""Sitemaps and sitemap indexes, with Google News tags, for news sites.

Only recent entries matter to a veille: a news sitemap lists the last two days, a
plain sitemap can list a site's whole archive. Entries carry their date (the news
publication date, else ``lastmod``) so the collector fetches only what is recent.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import lxml.etree

from traceur.parse.dates import parse_iso_utc

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's own limit, uncompressed
MAX_INDEX_DEPTH = 3  # a sitemap index, its children, theirs, and one more level
_CHUNK = 64 * 1024  # bytes decompressed (and parsed) at a time


@dataclass(frozen=True, slots=True)  # slots: a sitemap may hold thousands
class SitemapEntry:
    loc: str
    published_at: datetime | None  # news:publication_date, else lastmod
    title: str | None = None  # news:title
    language: str | None = None  # news:language


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "urlset" or "sitemapindex"
    entries: tuple[SitemapEntry, ...]
    # True when reading stopped at max_entries: the sitemap lists more than was read.
    capped: bool = False


class SitemapError(ValueError):
    """Not a sitemap (or too large to be one)."""


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _chunks(data: bytes, max_bytes: int) -> Iterator[bytes]:
    """The sitemap's bytes, gunzipped a chunk at a time when gzipped, so a small
    compressed file never inflates in memory; SitemapError past ``max_bytes``."""
    if not data.startswith(b"\x1f\x8b"):
        if len(data) > max_bytes:
            raise SitemapError(f"the sitemap is larger than {max_bytes} bytes")
        for start in range(0, len(data), _CHUNK):
            yield data[start : start + _CHUNK]
        return
    inflater = zlib.decompressobj(wbits=31)  # gzip framing
    pending, total = data, 0
    while pending and not inflater.eof:
        try:
            out = inflater.decompress(pending, _CHUNK)
        except zlib.error as exc:
            raise SitemapError(f"a broken gzip file: {exc}") from exc
        pending = inflater.unconsumed_tail
        total += len(out)
        if total > max_bytes:
            raise SitemapError(
                f"the sitemap is larger than {max_bytes} bytes once decompressed; not read"
            )
        yield out


def _entry(element: lxml.etree._Element) -> SitemapEntry | None:
    loc = lastmod = news_date = title = language = None
    for child in element.iter():
        name = _local(child.tag)
        text = (child.text or "").strip()
        if name == "loc" and child.getparent() is element:
            loc = text
        elif name == "lastmod":
            lastmod = text
        elif name == "publication_date":
            news_date = text
        elif name == "title" and "news" in str(child.tag):
            title = text
        elif name == "language":
            language = text
    if not loc:
        return None
    return SitemapEntry(loc, parse_iso_utc(news_date) or parse_iso_utc(lastmod), title, language)


def parse_sitemap(
    data: bytes, max_bytes: int = MAX_SITEMAP_BYTES, max_entries: int | None = None
) -> Sitemap:
    """Parse a (possibly gzipped) sitemap or sitemap index of at most ``max_bytes``
    (decompressed), keeping its first ``max_entries`` entries.

    Read as a stream: each entry is taken and its elements freed as soon as it is
    complete, so memory holds one chunk and the entries kept, never the whole document.
    """
    # No entities, no network: a sitemap is untrusted input.
    parser = lxml.etree.XMLPullParser(
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    root: lxml.etree._Element | None = None
    entries: list[SitemapEntry] = []
    try:
        for chunk in _chunks(data, max_bytes):
            parser.feed(chunk)
            for event, element in parser.read_events():
                if root is None:
                    root = element
                    if _local(root.tag) not in ("urlset", "sitemapindex"):
                        raise SitemapError("not a sitemap (no <urlset> or <sitemapindex>)")
                    continue
                if event != "end" or element.getparent() is not root:
                    continue
                if _local(element.tag) in ("url", "sitemap"):
                    entry = _entry(element)
                    if entry is not None:
                        entries.append(entry)
                # Done with it: empty it and drop the ones before it (the parser may still
                # point at the last one), so the tree stays one entry deep.
                element.clear()
                while element.getprevious() is not None:
                    del root[0]
                if max_entries is not None and len(entries) >= max_entries:
                    return Sitemap(_local(root.tag), tuple(entries), capped=True)
        parser.close()
    except lxml.etree.XMLSyntaxError as exc:
        if root is None:
            raise SitemapError(f"not XML: {exc}") from exc
        # A truncated or broken tail: the complete entries before it are still good.
    if root is None:
        raise SitemapError("not a sitemap (no <urlset> or <sitemapindex>)")
    return Sitemap(_local(root.tag), tuple(entries))
