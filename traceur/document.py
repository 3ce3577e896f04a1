"""The document: the unit Traceur stores, searches and alerts on (see DESIGN.md)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

DOCUMENT_KINDS = ("article", "forum_post", "blog_post", "comment", "video")


@dataclass(frozen=True)
class Snippet:
    """Text around one match; ``start``/``end`` locate the match inside ``text``."""

    text: str
    start: int
    end: int
    field: str = "text"


@dataclass(frozen=True)
class Span:
    """Where one match stands: ``field`` ("title" or "text") and its offsets in that field."""

    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    count: int
    snippets: tuple[Snippet, ...] = ()
    # Every counted match, in reading order (snippets stop at max_snippets; spans do not),
    # so a front end can highlight each one in the full text.
    spans: tuple[Span, ...] = ()


@dataclass
class Document:
    id: str
    url: str
    canonical_url: str
    domain: str
    kind: str
    source_id: str
    title: str = ""
    text: str = ""
    author: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    lang: str | None = None
    thread_url: str | None = None
    post_id: str | None = None
    position: int | None = None
    parent_id: str | None = None
    candidates: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    mentions: dict[str, Mention] = field(default_factory=dict)
    content_hash: str = ""
    cluster_id: str | None = None
    video: dict[str, Any] | None = None
    # The text (and a video's captions) was cut at max_text_chars: the page held more.
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601 in UTC with a ``Z``."""
        data = asdict(self)
        for key in ("published_at", "fetched_at"):
            data[key] = format_utc(getattr(self, key))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("published_at", "fetched_at"):
            values[key] = parse_utc(values.get(key))
        values["mentions"] = {
            ident: Mention(
                count=int(mention["count"]),
                snippets=tuple(Snippet(**snippet) for snippet in mention.get("snippets", ())),
                # Documents stored before spans existed have none; they come with the next tagging.
                spans=tuple(Span(**span) for span in mention.get("spans", ())),
            )
            for ident, mention in (values.get("mentions") or {}).items()
        }
        values["candidates"] = list(values.get("candidates") or [])
        values["topics"] = list(values.get("topics") or [])
        return cls(**values)


def content_hash(title: str, text: str) -> str:
    """Exact-duplicate fingerprint of what a reader sees (whitespace-insensitive)."""
    normal = " ".join(f"{title}\n{text}".split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:32]


def document_id(canonical_url: str, post_id: str | None = None) -> str:
    """Stable id: the same page (and post) always gets the same id, so re-crawling updates."""
    key = canonical_url if post_id is None else f"{canonical_url}#post:{post_id}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def format_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    text = str(value)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return to_utc(datetime.fromisoformat(text))


def to_utc(value: datetime) -> datetime:
    """Aware UTC datetime, seconds precision; a naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)
