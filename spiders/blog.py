"""Blogs (WordPress, Blogger, Ghost and look-alikes): each post and each reader comment
is its own document, the comment linked to its post.

    scrapy crawl blog -a source=carnet-de-lucie

A site crawl from the source URL; pages whose URL matches ``match`` are posts (without
``match``, any page that reads as a post with enough text). A post's comment feed, when
it has one, is read too: it may hold comments the page no longer shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from spiders.site import SiteSpider
from traceur.config import default_settings
from traceur.parse.blogs import BlogPost, parse_blog_post, parse_comment_feed
from traceur.parse.records import BlogPostRecord, CommentRecord
from traceur.urls import canonical_url


class BlogSpider(SiteSpider):
    name = "blog"

    def parse_document_page(self, response: TextResponse) -> Iterator[Any]:
        text = self.page_text(response)
        if text is None:
            return
        post = parse_blog_post(text, response.url)
        if self.source.match is None:
            # Without a pattern for post addresses: the blog's home page (which often shows
            # the latest post in full), and pages too short to be a post (tag and archive
            # lists), are not posts.
            min_chars = self.crawler.settings.getint(
                "TRACEUR_MIN_TEXT_CHARS", default_settings().min_text_chars
            )
            if urlsplit(canonical_url(response.url)).path == "/" or len(post.text) < min_chars:
                return
        yield self.record_item(response, BlogPostRecord(post))
        for position, comment in enumerate(post.comments, 1):
            yield self.record_item(response, CommentRecord(comment, post.title, position))
        if post.comment_feed_url:
            request = self.budget_request(post.comment_feed_url, self.parse_comment_feed, post=post)
            if request is not None:
                yield request

    def parse_comment_feed(self, response: Response, post: BlogPost) -> Iterator[Any]:
        in_page = {comment.url for comment in post.comments}
        for comment in parse_comment_feed(response.body, response.url):
            # The page and the feed give a comment the same URL; the page's copy wins.
            if comment.url in in_page or comment.post_url.rstrip("/") != post.url.rstrip("/"):
                continue
            yield self.record_item(response, CommentRecord(comment, post.title, None))
