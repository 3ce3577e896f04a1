"""What the forums read through a JSON API (Discourse, NodeBB, Flarum) share: the
payload, the site's root, the page asked for, and a post's rendered HTML turned into
the author's own words and the quotes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lxml.html

from traceur.parse.forums.quotes import Finder, split_quotes
from traceur.parse.forums.records import Post, ThreadPage
from traceur.parse.html import clean_url, parse_html, squash
from traceur.textnorm import fold_plain


def site_of(url: str) -> str:
    """scheme://host[:port] of ``url``: API paths and permalinks hang from it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def query_int(url: str, name: str, default: int) -> int:
    """A whole-number query parameter (``page=3``, ``page[offset]=20``), else ``default``."""
    value = dict(parse_qsl(urlsplit(url).query)).get(name, "")
    return int(value) if value.isdigit() else default


def as_int(value: Any) -> int | None:
    """An API count that may come as a number or a numeric string ("12")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def pages_for(items: int | None, page_size: int) -> int | None:
    """How many pages of ``page_size`` hold ``items`` (None when the count is unknown)."""
    return math.ceil(items / page_size) if items is not None and items > 0 else None


def api_thread_page(
    engine: str,
    title: str,
    thread_url: str,
    page: int,
    posts: Iterable[Post],
    count: int | None,
    page_url: Callable[[int], str],
) -> ThreadPage:
    """One page of a thread read through an API; ``page_url(n)`` is the API address of
    page n, ``count`` the number of pages when the API says it (at least this one)."""
    count = max(count or page, page)
    return ThreadPage(
        engine=engine,
        title=squash(title),
        thread_url=thread_url,
        page_number=page,
        posts=tuple(posts),
        page_urls=tuple(page_url(n) for n in range(1, count + 1)),
        next_page_url=page_url(page + 1) if page < count else None,
        page_count=count,
        page_url=page_url(page),
    )


def unreadable_thread(engine: str, url: str, page: int) -> ThreadPage:
    """What a thread page that is not the expected JSON gives: no posts."""
    return ThreadPage(engine, "", clean_url(url), page, (), (), None, page_url=clean_url(url))


# "@bob a dit dans Tramway ou bus :", "bob wrote:", "Citation de bob :" — the line an
# engine's quote button writes just above the blockquote, outside it.
_LEAD_IN = re.compile(
    r"(?:a ecrit|a dit|ecrivait|wrote|said)(?:\s+(?:dans|in|sur)\s+.{1,200})?\s*:?\s*$"
    r"|^(?:citation|quote)\s+(?:de|from)\s+.{1,80}:\s*$"
)


def drop_quote_lead_ins(content: lxml.html.HtmlElement) -> None:
    """Remove, in place, each short attribution line that sits right before a quote block:
    it names the quoted author, it is not the quoting author's words."""
    for quote in content.xpath(".//blockquote"):
        lead = quote.getprevious()
        if lead is None or lead.tag not in ("p", "div", "span", "b", "strong", "small"):
            continue
        text = squash(lead.text_content())
        if len(text) <= 250 and _LEAD_IN.search(fold_plain(text)):
            lead.drop_tree()


def message_text(
    html: str,
    quote: Finder,
    citation: Finder,
    junk_xpath: str | None = None,
    lead_ins: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """(the author's own words, the quoted texts) of a post's rendered HTML, as the API
    gives it (Discourse ``cooked``, NodeBB ``content``, Flarum ``contentHtml``)."""
    if not html.strip():
        return "", ()
    root = parse_html(f"<div>{html}</div>")
    if root is None:
        return "", ()
    body = root.xpath("//body/div")
    content = body[0] if body else root
    if lead_ins:
        drop_quote_lead_ins(content)
    return split_quotes(content, quote, citation, junk_xpath)
