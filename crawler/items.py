"""What spiders hand to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from traceur.document import Document
from traceur.parse.articles import Extracted, FetchedPage
from traceur.parse.records import Record


@dataclass
class PageItem:
    """A fetched page, or a record parsed from one (a forum post, a blog comment, a video).

    A page (``html``) goes through extraction; a record (a parsed item with its context:
    the thread page of a post, the title of a comment's post, the captions of a video) is
    parsed already. Pipelines fill ``page``, ``extracted`` and ``document`` step by step.
    """

    url: str
    source_id: str
    kind: str
    fetched_at: str
    html: str = ""
    record: Record | None = None
    # The feed's own metadata for this page (FeedEntry.to_dict()), when a feed led here.
    entry: dict[str, Any] | None = None
    # The server answered 304: this is the copy kept from an earlier pass.
    not_modified: bool = False
    # A 304 page replayed from what it gave last time (orchestra.state.PageMemo): its
    # reader comments, as (post URL, comment id), were not read again; the unchanged
    # pipeline checks they are stored.
    known_comments: tuple[tuple[str, str], ...] = ()
    # The page as the spider parsed it, and its comment sections, for extraction to take
    # over (a page is parsed once): the spider reads nothing of it once it is yielded.
    tree: HtmlElement | None = None
    comment_sections: list[HtmlElement] | None = None
    page: FetchedPage | None = None
    extracted: Extracted | None = None
    document: Document | None = None
    outcome: str = ""

    def built(self) -> Document:
        """The document the document pipeline built; the pipelines after it read it here."""
        if self.document is None:
            raise RuntimeError(f"{self.url}: no document yet; the document pipeline runs first")
        return self.document
