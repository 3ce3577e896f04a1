"""Forum boards (topic lists): every thread with its reply count and last activity,
the next page and the sub-forums.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import lxml.html

from traceur.parse.dates import element_date
from traceur.parse.forums.generic import parse_generic_board
from traceur.parse.forums.markup import detect_engine
from traceur.parse.forums.pagination import read_pagination
from traceur.parse.forums.records import BoardPage, ThreadLink
from traceur.parse.html import (
    absolute,
    base_url,
    clean_url,
    first_text,
    has_class,
    in_order,
    parse_count,
    parse_html,
    squash,
)

# The repeated-block finder's building blocks; see _post_chain for why the finder
# itself (which keeps only the innermost level) is not enough here.
from traceur.textnorm import fold_plain


@dataclass(frozen=True)
class _BoardMarkup:
    rows: str  # one element per thread
    link: str  # relative to a row: the thread's title link
    replies: Callable[[lxml.html.HtmlElement], int | None]
    last: str  # relative to a row: where the last activity is shown
    last_page: str  # relative to a row: links of the row's mini-pagination
    subforums: str
    pagination: str
    current: str


def _replies_xpath(xpath: str) -> Callable[[lxml.html.HtmlElement], int | None]:
    def find(row: lxml.html.HtmlElement) -> int | None:
        return parse_count(first_text(row, xpath))

    return find


def _xenforo_replies(row: lxml.html.HtmlElement) -> int | None:
    for pair in row.xpath(f".//dl[{has_class('pairs')}]"):
        label = fold_plain(first_text(pair, "./dt") or "")
        if label.startswith(("reponse", "replies", "repl")):
            return parse_count(first_text(pair, "./dd"))
    return None


_BOARDS: dict[str, _BoardMarkup] = {
    "phpbb": _BoardMarkup(
        rows=f"//ul[{has_class('topiclist')} and {has_class('topics')}]/li[{has_class('row')}]",
        link=f".//a[{has_class('topictitle')}]",
        replies=_replies_xpath(f".//dd[{has_class('posts')}]"),
        last=f".//dd[{has_class('lastpost')}]",
        last_page=f".//div[{has_class('pagination')}]//a",
        subforums=(
            f"//ul[{has_class('topiclist')} and {has_class('forums')}]"
            f"//a[{has_class('forumtitle')}] | //a[{has_class('subforum')}]"
        ),
        pagination=f"//div[{has_class('action-bar')}]//div[{has_class('pagination')}]",
        current=f".//li[{has_class('active')}]",
    ),
    "vbulletin": _BoardMarkup(
        rows=f"//li[{has_class('threadbit')}]",
        link=f".//a[{has_class('title')}]",
        replies=_replies_xpath(f".//ul[{has_class('threadstats')}]/li[1]"),
        last=f".//dl[{has_class('threadlastpost')}]",
        last_page=f".//dl[{has_class('pagination')}]//a",
        subforums=f"//*[{has_class('forumtitle')}]/a",
        pagination=(
            f"//div[{has_class('threadpagenav')}]//*[{has_class('pagination')}]"
            f" | //div[{has_class('pagination_top')}]//*[{has_class('pagination')}]"
        ),
        current=f".//span[{has_class('selected')}]",
    ),
    "xenforo": _BoardMarkup(
        rows=f"//div[{has_class('structItem--thread')}]",
        link=f".//div[{has_class('structItem-title')}]/a[contains(@href, '/threads/')][last()]",
        replies=_xenforo_replies,
        last=(
            f".//time[{has_class('structItem-latestDate')}]"
            f" | .//div[{has_class('structItem-cell--latest')}]"
        ),
        last_page=f".//span[{has_class('structItem-pageJump')}]/a",
        subforums=f"//*[{has_class('node-title')}]/a",
        pagination=f"//div[{has_class('pageNav')}]",
        current=f".//li[{has_class('pageNav-page--current')}]",
    ),
    "invision": _BoardMarkup(
        rows=f"//ol[{has_class('cTopicList')}]/li[{has_class('ipsDataItem')}]",
        link=f".//*[{has_class('ipsDataItem_title')}]//a[contains(@href, '/topic/')][1]",
        replies=_replies_xpath(f".//ul[{has_class('ipsDataItem_stats')}]/li[1]"),
        last=f".//ul[{has_class('ipsDataItem_lastPoster')}]",
        last_page=f".//ul[{has_class('ipsPagination_mini')}]//a",
        subforums=f"//ol[{has_class('cForumList')}]//*[{has_class('ipsDataItem_title')}]//a",
        pagination=f"//ul[{has_class('ipsPagination')}]",
        current=f".//li[{has_class('ipsPagination_active')}]",
    ),
    "discourse": _BoardMarkup(
        rows=f"//tr[{has_class('topic-list-item')}]",
        link=f".//a[{has_class('raw-topic-link')} or {has_class('title')}]",
        replies=_replies_xpath(f".//*[{has_class('replies')}] | .//*[{has_class('posts')}]"),
        last=".//time | .//*[@data-time]",
        last_page=".//a[contains(@href, '?page=')]",
        subforums=f"//a[{has_class('badge-category')}] | //a[{has_class('category-title-link')}]",
        pagination="//div[@role='navigation']",
        current=".//strong",
    ),
}


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
    markup = _BOARDS.get(engine)
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
                last_post_at=element_date(in_order(row, markup.last), now),
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
