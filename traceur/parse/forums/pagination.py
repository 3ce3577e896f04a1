"""Where a thread page stands: its page number, the thread's first page, the next
page, the page count, and the offset of its first post. Positions do not depend on
having seen page 1: each page works out its own offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import lxml.html

from traceur.parse.html import (
    absolute,
    base_url,
    clean_url,
    first_text,
    has_class,
    spaced_text,
    squash,
)
from traceur.parse.posts import is_ancestor
from traceur.textnorm import fold_plain

_PAGE_OF = re.compile(r"\bpage\s*(\d+)\s*(?:sur|of|/)\s*(\d+)")
_MESSAGES = re.compile(r"(\d+(?:[ .,]\d{3})*)\s*(?:messages?|posts?)\b")
_RESULTS = re.compile(
    r"\b(?:resultats?|results?|messages?|affichage des resultats)"
    r"\s+(\d+)\s+(?:a|to|-)\s+(\d+)\s+(?:sur|of)\s+(\d+)"
)
_URL_PAGE = (
    re.compile(r"/page[-/]?(\d+)(?:\.html?)?/?$"),
    re.compile(r"[?&]page=(\d+)"),
)


@dataclass(frozen=True)
class Pagination:
    pages: dict[int, str]
    current: int | None
    count: int | None
    total_posts: int | None
    first_shown: int | None  # "Résultats 7 à 11 sur 11" → 7
    next_url: str | None


def read_pagination(
    root: lxml.html.HtmlElement,
    url: str,
    blocks_xpath: str,
    current_xpath: str,
    exclude: str | None = None,
) -> Pagination:
    base = base_url(root, url)
    pages: dict[int, str] = {}
    current: int | None = None
    count: int | None = None
    total: int | None = None
    first_shown: int | None = None
    next_url: str | None = None
    blocks = list(root.xpath(blocks_xpath))
    if exclude:
        # Board rows carry their own mini-paginations (one per thread): not the board's.
        excluded = set(root.xpath(exclude))
        blocks = [b for b in blocks if not any(is_ancestor(row, b) or row is b for row in excluded)]
    for block in blocks:
        for link in block.xpath(".//a[@href]"):
            label = squash(link.text_content())
            href = absolute(base, link.get("href"))
            if href is None:
                continue
            if label.isdigit():
                pages.setdefault(int(label), href)
            if next_url is None and _is_next(link):
                next_url = href
        for node in block.xpath(current_xpath):
            label = squash(node.text_content())
            if label.isdigit():
                current = int(label)
                break
        folded = fold_plain(spaced_text(block))
        if count is None and (match := _PAGE_OF.search(folded)):
            current = current or int(match.group(1))
            count = int(match.group(2))
        if total is None and (match := _MESSAGES.search(folded)):
            total = int(re.sub(r"[ .,]", "", match.group(1)))
        for link in block.xpath(".//*[@title]"):
            # vBulletin puts "Résultats 1 à 6 sur 11" in the title of the current page
            # (a link in version 4, the span around it in version 3).
            if (
                first_shown is None
                and squash(link.text_content()) == str(current or "")
                and (found := _RESULTS.search(fold_plain(link.get("title") or "")))
            ):
                first_shown = int(found.group(1))
    if first_shown is None:
        for node in root.xpath(
            f"//*[{has_class('postpagestats')}] | //*[{has_class('pagestats')}]"
        ):
            if found := _RESULTS.search(fold_plain(spaced_text(node))):
                first_shown = int(found.group(1))
                total = total or int(found.group(3))
                break
    if next_url is None:
        for link in root.xpath("//link[@rel='next'] | //a[@rel='next']"):
            if exclude and any(is_ancestor(row, link) for row in root.xpath(exclude)):
                continue
            next_url = absolute(base, link.get("href"))
            if next_url:
                break
    if current is None:
        current = _page_from_url(url)
    if current is not None and next_url is None and (current + 1) in pages:
        next_url = pages[current + 1]
    if pages and (count is None or max(pages) > count):
        count = max(max(pages), current or 1) if count is None else max(pages)
    return Pagination(pages, current, count, total, first_shown, next_url)


def _is_next(link: lxml.html.HtmlElement) -> bool:
    rel = (link.get("rel") or "").lower().split()
    classes = (
        (link.get("class") or "")
        + " "
        + (link.getparent().get("class") or "" if link.getparent() is not None else "")
    )
    label = fold_plain(squash(link.text_content()) or link.get("title") or "")
    # "Suivante >", "Suivant »", a lone ">": the words without their arrows.
    words = label.strip(" >»›→")
    return (
        "next" in rel
        or re.search(r"pageNav-jump--next|ipsPagination_next|pagination_next|\bnext\b", classes)
        is not None
        or words in ("suivant", "suivante", "page suivante", "next")
        or label in (">", "›", "»", "→")
    )


def _page_from_url(url: str) -> int | None:
    for pattern in _URL_PAGE:
        match = pattern.search(url)
        if match:
            return int(match.group(1))
    return None


# Display options phpBB carries in its page links (days shown, sort order): not part of
# which thread it is.
_DISPLAY_PARAMS = ("postdays", "postorder", "sk", "sd", "st")


def first_page_url(url: str) -> str:
    """A thread's first-page URL from the URL of any of its pages (last resort)."""
    cleaned = clean_url(url, drop=("start", "page", *_DISPLAY_PARAMS))
    # SMF: "topic=412.15" is the topic 412 from its 16th post on.
    cleaned = re.sub(r"([?&](?:topic|board)=\d+)\.\d+", r"\1.0", cleaned)
    parts = urlsplit(cleaned)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if {"f", "t"} <= {key for key, _ in query}:
        # phpBB links a topic with its forum ("?f=5&t=733"), its canonical link without.
        cleaned = clean_url(cleaned, drop=("f",))
        parts = urlsplit(cleaned)
    path = re.sub(r"/page[-/]?\d+(?:\.html?)?/?$", "/", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def page_offset(
    url: str, page: int, pagination: Pagination, n_posts: int, per_page: int | None
) -> int:
    """How many posts of the thread come before this page.

    Each page must know it alone (a later pass starts from the last page): from a
    ``start=`` parameter, a "Résultats 7 à 11" line, the caller's posts-per-page, or,
    failing those, from the fact that every page but the last is full."""
    start = dict(parse_qsl(urlsplit(url).query)).get("start")
    if start and start.isdigit():
        return int(start)
    if pagination.first_shown:
        return pagination.first_shown - 1
    if page <= 1:
        return 0
    if per_page:
        return (page - 1) * per_page
    if pagination.count is not None and page < pagination.count:
        return (page - 1) * n_posts
    if pagination.total_posts is not None and pagination.total_posts >= n_posts:
        return pagination.total_posts - n_posts
    return (page - 1) * n_posts


def canonical_page_url(root: lxml.html.HtmlElement, url: str) -> str:
    # The page's own canonical link is steadier than the URL we came by (jump links,
    # tracking), but only when it stays on the same site.
    for href in root.xpath("//link[@rel='canonical']/@href"):
        candidate = absolute(base_url(root, url), str(href))
        if candidate and urlsplit(candidate).hostname == urlsplit(url).hostname:
            return clean_url(candidate)
    return clean_url(url)


def thread_title(root: lxml.html.HtmlElement, xpath: str | None) -> str:
    if xpath:
        found = first_text(root, xpath)
        if found:
            return found
    page_title = squash(" ".join(root.xpath("//title//text()")))
    for heading in root.xpath("//h1 | //h2"):
        text = squash(heading.text_content())
        if text and text in page_title:
            return text
    og = first_text(root, "//meta[@property='og:title']/@content")
    if og:
        return og
    first_h1 = first_text(root, "//h1")
    if first_h1:
        return first_h1
    return re.split(r"\s+[-|–—]\s+", page_title)[0] if page_title else ""


def thread_frame(
    root: lxml.html.HtmlElement, url: str, pagination: Pagination
) -> tuple[str, int, str]:
    """(this page's URL, its number, the thread's first-page URL)."""
    page_url = canonical_page_url(root, url)
    page = pagination.current or 1
    # The engine's own link to page 1 names the thread best (page 1 is often the bare
    # URL); it is normalised the same way from every page, so page 1 and page 5 agree
    # (phpBB's "f=" and SMF's display parameters dropped on both).
    thread_url = first_page_url(pagination.pages.get(1, page_url))
    return page_url, page, thread_url


def page_urls(pagination: Pagination, page: int, page_url: str) -> tuple[str, ...]:
    pages = {number: clean_url(link) for number, link in pagination.pages.items()}
    pages[page] = page_url
    return tuple(pages[number] for number in sorted(pages))
