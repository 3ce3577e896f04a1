"""Which engine a forum page comes from, and which markup table reads it: each
engine family has one table per version it renders differently (the tables live in
:mod:`markup_classic` and :mod:`markup_modern`), and a page is read with the first
whose post or thread rows it has.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.forums.markup_classic import (
    FLUXBB,
    FLUXBB_BOARD,
    MYBB,
    MYBB_BOARD,
    PHPBB2,
    PHPBB2_BOARD,
    PHPBB3,
    PHPBB3_BOARD,
    PUNBB,
    PUNBB_BOARD,
    SMF2,
    SMF2_BOARD,
    VB3,
    VB3_BOARD,
    VB4,
    VB4_BOARD,
    VB5,
    VB5_BOARD,
)
from traceur.parse.forums.markup_kit import BoardMarkup, ThreadMarkup
from traceur.parse.forums.markup_modern import (
    DISCOURSE,
    DISCOURSE_BOARD,
    IPS3,
    IPS3_BOARD,
    IPS4,
    IPS4_BOARD,
    XF1,
    XF1_BOARD,
    XF2,
    XF2_BOARD,
)

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
        # XenForo 1
        (rf"<html[^>]+id={_Q}XenForo{_Q}", 3),
        (r"messageUserInfo|discussionListItems", 1),
    ),
    "vbulletin": (
        (rf"<meta[^>]+content={_Q}vBulletin", 3),
        (rf"id={_Q}vbulletin_html", 2),
        (r"postbitlegacy|postcontainer|threadbit", 1),
        (r"post_message_\d+", 1),
        (r"bbcode_container|vbulletin_css|vBulletin", 1),
        # vBulletin 5 and 3
        (rf"<body[^>]+id={_Q}vb-page-body{_Q}", 3),
        (r"b-post__|conversation-list|js-pagenav", 1),
        (r"vbmenu_register|bigusername|threadbits_forum_", 1),
    ),
    "phpbb": (
        (rf"<body[^>]+id={_Q}phpbb{_Q}", 3),
        (r"postprofile", 1),
        (r"topictitle|forumtitle", 1),
        (r"viewtopic|viewforum", 1),
        (r"phpBB", 1),
        # phpBB 2's subSilver
        (rf"templates/subSilver|class={_Q}forumline{_Q}", 2),
    ),
    "invision": (
        (r"ipsApp|ipsLayout_", 2),
        (r"elComment_\d+", 1),
        (rf"data-role={_Q}commentContent", 1),
        (r"ipsType_richText|ipsQuote|ipsDataItem", 1),
        (r"Invision Community|invisioncommunity", 1),
        # IP.Board 3
        (rf"<body[^>]+id={_Q}ipboard_body{_Q}", 3),
        (r"ipb\.vars|ipsBlockquote|IP\.Board", 1),
    ),
    "smf": (
        (r"var smf_theme_url|var smf_scripturl", 3),
        (r"Simple Machines|simplemachines\.org", 1),
        (rf"post_wrapper|quoteheader|id={_Q}forumposts|id={_Q}messageindex", 1),
    ),
    "mybb": (
        (r"var my_post_key|MyBB\.whoPosted|MyBB\.init", 3),
        (r"jscripts/general\.js|MyBB Group|>MyBB<", 1),
        (r"author_information|mycode_quote|inline_row", 1),
    ),
    "fluxbb": (
        (rf"id={_Q}pun[a-z]+{_Q}[^>]*class={_Q}pun", 3),
        # PunBB 1.3 and 1.4
        (rf"id={_Q}brd-(?:wrap|viewtopic|viewforum|index){_Q}", 3),
        (r"FluxBB|PunBB", 1),
        (r"blockpost|quotebox|postsignature", 1),
    ),
}
_URL_MARKERS = {
    "discourse": re.compile(r"/t/[^/]+/\d+|/c/[^/]+/\d+|/latest\b"),
    "xenforo": re.compile(r"/threads/[^/]+\.\d+|/forums/[^/]+\.\d+"),
    "vbulletin": re.compile(r"showthread\.php|forumdisplay\.php|/threads/\d+-|/forums/\d+-"),
    "phpbb": re.compile(r"viewtopic|viewforum"),
    "invision": re.compile(r"/topic/\d+-|/forum/\d+-"),
    "smf": re.compile(r"[?&;](?:topic|board)=\d+\.\d+"),
    "mybb": re.compile(r"showthread\.php\?tid=|forumdisplay\.php\?fid="),
    "fluxbb": re.compile(r"viewtopic\.php\?id=|viewforum\.php\?id="),
}


def detect_engine(html: str, url: str) -> str:
    """The forum engine that produced ``html``: phpbb, vbulletin, xenforo, discourse,
    invision, smf, mybb, fluxbb (FluxBB and PunBB), or generic. Markup decides
    (generator, html/body ids, class names); the URL pattern only tips a close call."""
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


# -- which table reads a page --------------------------------------------------------

# Each family's tables are tried in this order; the first whose posts (rows) the page
# has reads it. The versions' container XPaths do not overlap, so the order only
# matters for speed: the most common version comes first.

THREAD_MARKUP: dict[str, tuple[ThreadMarkup, ...]] = {
    "phpbb": (PHPBB3, PHPBB2),
    "vbulletin": (VB4, VB5, VB3),
    "smf": (SMF2,),
    "mybb": (MYBB,),
    "fluxbb": (FLUXBB, PUNBB),
    "xenforo": (XF2, XF1),
    "invision": (IPS4, IPS3),
    "discourse": (DISCOURSE,),
}

BOARD_MARKUP: dict[str, tuple[BoardMarkup, ...]] = {
    "phpbb": (PHPBB3_BOARD, PHPBB2_BOARD),
    "vbulletin": (VB4_BOARD, VB5_BOARD, VB3_BOARD),
    "smf": (SMF2_BOARD,),
    "mybb": (MYBB_BOARD,),
    "fluxbb": (FLUXBB_BOARD, PUNBB_BOARD),
    "xenforo": (XF2_BOARD, XF1_BOARD),
    "invision": (IPS4_BOARD, IPS3_BOARD),
    "discourse": (DISCOURSE_BOARD,),
}


def thread_markup(root: lxml.html.HtmlElement, engine: str) -> ThreadMarkup | None:
    """The table of ``engine`` whose posts ``root`` has (None: none of them fits)."""
    return next(
        (markup for markup in THREAD_MARKUP.get(engine, ()) if root.xpath(markup.post)), None
    )


def board_markup(root: lxml.html.HtmlElement, engine: str) -> BoardMarkup | None:
    """The board table of ``engine`` whose thread rows (or, on a forum index without
    threads, whose sub-forum links) ``root`` has; the family's first table otherwise."""
    variants = BOARD_MARKUP.get(engine, ())
    for wanted in ("rows", "subforums"):
        for markup in variants:
            if root.xpath(getattr(markup, wanted)):
                return markup
    return variants[0] if variants else None
