"""The forums read through a JSON API rather than their pages (Discourse, NodeBB,
Flarum): how to recognise one from a page or an address, and, per engine, where its
board and thread JSON live and how to read them.

Their pages are JavaScript applications: what a browser shows is built from the same
JSON the spider asks for, which carries exact dates, ids and authors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from traceur.parse.forums.discourse import (
    discourse_board_json_url,
    discourse_topic_json_url,
    parse_discourse_board,
    parse_discourse_topic,
)
from traceur.parse.forums.flarum import (
    flarum_board_api_url,
    flarum_discussion_api_url,
    parse_flarum_board,
    parse_flarum_discussion,
)
from traceur.parse.forums.markup import detect_engine
from traceur.parse.forums.nodebb import (
    nodebb_board_api_url,
    nodebb_topic_api_url,
    parse_nodebb_board,
    parse_nodebb_topic,
)
from traceur.parse.forums.records import BoardPage, ThreadPage


@dataclass(frozen=True)
class ApiForum:
    engine: str
    board_api_url: Callable[[str], str]  # a list page's URL → its JSON
    parse_board: Callable[[bytes, str], BoardPage]
    thread_api_url: Callable[[str], str]  # a thread's URL → its first page of JSON
    parse_thread: Callable[[bytes, str], ThreadPage]
    board_api_path: re.Pattern[str]  # paths of its list JSON


API_FORUMS: dict[str, ApiForum] = {
    "discourse": ApiForum(
        "discourse",
        discourse_board_json_url,
        parse_discourse_board,
        discourse_topic_json_url,
        parse_discourse_topic,
        re.compile(r"\.json$"),
    ),
    "nodebb": ApiForum(
        "nodebb",
        nodebb_board_api_url,
        parse_nodebb_board,
        nodebb_topic_api_url,
        parse_nodebb_topic,
        re.compile(r"^/api/(?:categories|category/\d+|recent|popular|top|unread)(?:/|$)"),
    ),
    "flarum": ApiForum(
        "flarum",
        flarum_board_api_url,
        parse_flarum_board,
        flarum_discussion_api_url,
        parse_flarum_discussion,
        re.compile(r"^/api/discussions/?$"),
    ),
}

_Q = "[\"']"
# What the engines' page shells carry, whatever the theme: their script bundle, the
# JSON they boot from, their app container. Weighted like markup.detect_engine's.
_MARKERS: dict[str, tuple[tuple[str, int], ...]] = {
    "nodebb": (
        (r"nodebb\.min\.js|/assets/nodebb\b", 3),
        (rf"id={_Q}ajaxify-data{_Q}|ajaxify\.data\s*=", 2),
        (r"\btemplate-(?:topic|category|categories|recent)\b", 1),
        (rf"component={_Q}(?:post|topic|category)(?:/[a-z-]+)?{_Q}", 1),
        (r"Powered by\s*<a[^>]*>\s*NodeBB|\bNodeBB\b", 1),
    ),
    "flarum": (
        (rf"id={_Q}flarum-json-payload{_Q}", 3),
        (r"flarum\.core\.app\.load|flarum\.core\b", 2),
        (rf"id={_Q}flarum-(?:loading|content){_Q}", 2),
        (r"\bFlarum\b", 1),
    ),
}
_PAGE_URLS = {
    "nodebb": re.compile(r"^/(?:topic|category)/\d+(?:/|$)"),
    "flarum": re.compile(r"^/(?:d/\d+|t/[^/]+/?$|all/?$)"),
}


def api_forum_of_url(url: str) -> ApiForum | None:
    """The API forum whose board JSON lives at ``url`` (a source given by its API
    address: /latest.json, /api/category/5/slug, /api/discussions), else None."""
    path = urlsplit(url).path
    for forum in API_FORUMS.values():
        if forum.board_api_path.search(path):
            return forum
    return None


def api_forum_of_page(html: str, url: str) -> ApiForum | None:
    """The API forum that served the page ``html`` (its markers, the URL tipping a close
    call), else None: the page is read as HTML."""
    head = html[:400_000]
    path = urlsplit(url).path
    for engine, markers in _MARKERS.items():
        score = sum(weight for pattern, weight in markers if re.search(pattern, head))
        score += 1 if _PAGE_URLS[engine].search(path) else 0
        # One lone marker may be a word in a post ("on passe sous NodeBB ?").
        if score >= 3:
            return API_FORUMS[engine]
    if detect_engine(html, url) == "discourse":
        return API_FORUMS["discourse"]
    return None
