"""Sitemaps and sitemap indexes, with Google News tags, for news sites.

Only recent entries matter to a veille: a news sitemap lists the last two days, a
plain sitemap can list a site's whole archive. Entries carry their date (the news
publication date, else ``lastmod``) so the collector fetches only what is recent.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from datetime import datetime

import lxml.etree

from traceur.parse.dates import parse_iso_utc

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's own limit, uncompressed


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    published_at: datetime | None  # news:publication_date, else lastmod
    title: str | None = None  # news:title
    language: str | None = None  # news:language


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "urlset" or "sitemapindex"
    entries: tuple[SitemapEntry, ...]


class SitemapError(ValueError):
    """Not a sitemap (or too large to be one)."""


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _unzip(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
        out = handle.read(MAX_SITEMAP_BYTES + 1)
    if len(out) > MAX_SITEMAP_BYTES:
        raise SitemapError("the sitemap is larger than 50 MB once decompressed")
    return out


def parse_sitemap(data: bytes) -> Sitemap:
    """Parse a (possibly gzipped) sitemap or sitemap index."""
    body = _unzip(data)
    # No entities, no network: a sitemap is untrusted input.
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise SitemapError(f"not XML: {exc}") from exc
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise SitemapError("not a sitemap (no <urlset> or <sitemapindex>)")
    entries: list[SitemapEntry] = []
    for element in root:
        if _local(element.tag) not in ("url", "sitemap"):
            continue
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
        if loc:
            entries.append(
                SitemapEntry(
                    loc, parse_iso_utc(news_date) or parse_iso_utc(lastmod), title, language
                )
            )
    return Sitemap(_local(root.tag), tuple(entries))
