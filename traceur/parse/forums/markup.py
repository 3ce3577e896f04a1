"""Which engine a forum page comes from, and where each engine puts a post's parts
(author, date, body, quotes, anchor): one markup table per engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import lxml.html

# The repeated-block finder's building blocks; see _post_chain for why the finder
# itself (which keeps only the innermost level) is not enough here.
from traceur.parse.forums.quotes import Finder, xpath_finder
from traceur.parse.html import first_text, has_class, squash

# -- engine detection ----------------------------------------------------------------------

_Q = "[\"']"
_MARKERS: dict[str, tuple[tuple[str, int], ...]] = {
    "discourse": (
        (rf"<meta[^>]+content={_Q}Discourse", 3),
        (r"data-discourse-setup|discourse-assets|id=.data-preloaded", 2),
        (r"crawler-post", 1),
        (r"DiscussionForumPosting", 1),
    ),
    "xenforo": (
        (rf"<html[^>]+id={_Q}XF{_Q}", 3),
        (r"data-xf-init|data-xf-click", 2),
        (r"bbWrapper", 1),
        (r"message--post|structItem--thread", 1),
        (r"XenForo", 1),
    ),
    "vbulletin": (
        (rf"<meta[^>]+content={_Q}vBulletin", 3),
        (rf"id={_Q}vbulletin_html", 2),
        (r"postbitlegacy|postcontainer|threadbit", 1),
        (r"post_message_\d+", 1),
        (r"bbcode_container|vbulletin_css|vBulletin", 1),
    ),
    "phpbb": (
        (rf"<body[^>]+id={_Q}phpbb{_Q}", 3),
        (r"postprofile", 1),
        (r"topictitle|forumtitle", 1),
        (r"viewtopic|viewforum", 1),
        (r"phpBB", 1),
    ),
    "invision": (
        (r"ipsApp|ipsLayout_", 2),
        (r"elComment_\d+", 1),
        (rf"data-role={_Q}commentContent", 1),
        (r"ipsType_richText|ipsQuote|ipsDataItem", 1),
        (r"Invision Community|invisioncommunity", 1),
    ),
}
_URL_MARKERS = {
    "discourse": re.compile(r"/t/[^/]+/\d+|/c/[^/]+/\d+|/latest\b"),
    "xenforo": re.compile(r"/threads/[^/]+\.\d+|/forums/[^/]+\.\d+"),
    "vbulletin": re.compile(r"showthread\.php|forumdisplay\.php|/threads/\d+-|/forums/\d+-"),
    "phpbb": re.compile(r"viewtopic|viewforum"),
    "invision": re.compile(r"/topic/\d+-|/forum/\d+-"),
}


def detect_engine(html: str, url: str) -> str:
    """The forum engine that produced ``html``: phpbb, vbulletin, xenforo, discourse,
    invision, or generic. Markup decides (generator, html/body ids, class names);
    the URL pattern only tips a close call."""
    head = html[:400_000]
    scores: dict[str, int] = {}
    for engine, markers in _MARKERS.items():
        score = sum(weight for pattern, weight in markers if re.search(pattern, head))
        if _URL_MARKERS[engine].search(urlsplit(url).path + "?" + urlsplit(url).query):
            score += 1
        scores[engine] = score
    best = max(scores, key=lambda engine: scores[engine])
    # One lone marker is often a word in a post ("on est passés de phpBB à…").
    return best if scores[best] >= 3 else "generic"


# -- per-engine markup -------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadMarkup:
    name: str
    post: str  # post containers, in page order
    post_id: Callable[[lxml.html.HtmlElement], str | None]
    anchor: Callable[[lxml.html.HtmlElement, str], str | None]
    author: Callable[[lxml.html.HtmlElement], str | None]
    date: str  # relative to the post: where its date is shown
    content: str  # relative to the post: the message itself
    quote: Finder  # quote blocks inside the message
    citation: Callable[[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]
    junk: str | None  # relative to the message: never the author's words
    number: str | None  # relative to the post: the engine's "#12"
    title: str
    pagination: str  # pagination blocks of a thread page
    current: str  # relative to a pagination block: the current page


def _id_from(pattern: str, *attrs: str) -> Callable[[lxml.html.HtmlElement], str | None]:
    regex = re.compile(pattern)

    def find(post: lxml.html.HtmlElement) -> str | None:
        for attr in attrs:
            for node in [post, *post.iterdescendants()]:
                match = regex.search(node.get(attr) or "") if isinstance(node.tag, str) else None
                if match:
                    return match.group(1)
        return None

    return find


def _author_xpath(
    xpath: str, attr: str | None = None
) -> Callable[[lxml.html.HtmlElement], str | None]:
    def find(post: lxml.html.HtmlElement) -> str | None:
        if attr and squash(post.get(attr)):
            return squash(post.get(attr))
        return first_text(post, xpath)

    return find


def _invision_author(post: lxml.html.HtmlElement) -> str | None:
    name = first_text(
        post,
        f".//*[{has_class('cAuthorPane_author')}]//a | .//*[{has_class('cAuthorPane_author')}]",
    )
    if name:
        return name
    data = quotedata(post)
    return str(data["username"]) if data.get("username") else None


def quotedata(post: lxml.html.HtmlElement) -> dict[str, Any]:
    # Invision repeats author and unix time in data-quotedata for its quote button.
    for raw in post.xpath(".//@data-quotedata"):
        try:
            data = json.loads(str(raw))
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return {}


THREAD_MARKUP: dict[str, ThreadMarkup] = {
    "phpbb": ThreadMarkup(
        name="phpbb",
        post=f"//div[{has_class('post')}][starts-with(@id, 'p')]",
        post_id=_id_from(r"^p(\d+)$", "id"),
        anchor=lambda post, ident: post.get("id") or f"p{ident}",
        author=_author_xpath(
            f".//p[{has_class('author')}]//*[{has_class('username')}"
            f" or {has_class('username-coloured')}]"
            f" | .//dl[{has_class('postprofile')}]//*[{has_class('username')}"
            f" or {has_class('username-coloured')}]"
        ),
        date=f".//p[{has_class('author')}]",
        content=f".//div[{has_class('content')}]",
        quote=xpath_finder(".//blockquote"),
        citation=xpath_finder(".//cite"),
        junk=None,
        number=None,
        title=f"//*[self::h1 or self::h2][{has_class('topic-title')}]",
        pagination=f"//div[{has_class('pagination')}]",
        current=f".//li[{has_class('active')}] | .//strong",
    ),
    "vbulletin": ThreadMarkup(
        name="vbulletin",
        post=(
            f"//li[{has_class('postcontainer')} or {has_class('postbitlegacy')}"
            f" or {has_class('postbit')}][starts-with(@id, 'post_')]"
        ),
        post_id=_id_from(r"^post_(\d+)$", "id"),
        anchor=lambda post, ident: f"post{ident}",
        author=_author_xpath(
            f".//div[{has_class('userinfo')}]//*[{has_class('username')}]"
            f" | .//*[{has_class('username')}]"
        ),
        date=f".//span[{has_class('postdate')}] | .//div[{has_class('posthead')}]",
        content=".//div[starts-with(@id, 'post_message_')]",
        # Code boxes share bbcode_container; only those holding a quote are quotes.
        quote=xpath_finder(
            f".//div[{has_class('bbcode_container')}][.//div[{has_class('bbcode_quote')}]]"
        ),
        citation=xpath_finder(f".//div[{has_class('bbcode_postedby')}]"),
        junk=None,
        number=f".//a[{has_class('postcounter')}]",
        title=f"//*[{has_class('threadtitle')}]",
        pagination=f"//form[{has_class('pagination')}] | //div[{has_class('pagination')}]",
        current=f".//span[{has_class('selected')}]",
    ),
    "xenforo": ThreadMarkup(
        name="xenforo",
        post=(
            f"//article[{has_class('message--post')} or ({has_class('message')}"
            " and starts-with(@data-content, 'post-'))]"
        ),
        post_id=_id_from(r"^(?:js-)?post-(\d+)$", "data-content", "id"),
        anchor=lambda post, ident: f"post-{ident}",
        author=_author_xpath(
            f".//h4[{has_class('message-name')}]//*[{has_class('username')}]", attr="data-author"
        ),
        date=f".//*[{has_class('message-attribution-main')}]//time | .//time[{has_class('u-dt')}]",
        content=f".//article[{has_class('message-body')}]//div[{has_class('bbWrapper')}]",
        quote=xpath_finder(f".//blockquote[{has_class('bbCodeBlock--quote')}]"),
        citation=xpath_finder(
            f".//div[{has_class('bbCodeBlock-title')}]"
            f" | .//div[{has_class('bbCodeBlock-expandLink')}]"
        ),
        junk=f".//div[{has_class('bbCodeBlock-expandLink')}]",
        number=(
            f".//ul[{has_class('message-attribution-opposite')}]"
            "//a[starts-with(normalize-space(.), '#')]"
        ),
        title=f"//h1[{has_class('p-title-value')}]",
        pagination=f"//div[{has_class('pageNav')}]",
        current=f".//li[{has_class('pageNav-page--current')}]",
    ),
    "invision": ThreadMarkup(
        name="invision",
        post="//article[starts-with(@id, 'elComment_')]",
        post_id=_id_from(r"^elComment_(\d+)$", "id"),
        anchor=lambda post, ident: post.get("id") or f"elComment_{ident}",
        author=_invision_author,
        date=f".//div[{has_class('ipsComment_meta')}]//time | .//time",
        content=".//div[@data-role='commentContent']",
        quote=xpath_finder(f".//blockquote[{has_class('ipsQuote')}]"),
        citation=xpath_finder(f".//div[{has_class('ipsQuote_citation')}]"),
        # "Modifié … par X" notes sit inside the message but are the software's words.
        junk=".//*[@data-excludequote]",
        number=None,
        title=f"//h1[{has_class('ipsType_pageTitle')}]",
        pagination=f"//ul[{has_class('ipsPagination')}]",
        current=f".//li[{has_class('ipsPagination_active')}]",
    ),
    "discourse": ThreadMarkup(
        name="discourse",
        post=f"//div[{has_class('crawler-post')}][starts-with(@id, 'post_')]",
        # The crawler view shows post numbers, not post ids (see parse_discourse_topic).
        post_id=_id_from(r"^post_(\d+)$", "id"),
        anchor=lambda post, ident: None,
        author=_author_xpath(
            f".//*[{has_class('creator')}]//*[@itemprop='name'] | .//*[{has_class('creator')}]"
        ),
        date=".//time[@itemprop='datePublished'] | .//time",
        content=".//div[@itemprop='text']",
        quote=xpath_finder(f".//aside[{has_class('quote')}]"),
        citation=xpath_finder(f"./div[{has_class('title')}]"),
        junk=f".//aside[{has_class('onebox')}]",
        number=".//*[@itemprop='position']",
        title="//h1",
        pagination=f"//div[@role='navigation'][{has_class('crawler-post')}]",
        current=".//strong",
    ),
}
