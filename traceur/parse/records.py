"""What a collector hands over when a page is many documents: each record pairs a parsed
item (a forum post, a blog post, a reader's comment, a video) with the context its
document needs (the thread page of a post, the title of a comment's post, the text of a
video's captions). ``traceur.enrich.documents`` turns each into a document."""

from __future__ import annotations

from dataclasses import dataclass

from traceur.parse.blogs import BlogPost, Comment
from traceur.parse.forums.records import Post, ThreadPage
from traceur.parse.video import VideoPage


@dataclass(frozen=True)
class ForumPostRecord:
    post: Post
    page: ThreadPage

    @property
    def url(self) -> str:
        return self.post.url


@dataclass(frozen=True)
class BlogPostRecord:
    post: BlogPost

    @property
    def url(self) -> str:
        return self.post.url


@dataclass(frozen=True)
class CommentRecord:
    comment: Comment
    post_title: str
    # Its place among the comments shown on the post's page; None when read from a feed.
    position: int | None

    @property
    def url(self) -> str:
        return self.comment.url


@dataclass(frozen=True)
class VideoRecord:
    video: VideoPage
    captions: str

    @property
    def url(self) -> str:
        return self.video.url


Record = ForumPostRecord | BlogPostRecord | CommentRecord | VideoRecord
