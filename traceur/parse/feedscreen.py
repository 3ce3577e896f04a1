"""A cheap look at a feed before feedparser reads it: element count, attributes per
element and nesting depth, within fixed limits.

feedparser is pure Python and some of its work grows with the square of what a hostile
feed holds: one ``<item>`` with 300,000 attributes took 11 min 40 s of CPU. libxml2
(through lxml's streaming parser, which builds no more than one element at a time here)
reads the same bytes in under a second, so a feed is screened first and one that no
publisher would write is refused with the reason.
"""

from __future__ import annotations

import functools
import re

import lxml.etree

# Far above any real feed: a full RSS feed of 1,000 items with 20 elements each is 20,000
# elements; RSS and Atom nest 5 or 6 deep (inline XHTML content a few more); the most
# attributes a real element carries is about ten (media:content, an Atom link).
MAX_FEED_ELEMENTS = 100_000
MAX_FEED_ATTRIBUTES = 100
MAX_FEED_DEPTH = 64
_CHUNK = 64 * 1024


@functools.cache
def _attribute_run(count: int) -> re.Pattern[bytes]:
    # ``count`` attributes in a row (name="value", no "<" inside: XML forbids it there).
    # Searched in the raw bytes first: lxml would build every attribute of an element
    # before the screen could count them, 200 MB for 300,000.
    attribute = rb"""\s+[^\s=<>/"']+\s*=\s*(?:"[^"<]*"|'[^'<]*')"""
    return re.compile(b"(?:" + attribute + b"){%d}" % count)


def feed_problem(
    data: bytes,
    max_elements: int = MAX_FEED_ELEMENTS,
    max_attributes: int = MAX_FEED_ATTRIBUTES,
    max_depth: int = MAX_FEED_DEPTH,
) -> str | None:
    """Why ``data`` is no feed to hand to a full parser, or None when it looks sane (or is
    not XML at all: the feed parser then says what it is)."""
    if _attribute_run(max_attributes + 1).search(data):
        return f"an element with more than {max_attributes} attributes"
    parser = lxml.etree.XMLPullParser(
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    elements = depth = 0
    try:
        for start in range(0, len(data), _CHUNK):
            parser.feed(data[start : start + _CHUNK])
            for event, element in parser.read_events():
                if event == "end":
                    depth -= 1
                    # Nothing is kept: empty it so the tree never holds the feed.
                    element.clear()
                    continue
                elements += 1
                depth += 1
                if elements > max_elements:
                    return f"more than {max_elements} XML elements"
                if depth > max_depth:
                    return f"XML nested more than {max_depth} levels deep"
                attributes = len(element.attrib)
                if attributes > max_attributes:
                    return f"an element with {attributes} attributes (at most {max_attributes})"
        parser.close()
    except lxml.etree.XMLSyntaxError:
        return None
    return None
