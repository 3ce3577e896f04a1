"""Blogs (WordPress, Blogger, Ghost and look-alikes): each post and each reader comment
is its own document, the comment linked to its post.

    scrapy crawl blog -a source=carnet-de-lucie

A site crawl from the source URL; pages whose URL matches ``match`` are posts (without
``match``, the pages that read as documents: not the home page, even showing the latest
post in full, nor category, tag, archive, author, search or "about" pages; see
traceur.parse.pagetype). A post's comment feed, when it has one, is read too: it may hold
comments the page no longer shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement
from scrapy.http import Response, TextResponse

from spiders.site import SiteSpider
from traceur.parse.blogs import BlogPost, parse_blog_post, parse_comment_feed
from traceur.parse.feedscreen import feed_problem
from traceur.parse.records import BlogPostRecord, CommentRecord


class BlogSpider(SiteSpider):
    name = "blog"
    replays_unchanged_pages = False

    def parse_document_page(
        self, response: TextResponse, html: str, root: HtmlElement
    ) -> Iterator[Any]:
        post = parse_blog_post(html, response.url)
        yield self.record_item(response, BlogPostRecord(post))
        for position, comment in enumerate(post.comments, 1):
            yield self.record_item(response, CommentRecord(comment, post.title, position))
        if post.comment_feed_url:
            request = self.budget_request(post.comment_feed_url, self.parse_comment_feed, post=post)
            if request is not None:
                yield request

    def parse_comment_feed(self, response: Response, post: BlogPost) -> Iterator[Any]:
        # A comment feed is small and read here, but screened first like any feed: a
        # hostile one would cost feedparser minutes of CPU on the reactor.
        problem = feed_problem(response.body)
        if problem is not None:
            self.count_error(
                "hostile_feed", response.url, f"comment feed refused unread: {problem}"
            )
            return
        in_page = {comment.url for comment in post.comments}
        for comment in parse_comment_feed(response.body, response.url):
            # The page and the feed give a comment the same URL; the page's copy wins.
            if comment.url in in_page or comment.post_url.rstrip("/") != post.url.rstrip("/"):
                continue
            yield self.record_item(response, CommentRecord(comment, post.title, None))
