"""Forum boards (topic lists): every thread with its reply count and last activity,
the next page and the sub-forums.
"""

from __future__ import annotations

from datetime import datetime

import lxml.html

from traceur.parse.forums.generic import parse_generic_board
from traceur.parse.forums.markup import board_markup, detect_engine
from traceur.parse.forums.markup_kit import read_date
from traceur.parse.forums.pagination import read_pagination
from traceur.parse.forums.records import BoardPage, ThreadLink
from traceur.parse.html import absolute, base_url, clean_url, in_order, parse_html, squash


def _last_page_link(row: lxml.html.HtmlElement, xpath: str, url: str) -> str | None:
    numbered: dict[int, str] = {}
    for link in row.xpath(xpath):
        label = squash(link.text_content())
        href = absolute(url, link.get("href"))
        if href and label.isdigit():
            numbered[int(label)] = href
    if not numbered or max(numbered) <= 1:
        return None
    return clean_url(numbered[max(numbered)])


def parse_board(html: str, url: str, *, now: datetime | None = None) -> BoardPage:
    """The threads a board (forum index, sub-forum, topic list) links to, with reply
    counts and last activity where shown, plus the board's next page and sub-forums."""
    root = parse_html(html)
    if root is None:
        return BoardPage("generic", (), None, ())
    engine = detect_engine(html, url)
    markup = board_markup(root, engine)
    if markup is None:
        return parse_generic_board(root, url, now)
    base = base_url(root, url)
    threads: list[ThreadLink] = []
    seen: set[str] = set()
    for row in root.xpath(markup.rows):
        links = row.xpath(markup.link)
        if not links:
            continue
        href = absolute(base, links[0].get("href"))
        if href is None:
            continue
        thread_url = clean_url(href, drop=("view", "start", "page"))
        if thread_url in seen:
            continue
        seen.add(thread_url)
        threads.append(
            ThreadLink(
                url=thread_url,
                title=squash(links[0].text_content()),
                replies=markup.replies(row),
                last_post_at=read_date(in_order(row, markup.last), now),
                last_page_url=_last_page_link(row, markup.last_page, base),
            )
        )
    pagination = read_pagination(root, url, markup.pagination, markup.current, exclude=markup.rows)
    subforums: list[str] = []
    for link in root.xpath(markup.subforums):
        href = absolute(base, link.get("href"))
        if href and clean_url(href) not in subforums:
            subforums.append(clean_url(href))
    return BoardPage(
        engine=engine,
        threads=tuple(threads),
        next_page_url=clean_url(pagination.next_url) if pagination.next_url else None,
        subforum_urls=tuple(subforums),
    )
