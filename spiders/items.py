"""What spiders hand to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched page. Pipelines fill ``document`` step by step."""

    url: str
    source_id: str
    kind: str
    html: str
    fetched_at: str
    # The feed's own metadata for this page (FeedEntry.to_dict()), when a feed led here.
    entry: dict[str, Any] | None = None
    # The server answered 304: this is the copy kept from an earlier pass.
    not_modified: bool = False
    extracted: Any = None
    document: Any = None
    outcome: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
