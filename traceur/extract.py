"""Main-content extraction: title, author, date, text and language of a fetched page.

trafilatura does the heavy lifting (boilerplate removal); the page's own metadata
(``article:published_time``, ``<time datetime>``, ``<html lang>``) is preferred when
present because it carries the time of day and zone, where trafilatura keeps the day.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import lxml.html
import trafilatura

from .document import to_utc
from .language import document_language
from .posts import post_texts
from .textnorm import strip_control

log = logging.getLogger(__name__)

_DATE_META = (
    "article:published_time", "og:published_time", "datePublished", "date", "dc.date",
    "dcterms.created", "pubdate", "publish-date", "sailthru.date",
)


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    lang: str | None


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 (with or without zone; a bare date is midnight UTC) → aware UTC, else None."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # "+0100" → "+01:00" for fromisoformat on every Python we support.
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc))


def _page_metadata(tree: lxml.html.HtmlElement) -> tuple[datetime | None, str | None]:
    published = None
    for name in _DATE_META:
        for node in tree.xpath(f'//meta[@property="{name}" or @name="{name}" or @itemprop="{name}"]/@content'):
            published = parse_datetime(str(node))
            if published:
                break
        if published:
            break
    if published is None:
        for node in tree.xpath("//article//time/@datetime | //time[@pubdate]/@datetime"):
            published = parse_datetime(str(node))
            if published:
                break
    lang = None
    for node in tree.xpath("/html/@lang | //meta[@http-equiv='content-language']/@content"):
        lang = str(node).split("-")[0].strip().lower() or None
        if lang:
            break
    return published, lang


def extract_page(html: str, url: str, with_comments: bool = True, thread: bool = False) -> Extracted | None:
    """Extract the main content of ``html``; None when the page has no main text.

    ``thread``: the page is a forum thread; its text is every post, not only the block
    a main-content extractor would keep. Its author is left empty (there is one per post).
    """
    html = strip_control(html)
    if not html.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    published, lang = _page_metadata(tree)
    # trafilatura drops <header> blocks as boilerplate, and with them the lead paragraph
    # that many CMSs put in the article's own <header> next to the headline.
    for header in tree.xpath("//article//header"):
        header.tag = "div"
    result = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=with_comments, include_tables=True, favor_precision=True
    )
    if result is None:
        return None
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    title = (data.get("title") or "").strip()
    text = (data.get("text") or "").strip()
    # trafilatura repeats the headline as the first line of the text; keep it in the title only.
    if title and text.startswith(title):
        text = text[len(title):].lstrip()
    comments = (data.get("comments") or "").strip()
    if with_comments and comments:
        text = f"{text}\n\n{comments}"
    author = (data.get("author") or "").strip() or None
    if thread:
        posts = post_texts(html)
        if posts:
            text = "\n\n".join(posts)
            author = None
    if not text:
        return None
    if published is None:
        published = parse_datetime(data.get("date"))
    return Extracted(title=title, text=text, author=author, published_at=published, lang=document_language(title, text, lang))
