"""Forum thread pages: one record per post, whatever the engine.

A thread page is many documents (one per post), each with its own author and date,
so the generic main-content extractor is not enough. The markup of the common engines
(:mod:`traceur.parse.forums.markup`) is read first; pages of other engines fall back on
the repeated-block finder (:mod:`traceur.parse.forums.generic`).

Everything here is pure parsing (strings and bytes in, frozen records out): the
spiders fetch, these functions read. No Scrapy import, on purpose.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime

from traceur.parse.forums.generic import parse_generic_thread
from traceur.parse.forums.markup import detect_engine, thread_markup
from traceur.parse.forums.markup_kit import Element, ThreadMarkup, read_date
from traceur.parse.forums.pagination import (
    page_offset,
    page_urls,
    read_pagination,
    thread_frame,
    thread_title,
)
from traceur.parse.forums.quotes import split_quotes
from traceur.parse.forums.records import Post, ThreadPage
from traceur.parse.html import clean_url, in_order, parse_html
from traceur.parse.posts import is_ancestor


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
    markup = thread_markup(root, engine or detect_engine(html, url))
    if markup is not None:
        return _parse_known(root, url, markup, now, per_page)
    # Unknown engine, or a known one whose theme moved the posts: find them by repetition.
    return parse_generic_thread(root, url, now, per_page)


def _parse_known(
    root: Element,
    url: str,
    markup: ThreadMarkup,
    now: datetime | None,
    per_page: int | None,
) -> ThreadPage:
    pagination = read_pagination(root, url, markup.pagination, markup.current)
    if markup.per_page and per_page is None:
        shown = [str(value) for value in root.xpath(markup.per_page)]
        per_page = next((int(value) for value in shown if value.isdigit()), None)
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
    posts = [
        _post(container, markup, offset + index, page_url, thread_url, now)
        for index, container in enumerate(containers, start=1)
    ]
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


def _post(
    container: Element,
    markup: ThreadMarkup,
    counted: int,
    page_url: str,
    thread_url: str,
    now: datetime | None,
) -> Post:
    """One post; ``counted`` is its position as counted from the page's offset, for
    engines that show no number."""
    post_id = markup.post_id(container) or str(counted)
    contents = container.xpath(markup.content)
    if contents:
        message = contents[0]
        if markup.trim is not None:
            message = copy.deepcopy(message)
            markup.trim(message)
        text, quotes = split_quotes(message, markup.quote, markup.citation, markup.junk)
    else:
        text, quotes = "", ()
    published = read_date(in_order(container, markup.date), now)
    if published is None and markup.stamp is not None:
        published = markup.stamp(container)
    position = markup.number(container) or counted
    if markup.name == "discourse":
        post_url = f"{thread_url}/{position}"
    else:
        anchor = markup.anchor(container, post_id)
        post_url = f"{page_url}#{anchor}" if anchor else page_url
    return Post(post_id, markup.author(container), published, text, quotes, position, post_url)
