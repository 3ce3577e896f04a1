"""Markup tables of XenForo (1 and 2), Invision (IP.Board 3 and Invision Community
4) and Discourse's crawler view, thread and board variants.
"""

from __future__ import annotations

from traceur.parse.dates import from_timestamp
from traceur.parse.forums.markup_kit import (
    BoardMarkup,
    Element,
    ThreadMarkup,
    anchor_as,
    author_at,
    id_from,
    number_at,
    own_id_anchor,
    quotedata,
    replies_at,
)
from traceur.parse.forums.quotes import xpath_finder
from traceur.parse.html import first_text, has_class, parse_count
from traceur.textnorm import fold_plain

# -- XenForo ----------------------------------------------------------------------------

XF2 = ThreadMarkup(
    name="xenforo",
    post=(
        f"//article[{has_class('message--post')} or ({has_class('message')}"
        " and starts-with(@data-content, 'post-'))]"
    ),
    post_id=id_from(r"^(?:js-)?post-(\d+)$", "data-content", "id"),
    anchor=anchor_as("post-{}"),
    author=author_at(
        f".//h4[{has_class('message-name')}]//*[{has_class('username')}]", attr="data-author"
    ),
    date=f".//*[{has_class('message-attribution-main')}]//time | .//time[{has_class('u-dt')}]",
    content=f".//article[{has_class('message-body')}]//div[{has_class('bbWrapper')}]",
    quote=xpath_finder(f".//blockquote[{has_class('bbCodeBlock--quote')}]"),
    citation=xpath_finder(
        f".//div[{has_class('bbCodeBlock-title')}] | .//div[{has_class('bbCodeBlock-expandLink')}]"
    ),
    junk=f".//div[{has_class('bbCodeBlock-expandLink')}]",
    number=number_at(
        f".//ul[{has_class('message-attribution-opposite')}]"
        "//a[starts-with(normalize-space(.), '#')]"
    ),
    title=f"//h1[{has_class('p-title-value')}]",
    pagination=f"//div[{has_class('pageNav')}]",
    current=f".//li[{has_class('pageNav-page--current')}]",
)

# XenForo 1: a message list; recent dates carry data-time, older ones a title.
XF1 = ThreadMarkup(
    name="xenforo",
    post=f"//ol[@id='messageList']/li[{has_class('message')}][starts-with(@id, 'post-')]",
    post_id=id_from(r"^post-(\d+)$", "id"),
    anchor=anchor_as("post-{}"),
    author=author_at(
        f".//h3[{has_class('userText')}]//*[{has_class('username')}]", attr="data-author"
    ),
    date=f".//div[{has_class('messageMeta')}]//*[{has_class('DateTime')}]",
    content=f".//blockquote[{has_class('messageText')}]",
    quote=xpath_finder(f".//div[{has_class('bbCodeQuote')}]"),
    citation=xpath_finder(f".//div[{has_class('attribution')}]"),
    junk=f".//div[{has_class('quoteExpand')}] | .//div[{has_class('messageTextEndMarker')}]",
    number=number_at(f".//a[{has_class('postNumber')}]"),
    title=f"//div[{has_class('titleBar')}]/h1",
    pagination=f"//div[{has_class('PageNav')}]",
    current=f".//a[{has_class('currentPage')}]",
)


def _xenforo_replies(row: Element) -> int | None:
    for pair in row.xpath(f".//dl[{has_class('pairs')}]"):
        label = fold_plain(first_text(pair, "./dt") or "")
        if label.startswith(("reponse", "replies", "repl")):
            return parse_count(first_text(pair, "./dd"))
    return None


XF2_BOARD = BoardMarkup(
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
)

XF1_BOARD = BoardMarkup(
    rows=f"//ol[{has_class('discussionListItems')}]/li[{has_class('discussionListItem')}]",
    link=f".//h3[{has_class('title')}]/a[not({has_class('prefixLink')})]",
    replies=replies_at(f".//dl[{has_class('major')}]/dd"),
    last=f".//dl[{has_class('lastPostInfo')}]//dd",
    last_page=f".//span[{has_class('itemPageNav')}]/a",
    subforums=f"//h3[{has_class('nodeTitle')}]/a",
    pagination=f"//div[{has_class('PageNav')}]",
    current=f".//a[{has_class('currentPage')}]",
)

# -- Invision ---------------------------------------------------------------------------


def _invision_author(post: Element) -> str | None:
    name = first_text(
        post,
        f".//*[{has_class('cAuthorPane_author')}]//a | .//*[{has_class('cAuthorPane_author')}]",
    )
    if name:
        return name
    data = quotedata(post)
    return str(data["username"]) if data.get("username") else None


IPS4 = ThreadMarkup(
    name="invision",
    post="//article[starts-with(@id, 'elComment_')]",
    post_id=id_from(r"^elComment_(\d+)$", "id"),
    anchor=own_id_anchor,
    author=_invision_author,
    date=f".//div[{has_class('ipsComment_meta')}]//time | .//time",
    content=".//div[@data-role='commentContent']",
    quote=xpath_finder(f".//blockquote[{has_class('ipsQuote')}]"),
    citation=xpath_finder(f".//div[{has_class('ipsQuote_citation')}]"),
    # "Modifié … par X" notes sit inside the message but are the software's words.
    junk=".//*[@data-excludequote]",
    number=number_at(None),
    title=f"//h1[{has_class('ipsType_pageTitle')}]",
    pagination=f"//ul[{has_class('ipsPagination')}]",
    current=f".//li[{has_class('ipsPagination_active')}]",
    stamp=lambda post: from_timestamp(quotedata(post).get("timestamp")),
    per_page="//@data-ipsPagination-perPage | //@data-ipspagination-perpage",
)

# IP.Board 3.4: post blocks with hAtom classes; the date is an <abbr> with ISO title.
IPS3 = ThreadMarkup(
    name="invision",
    post="//div[starts-with(@id, 'post_id_')]",
    post_id=id_from(r"^post_id_(\d+)$", "id"),
    anchor=anchor_as("entry{}"),
    author=author_at(
        f".//*[{has_class('author')}]//*[@itemprop='name'] | .//*[{has_class('author')}]"
    ),
    date=f".//p[{has_class('posted_info')}]",
    content=".//div[@itemprop='commentText']",
    quote=xpath_finder(f".//blockquote[{has_class('ipsBlockquote')}]"),
    citation=xpath_finder(f".//p[{has_class('citation')}]"),
    junk=None,
    number=number_at(f".//span[{has_class('post_id')}]/a"),
    title=f"//h1[{has_class('ipsType_pagetitle')}]",
    pagination=f"//div[{has_class('pagination')}]",
    current=f".//li[{has_class('active')}]",
)

IPS4_BOARD = BoardMarkup(
    rows=f"//ol[{has_class('cTopicList')}]/li[{has_class('ipsDataItem')}]",
    link=f".//*[{has_class('ipsDataItem_title')}]//a[contains(@href, '/topic/')][1]",
    replies=replies_at(f".//ul[{has_class('ipsDataItem_stats')}]/li[1]"),
    last=f".//ul[{has_class('ipsDataItem_lastPoster')}]",
    last_page=f".//ul[{has_class('ipsPagination_mini')}]//a",
    subforums=f"//ol[{has_class('cForumList')}]//*[{has_class('ipsDataItem_title')}]//a",
    pagination=f"//ul[{has_class('ipsPagination')}]",
    current=f".//li[{has_class('ipsPagination_active')}]",
)

IPS3_BOARD = BoardMarkup(
    rows=f"//table[{has_class('topic_list')}]//tr[starts-with(@id, 'trow_')]",
    link=f".//a[{has_class('topic_title')}]",
    replies=replies_at(f".//td[{has_class('col_f_views')}]//li[1]"),
    last=f".//ul[{has_class('last_post')}]",
    last_page=f".//ul[{has_class('mini_pagination')}]//a",
    subforums=f"//td[{has_class('col_c_forum')}]//h4/a",
    pagination=f"//div[{has_class('pagination')}]",
    current=f".//li[{has_class('active')}]",
)

# -- Discourse's crawler view (the JSON API is read by traceur.parse.forums.discourse) --

DISCOURSE = ThreadMarkup(
    name="discourse",
    post=f"//div[{has_class('crawler-post')}][starts-with(@id, 'post_')]",
    # The crawler view shows post numbers, not post ids (see parse_discourse_topic).
    post_id=id_from(r"^post_(\d+)$", "id"),
    anchor=lambda post, ident: None,
    author=author_at(
        f".//*[{has_class('creator')}]//*[@itemprop='name'] | .//*[{has_class('creator')}]"
    ),
    date=".//time[@itemprop='datePublished'] | .//time",
    content=".//div[@itemprop='text']",
    quote=xpath_finder(f".//aside[{has_class('quote')}]"),
    citation=xpath_finder(f"./div[{has_class('title')}]"),
    junk=f".//aside[{has_class('onebox')}]",
    number=number_at(".//*[@itemprop='position']"),
    title="//h1",
    pagination=f"//div[@role='navigation'][{has_class('crawler-post')}]",
    current=".//strong",
)

DISCOURSE_BOARD = BoardMarkup(
    rows=f"//tr[{has_class('topic-list-item')}]",
    link=f".//a[{has_class('raw-topic-link')} or {has_class('title')}]",
    replies=replies_at(f".//*[{has_class('replies')}] | .//*[{has_class('posts')}]"),
    last=".//time | .//*[@data-time]",
    last_page=".//a[contains(@href, '?page=')]",
    subforums=f"//a[{has_class('badge-category')}] | //a[{has_class('category-title-link')}]",
    pagination="//div[@role='navigation']",
    current=".//strong",
)
