"""Blog posts and their reader comments: one record for the post, one per comment.

A comment is someone else's words under someone's post, so it becomes its own
document (kind ``comment``) with its own author and date, linked to the post by
``post_url`` and to the comment it answers by ``parent_comment_id``. WordPress,
Blogger and Ghost are read by their markup; other blogs fall back on the page's
``<article>`` (or trafilatura) and on comment blocks with a numbered id.

Comment feeds (WordPress's ``/slug/feed/``, Blogger's ``/feeds/ID/comments/default``)
carry the same comments, usually more of them and with exact times; the spider can
read them with :func:`parse_comment_feed` and the stable comment URLs merge the two.

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.html

from traceur.document import to_utc
from traceur.parse.articles import extract_page
from traceur.parse.comment_lists import WORDPRESS, CommentMarkup, read_comments, text_without
from traceur.parse.comment_lists import Comment as Comment  # re-exported: blogs' comments
from traceur.parse.dates import element_date, parse_iso
from traceur.parse.html import (
    absolute,
    base_url,
    clean_url,
    first_text,
    has_class,
    html_text,
    in_order,
    json_ld_objects,
    parse_html,
    squash,
)

BLOG_ENGINES = ("wordpress", "blogger", "ghost", "generic")


@dataclass(frozen=True)
class BlogPost:
    engine: str
    url: str
    title: str
    author: str | None
    published_at: datetime | None
    text: str
    comments: tuple[Comment, ...]
    comment_feed_url: str | None


# -- detection ------------------------------------------------------------------------------

_Q = "[\"']"
_GENERATOR = rf"<meta(?=[^>]*name={_Q}generator{_Q})(?=[^>]*content={_Q}{{}})"
_BLOG_MARKERS: dict[str, tuple[tuple[str, int], ...]] = {
    "wordpress": (
        (_GENERATOR.format("WordPress"), 3),
        (r"/wp-content/|/wp-includes/", 2),
        (r"https://api\.w\.org/|wp-json", 2),
        (r"wp-block-|comment-reply-link|commentlist|comment-list", 1),
    ),
    "blogger": (
        (_GENERATOR.format("blogger"), 3),
        (r"blogger\.com|blogspot\.com", 2),
        (r"post-body entry-content|comment-block|blog-posts hfeed", 1),
        (r"itemprop=.blogPost|data:blog|BlogArchive", 1),
    ),
    "ghost": (
        (_GENERATOR.format("Ghost"), 3),
        (r"gh-content|gh-article|gh-canvas", 2),
        (r"ghost-portal|data-ghost|ghost/comments-ui|/ghost/api/", 2),
        (r"post-full-content|kg-card", 1),
    ),
}


def detect_blog_engine(html: str, url: str) -> str:
    """wordpress, blogger, ghost or generic, from the page's markup."""
    head = html[:400_000]
    scores = {
        engine: sum(weight for pattern, weight in markers if re.search(pattern, head, re.I))
        for engine, markers in _BLOG_MARKERS.items()
    }
    best = max(scores, key=lambda engine: scores[engine])
    return best if scores[best] >= 3 else "generic"


# -- the post ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BlogMarkup:
    article: str
    title: str
    author: str
    date: str
    body: str
    body_junk: str
    comments: CommentMarkup


_COMMON_JUNK = (
    ".//script | .//style | .//form | .//noscript"
    f" | .//*[{has_class('sharedaddy')}] | .//*[{has_class('jp-relatedposts')}]"
    f" | .//*[{has_class('addtoany_share_save_container')}]"
)

_BLOGS: dict[str, _BlogMarkup] = {
    "wordpress": _BlogMarkup(
        article=(
            f"//article[{has_class('post')} or starts-with(@id, 'post-')]"
            f" | //div[{has_class('hentry')}] | //main"
        ),
        title=(
            f".//h1[{has_class('entry-title')}] | //h1[{has_class('entry-title')}]"
            " | //meta[@property='og:title']/@content | .//h1"
        ),
        author=(
            f".//*[{has_class('byline')}]//*[{has_class('fn')}]"
            f" | .//*[{has_class('byline')}]//a[@rel='author']"
            f" | .//*[{has_class('author')} and {has_class('vcard')}]//a"
            " | //meta[@name='author']/@content"
        ),
        date=(
            f"//meta[@property='article:published_time'] | .//time[{has_class('published')}]"
            f" | .//time[{has_class('entry-date')}] | .//*[{has_class('posted-on')}]"
        ),
        body=f".//div[{has_class('entry-content')}] | .//div[{has_class('post-content')}]",
        body_junk=_COMMON_JUNK,
        comments=WORDPRESS,
    ),
    "blogger": _BlogMarkup(
        article=(
            f"//div[{has_class('post')} and {has_class('hentry')}] | //article[{has_class('post')}]"
            f" | //div[{has_class('post-outer')}]"
        ),
        title=f".//*[{has_class('post-title')}] | //meta[@property='og:title']/@content | .//h1",
        author=(
            f".//*[{has_class('post-author')}]//*[@itemprop='name']"
            f" | .//*[{has_class('post-author')}]//*[{has_class('fn')}]"
            f" | .//*[{has_class('byline-author')}] | //meta[@name='author']/@content"
        ),
        date=(
            f".//abbr[{has_class('published')}] | .//*[@itemprop='datePublished']"
            f" | .//*[{has_class('post-timestamp')}] | //*[{has_class('date-header')}]"
        ),
        body=f".//div[{has_class('post-body')}]",
        body_junk=_COMMON_JUNK,
        comments=CommentMarkup(
            comments=(
                f"//*[{has_class('comments')}]//li[{has_class('comment')}][starts-with(@id, 'c')]"
            ),
            own=(
                f".//*[{has_class('comment-replies')}]"
                f" | .//*[{has_class('comment-replybox-thread')}]"
            ),
            comment_id=re.compile(r"^c(\d+)$"),
            author=(
                f".//cite[{has_class('user')}]"
                f" | .//*[{has_class('comment-header')}]//*[{has_class('user')}]"
            ),
            date=f".//*[{has_class('datetime')}]",
            text=f".//*[{has_class('comment-content')}]",
            junk=f".//*[{has_class('comment-actions')}]",
        ),
    ),
    "ghost": _BlogMarkup(
        article=(
            f"//article[{has_class('gh-article')} or {has_class('post-full')}"
            f" or {has_class('article')}] | //main"
        ),
        title=(
            f".//h1[{has_class('gh-article-title')} or {has_class('article-title')}"
            f" or {has_class('post-full-title')}] | //meta[@property='og:title']/@content | .//h1"
        ),
        author=(
            f".//*[{has_class('gh-article-author-name')}]"
            f" | .//*[{has_class('article-author-name')}]"
            f" | .//*[{has_class('author-name')}] | //meta[@name='author']/@content"
        ),
        date="//meta[@property='article:published_time'] | .//time[@datetime]",
        body=(
            f".//section[{has_class('gh-content')}] | .//div[{has_class('gh-content')}]"
            f" | .//section[{has_class('post-full-content')}] | .//div[{has_class('post-content')}]"
        ),
        body_junk=_COMMON_JUNK
        + f" | .//*[{has_class('kg-signup-card')}] | .//*[{has_class('gh-post-upgrade-cta')}]",
        comments=CommentMarkup(
            # Ghost's comments (comments-ui) are drawn by JavaScript from the members API:
            # the page itself carries none, so there is nothing to select.
            comments="//*[false()]",
            own=".//*[false()]",
            comment_id=re.compile(r"(\d+)$"),
            author=".//*[false()]",
            date=".//time",
            text=".//*[false()]",
            junk=".//*[false()]",
        ),
    ),
    "generic": _BlogMarkup(
        article="//article | //*[@itemprop='articleBody']/.. | //main",
        title="//h1 | //meta[@property='og:title']/@content",
        author=(
            "//*[@rel='author'] | //*[@itemprop='author']//*[@itemprop='name']"
            " | //meta[@name='author']/@content"
        ),
        date=(
            "//meta[@property='article:published_time'] | .//time[@datetime]"
            " | //*[@itemprop='datePublished']"
        ),
        body=(
            f".//*[@itemprop='articleBody'] | .//*[{has_class('entry-content')}]"
            f" | .//*[{has_class('post-content')}]"
            f" | .//*[{has_class('post-body')}] | .//*[{has_class('article-content')}]"
        ),
        body_junk=_COMMON_JUNK,
        comments=CommentMarkup(
            comments=(
                f"//*[contains(@id, 'comment')][{has_class('comment')}]"
                " | //li[starts-with(@id, 'comment-')] | //*[@itemprop='comment']"
            ),
            own=f".//*[{has_class('children')}] | .//*[{has_class('replies')}]",
            comment_id=re.compile(r"(\d+)$"),
            author=(
                f".//*[{has_class('fn')}] | .//*[{has_class('comment-author')}]"
                " | .//*[@itemprop='author'] | .//cite"
            ),
            date=".//time | .//*[contains(@class, 'date')]",
            text=(
                f".//*[{has_class('comment-content')}] | .//*[{has_class('comment-text')}]"
                " | .//*[@itemprop='text'] | .//p"
            ),
            junk=f".//*[{has_class('reply')}]",
        ),
    ),
}


def _post_url(root: lxml.html.HtmlElement, url: str) -> str:
    for href in root.xpath("//link[@rel='canonical']/@href"):
        candidate = absolute(base_url(root, url), str(href))
        if candidate and urlsplit(candidate).hostname == urlsplit(url).hostname:
            return clean_url(candidate)
    return clean_url(url)


def _json_ld_article(root: lxml.html.HtmlElement) -> dict[str, Any]:
    for item in json_ld_objects(root):
        kinds = item.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(kind in ("BlogPosting", "Article", "NewsArticle", "Posting") for kind in kinds):
            return item
    return {}


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return squash(str(value)) if value else None


def _comment_feed(root: lxml.html.HtmlElement, url: str, post_url: str) -> str | None:
    """The post's own comment feed among the page's alternate feeds.

    WordPress links three feeds on a post (the site's posts, the site's comments, this
    post's comments); only the last is the post's. Blogger links its per-post feed
    as …/feeds/POSTID/comments/default."""
    base = base_url(root, url)
    post_path = urlsplit(post_url).path.rstrip("/")
    feeds = []
    for link in root.xpath("//link[contains(concat(' ', @rel, ' '), ' alternate ')][@href]"):
        kind = (link.get("type") or "").lower()
        if "rss" not in kind and "atom" not in kind:
            continue
        href = absolute(base, link.get("href"))
        if href:
            feeds.append((href, squash(link.get("title")).lower()))
    for href, _ in feeds:
        path = urlsplit(href).path
        if post_path and path.startswith(post_path + "/") and "feed" in path:
            return href
        if re.search(r"/feeds/\d+/comments/", path):
            return href
    for href, title in feeds:
        if "commentaire" in title or "comments" in title:
            # A site-wide comments feed (/comments/feed/) still carries this post's comments.
            return href
    return None


def parse_blog_post(html: str, url: str, *, now: datetime | None = None) -> BlogPost:
    """The post (title, author, date, body without comments or sidebar) and each of its
    reader comments, from a WordPress, Blogger, Ghost or other blog post page."""
    root = parse_html(html)
    if root is None:
        return BlogPost("generic", clean_url(url), "", None, None, "", (), None)
    engine = detect_blog_engine(html, url)
    markup = _BLOGS[engine]
    post_url = _post_url(root, url)
    articles = in_order(root, markup.article)
    article = articles[0] if articles else root
    ld = _json_ld_article(root)

    title = (
        first_text(article, markup.title)
        or _ld_name(ld.get("headline"))
        or first_text(root, "//title")
        or ""
    )
    author = first_text(article, markup.author) or _ld_name(ld.get("author"))
    if author:
        author = re.sub(r"^(?:publié\s+)?(?:par|by)\s+", "", author, flags=re.I)
    published = element_date(in_order(article, markup.date), now) or parse_iso(
        str(ld.get("datePublished") or "")
    )

    bodies = in_order(article, markup.body)
    if bodies:
        text = text_without(bodies[0], markup.body_junk)
    else:
        extracted = extract_page(html, url)
        text = extracted.text if extracted else ""

    return BlogPost(
        engine=engine,
        url=post_url,
        title=title,
        author=author,
        published_at=published,
        text=text,
        comments=read_comments(root, markup.comments, post_url, now),
        comment_feed_url=_comment_feed(root, url, post_url),
    )


# -- comment feeds ----------------------------------------------------------------------------

_ANCHOR_ID = re.compile(r"(?:comment-|^c)(\d+)$")
_BLOGGER_ID = re.compile(r"\.post-(\d+)$")
_RELATED_PARENT = re.compile(r"/comments/default/(\d+)$")


def _entry_time(entry: Any) -> datetime | None:
    # Only keys the entry really has: feedparser answers a missing "updated" with
    # "published" plus a deprecation warning.
    keys = set(entry.keys())
    for key in ("published", "updated"):
        if key not in keys:
            continue
        stamp = parse_iso(entry[key])  # ISO keeps the exact offset; RSS dates go through *_parsed
        if stamp:
            return stamp
        parsed = entry.get(f"{key}_parsed") if f"{key}_parsed" in keys else None
        if parsed:
            year, month, day, hour, minute, second = parsed[:6]
            return to_utc(datetime(year, month, day, hour, minute, second, tzinfo=UTC))
    return None


def _entry_text(entry: Any) -> str:
    html = ""
    for content in entry.get("content") or []:
        if content.get("value"):
            html = content["value"]
            break
    html = html or entry.get("summary") or ""
    root = parse_html(f"<div>{html}</div>") if html.strip() else None
    if root is None:
        return ""
    body = root.xpath("//body/div")
    return html_text(body[0] if body else root)


def parse_comment_feed(data: bytes, url: str) -> tuple[Comment, ...]:
    """The comments of an RSS/Atom comment feed, each pointing at its anchor under
    the post it belongs to (Blogger's ?showComment= permalinks are reduced to
    post URL + #cID, WordPress's already are post URL + #comment-ID)."""
    parsed = feedparser.parse(data)
    comments: list[Comment] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = entry.get("link") or ""
        absolute_link = absolute(url, link) or ""
        fragment = link.split("#", 1)[1] if "#" in link else ""
        guid = entry.get("id") or ""
        comment_id = None
        if (
            (match := _ANCHOR_ID.search(fragment))
            or (match := _ANCHOR_ID.search(guid.split("#", 1)[-1]))
            or (match := _BLOGGER_ID.search(guid))
        ):
            comment_id = match.group(1)
        if comment_id is None or comment_id in seen:
            continue
        seen.add(comment_id)
        reply_to = entry.get("thr_in-reply-to") or {}
        post_url = absolute(url, reply_to.get("href")) if isinstance(reply_to, dict) else None
        post_url = clean_url(post_url or absolute_link, drop=("showComment",))
        anchor = fragment or (
            f"c{comment_id}" if _BLOGGER_ID.search(guid) else f"comment-{comment_id}"
        )
        parent = None
        for related in entry.get("links") or []:
            if related.get("rel") == "related" and (
                found := _RELATED_PARENT.search(related.get("href") or "")
            ):
                parent = found.group(1)
        comments.append(
            Comment(
                comment_id=comment_id,
                # feedparser writes "Name (email)" in .author; the name alone is in author_detail.
                author=squash((entry.get("author_detail") or {}).get("name") or entry.get("author"))
                or None,
                published_at=_entry_time(entry),
                text=_entry_text(entry),
                url=f"{post_url}#{anchor}",
                parent_comment_id=parent,
                post_url=post_url,
            )
        )
    return tuple(comments)
