"""Forum thread pages: one record per post, whatever the engine.

A thread page is many documents (one per post), each with its own author and date,
so the generic main-content extractor is not enough. The markup of the common engines
(:mod:`traceur.parse.forums.markup`) is read first; pages of other engines fall back on
the repeated-block finder (:mod:`traceur.parse.forums.generic`).

Everything here is pure parsing (strings and bytes in, frozen records out): the
spiders fetch, these functions read. No Scrapy import, on purpose.
"""

from __future__ import annotations

import re
from datetime import datetime

import lxml.html

from traceur.parse.dates import element_date, from_timestamp
from traceur.parse.forums.generic import parse_generic_thread
from traceur.parse.forums.markup import THREAD_MARKUP, ThreadMarkup, detect_engine, quotedata
from traceur.parse.forums.pagination import (
    page_offset,
    page_urls,
    read_pagination,
    thread_frame,
    thread_title,
)
from traceur.parse.forums.quotes import split_quotes
from traceur.parse.forums.records import Post, ThreadPage
from traceur.parse.html import clean_url, first_text, in_order, parse_html

# The repeated-block finder's building blocks; see _post_chain for why the finder
# itself (which keeps only the innermost level) is not enough here.
from traceur.parse.posts import is_ancestor


def _shown_number(post: lxml.html.HtmlElement, xpath: str | None) -> int | None:
    if not xpath:
        return None
    text = first_text(post, xpath)
    match = re.search(r"#?\s*(\d+)", text or "")
    return int(match.group(1)) if match else None


def parse_thread_page(
    html: str,
    url: str,
    *,
    now: datetime | None = None,
    per_page: int | None = None,
    engine: str | None = None,
) -> ThreadPage:
    """Every post of one page of a forum thread, whatever the engine.

    ``now`` anchors relative dates ("Hier à 18:05"); ``per_page`` (posts per page, if
    the spider knows it) settles the position of posts on a last page that says
    nothing about its offset; ``engine`` overrides detection ("generic" forces the
    repeated-block fallback). A page without posts gives an empty ``posts``."""
    root = parse_html(html)
    if root is None:
        return ThreadPage("generic", "", clean_url(url), 1, (), (), None, page_url=clean_url(url))
    engine = engine or detect_engine(html, url)
    markup = THREAD_MARKUP.get(engine)
    if markup is not None and root.xpath(markup.post):
        return _parse_known(root, url, markup, now, per_page)
    # Unknown engine, or a known one whose theme moved the posts: find them by repetition.
    return parse_generic_thread(root, url, now, per_page)


def _parse_known(
    root: lxml.html.HtmlElement,
    url: str,
    markup: ThreadMarkup,
    now: datetime | None,
    per_page: int | None,
) -> ThreadPage:
    pagination = read_pagination(root, url, markup.pagination, markup.current)
    if markup.name == "invision" and per_page is None:
        for value in root.xpath("//@data-ipsPagination-perPage | //@data-ipspagination-perpage"):
            if str(value).isdigit():
                per_page = int(str(value))
                break
    page_url, page, thread_url = thread_frame(root, url, pagination)
    if markup.name == "discourse":
        thread_url = re.sub(r"(/t/[^/]+/\d+)(?:/\d+)?/?$", r"\1", thread_url)
    found = list(root.xpath(markup.post))
    containers = [
        post
        for post in found
        if not any(other is not post and is_ancestor(other, post) for other in found)
    ]
    offset = page_offset(url, page, pagination, len(containers), per_page)
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
            published = from_timestamp(quotedata(container).get("timestamp"))
        position = _shown_number(container, markup.number) or offset + index
        if markup.name == "discourse":
            post_url = f"{thread_url}/{position}"
        else:
            anchor = markup.anchor(container, post_id)
            post_url = f"{page_url}#{anchor}" if anchor else page_url
        posts.append(
            Post(post_id, markup.author(container), published, text, quotes, position, post_url)
        )
    return ThreadPage(
        engine=markup.name,
        title=thread_title(root, markup.title),
        thread_url=thread_url,
        page_number=page,
        posts=tuple(posts),
        page_urls=page_urls(pagination, page, page_url),
        next_page_url=clean_url(pagination.next_url) if pagination.next_url else None,
        page_count=pagination.count,
        page_url=page_url,
    )
