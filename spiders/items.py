"""What spiders hand to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched page, or a record parsed from one (a forum post, a blog comment, a video).

    A page (``html``) goes through extraction; a record (``record`` and its ``context``:
    the thread page of a post, the post title and position of a comment, the caption text
    of a video) is already parsed. Pipelines fill ``document`` step by step.
    """

    url: str
    source_id: str
    kind: str
    fetched_at: str
    html: str = ""
    record: Any = None
    context: Any = None
    # The feed's own metadata for this page (FeedEntry.to_dict()), when a feed led here.
    entry: dict[str, Any] | None = None
    # The server answered 304: this is the copy kept from an earlier pass.
    not_modified: bool = False
    extracted: Any = None
    document: Any = None
    outcome: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
