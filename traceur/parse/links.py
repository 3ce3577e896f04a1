"""The links a crawl may follow from a page, read from the page's parsed tree.

A crawl parses each page once and shares the tree: reading the links there costs a
fraction of a second link extractor parsing the page again.
"""

from __future__ import annotations

import lxml.html

from traceur.parse.html import absolute, base_url


def page_links(root: lxml.html.HtmlElement, url: str) -> list[str]:
    """Every distinct web link of the page (``<a href>``, ``<area href>``), absolute and
    without fragment, in page order; ``<base href>`` is honoured."""
    base = base_url(root, url)
    seen: set[str] = set()
    links = []
    for href in root.xpath("//a/@href | //area/@href"):
        link = absolute(base, str(href))
        if link is not None and link not in seen:
            seen.add(link)
            links.append(link)
    return links
