"""The links a crawl may follow from a page, read from the page's parsed tree.

A crawl parses each page once and shares the tree: reading the links there costs a
fraction of a second link extractor parsing the page again.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from traceur.parse.html import absolute, base_url


@lru_cache(maxsize=16_384)
def _resolved(origin: str, href: str) -> str | None:
    return absolute(origin, href)


def _link(base: str, origin: str, href: str) -> str | None:
    # A page's menus, footers and teasers repeat from page to page: absolute and
    # root-relative links do not depend on the page, so their resolution is cached.
    href = href.strip()
    if href.startswith(("http://", "https://")):
        return _resolved("", href)
    if href.startswith("/") and not href.startswith("//"):
        return _resolved(origin, href)
    return absolute(base, href)


_HREFS = etree.XPath("//a/@href | //area/@href")


def page_links(root: lxml.html.HtmlElement, url: str) -> list[str]:
    """Every distinct web link of the page (``<a href>``, ``<area href>``), absolute and
    without fragment, in page order; ``<base href>`` is honoured."""
    base = base_url(root, url)
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}/"
    seen: set[str] = set()
    links = []
    for href in _HREFS(root):
        link = _link(base, origin, str(href))
        if link is not None and link not in seen:
            seen.add(link)
            links.append(link)
    return links
