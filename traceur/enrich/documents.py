"""Documents from what the collectors hand over: an extracted page (an article), or a
parsed record (a forum post, a blog post or comment, a video).

A forum thread page or a blog post with its comments is many documents; the
parsers of ``traceur.parse`` (forums, blogs, video) read them, and these functions give
each its stable id, kind and links. A post's id comes from its thread's first-page
URL and its engine id, never from the page it sits on: deleting earlier posts moves a
post to another page, not to another id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from traceur.document import Document, content_hash, document_id, parse_utc
from traceur.enrich.language import document_language
from traceur.parse.articles import Extracted, FetchedPage
from traceur.parse.blogs import BlogPost, Comment
from traceur.parse.forums import Post, ThreadPage
from traceur.parse.records import BlogPostRecord, CommentRecord, ForumPostRecord, Record
from traceur.parse.video import VideoPage
from traceur.textnorm import strip_control
from traceur.urls import canonical_url, domain_of


def _document(
    *,
    key_url: str,
    id_suffix: str | None,
    url: str,
    kind: str,
    source_id: str,
    title: str,
    text: str,
    fetched_at: datetime | str | None,
    **fields: Any,
) -> Document:
    canonical = canonical_url(key_url)
    title = strip_control(title).strip()
    text = strip_control(text).strip()
    return Document(
        id=document_id(canonical, id_suffix),
        url=url,
        canonical_url=canonical,
        domain=domain_of(canonical),
        kind=kind,
        source_id=source_id,
        title=title,
        text=text,
        fetched_at=parse_utc(fetched_at),
        lang=document_language(title, text, None),
        content_hash=content_hash(title, text),
        **fields,
    )


def forum_post_document(
    post: Post, page: ThreadPage, source_id: str, fetched_at: datetime | str | None
) -> Document:
    """One forum post: the author's own words only (quotes are someone else's)."""
    return _document(
        key_url=page.thread_url,
        id_suffix=post.post_id,
        url=post.url,
        kind="forum_post",
        source_id=source_id,
        title=page.title,
        text=post.text,
        fetched_at=fetched_at,
        author=post.author,
        published_at=post.published_at,
        thread_url=canonical_url(page.thread_url),
        post_id=post.post_id,
        position=post.position,
    )


def blog_post_document(
    post: BlogPost, source_id: str, fetched_at: datetime | str | None
) -> Document:
    return _document(
        key_url=post.url,
        id_suffix=None,
        url=post.url,
        kind="blog_post",
        source_id=source_id,
        title=post.title,
        text=post.text,
        fetched_at=fetched_at,
        author=post.author,
        published_at=post.published_at,
    )


def comment_document(
    comment: Comment,
    post_title: str,
    source_id: str,
    fetched_at: datetime | str | None,
    position: int | None = None,
) -> Document:
    """A reader's comment, linked to its post (``thread_url``; ``parent_id`` is the post's
    document id, or for a reply the document id of the comment it answers)."""
    post_canonical = canonical_url(comment.post_url)
    parent = (
        document_id(post_canonical, f"comment-{comment.parent_comment_id}")
        if comment.parent_comment_id
        else document_id(post_canonical)
    )
    return _document(
        key_url=comment.post_url,
        id_suffix=f"comment-{comment.comment_id}",
        url=comment.url,
        kind="comment",
        source_id=source_id,
        title=post_title,
        text=comment.text,
        fetched_at=fetched_at,
        author=comment.author,
        published_at=comment.published_at,
        thread_url=post_canonical,
        post_id=comment.comment_id,
        position=position,
        parent_id=parent,
    )


def video_document(
    video: VideoPage, captions: str, source_id: str, fetched_at: datetime | str | None
) -> Document:
    """A video: its description and the text of its captions are what gets tagged, so a
    candidate named only in the speech is found."""
    text = video.description
    if captions:
        text = f"{text}\n\n{captions}" if text else captions
    field = video.as_video_field()
    field["captions"] = captions
    return _document(
        key_url=video.url,
        id_suffix=None,
        url=video.url,
        kind="video",
        source_id=source_id,
        title=video.title,
        text=text,
        fetched_at=fetched_at,
        author=video.channel,
        published_at=video.published_at,
        video=field,
    )


def record_document(record: Record, source_id: str, fetched_at: datetime | str | None) -> Document:
    """The document of a record a spider handed over."""
    if isinstance(record, ForumPostRecord):
        return forum_post_document(record.post, record.page, source_id, fetched_at)
    if isinstance(record, BlogPostRecord):
        return blog_post_document(record.post, source_id, fetched_at)
    if isinstance(record, CommentRecord):
        return comment_document(
            record.comment, record.post_title, source_id, fetched_at, record.position
        )
    return video_document(record.video, record.captions, source_id, fetched_at)


def record_document_id(record: Record) -> str:
    """The id ``record_document`` would give, without building the document."""
    if isinstance(record, ForumPostRecord):
        return document_id(canonical_url(record.page.thread_url), record.post.post_id)
    if isinstance(record, CommentRecord):
        return comment_document_id(record.comment.post_url, record.comment.comment_id)
    return document_id(canonical_url(record.url))


def comment_document_id(post_url: str, comment_id: str) -> str:
    """The id of a reader comment's document, from its post's URL and its own id."""
    return document_id(canonical_url(post_url), f"comment-{comment_id}")


def make_document(page: FetchedPage, extracted: Extracted) -> Document:
    """Build the untagged document: canonical URL, stable id, UTC dates, feed fallbacks."""
    canonical = canonical_url(page.url)
    entry = page.entry
    title = extracted.title or (entry.title if entry else "")
    author = extracted.author or (entry.author if entry else None)
    # The feed entry's date ranks between the page's metadata and its printed byline.
    dates = extracted.publication(entry.published_at if entry else None, page.fetched_at)
    title = strip_control(title).strip()
    text = strip_control(extracted.text)
    return Document(
        id=document_id(canonical),
        url=page.url,
        canonical_url=canonical,
        domain=domain_of(canonical),
        kind=page.kind,
        source_id=page.source_id,
        title=title,
        text=text,
        author=author,
        published_at=dates.published_at,
        fetched_at=parse_utc(page.fetched_at),
        lang=document_language(extracted.title, extracted.text, extracted.declared_lang),
        content_hash=content_hash(title, text),
    )


def cap_text(document: Document, max_chars: int) -> Document:
    """``document`` with its text (and a video's captions) cut to ``max_chars``
    characters, at a word boundary when one is near, and flagged ``truncated``; itself
    when it fits. A hostile page (a caption flood, a page of one endless paragraph) must
    not become a row of hundreds of megabytes."""
    captions = (document.video or {}).get("captions")
    long_captions = isinstance(captions, str) and len(captions) > max_chars
    if len(document.text) <= max_chars and not long_captions:
        return document
    document.text = _cut(document.text, max_chars)
    if long_captions and document.video is not None:
        document.video = {**document.video, "captions": _cut(str(captions), max_chars)}
    document.truncated = True
    return document


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ", max(0, max_chars - 200))
    return cut[:space] if space > 0 else cut
