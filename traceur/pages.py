"""From a fetched page to a document: the core steps the pipelines call one by one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .document import Document, content_hash, document_id, parse_utc
from .extract import Extracted, extract_page
from .textnorm import strip_control
from .urls import canonical_url, domain_of


@dataclass
class FeedEntry:
    """What a feed said about an entry: the fallback when the page lacks it."""

    key: str
    title: str = ""
    author: str | None = None
    published_at: datetime | None = None
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedEntry:
        return cls(
            key=data["key"],
            title=data.get("title") or "",
            author=data.get("author"),
            published_at=parse_utc(data.get("published_at")),
            summary=data.get("summary") or "",
        )


@dataclass
class FetchedPage:
    """A page as a collector hands it over."""

    url: str
    source_id: str
    kind: str
    html: str
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    entry: FeedEntry | None = None


class NotADocument(Exception):
    """The page holds no main text worth keeping; the reason says why."""


def extract(page: FetchedPage, min_text_chars: int) -> Extracted:
    """Extract ``page``; raise ``NotADocument`` when it has too little text."""
    extracted = extract_page(page.html, page.url, thread=page.kind == "forum_post")
    if extracted is None:
        raise NotADocument("no main text")
    if len(extracted.text) < min_text_chars:
        raise NotADocument(f"main text too short ({len(extracted.text)} < {min_text_chars} characters)")
    return extracted


def make_document(page: FetchedPage, extracted: Extracted) -> Document:
    """Build the untagged document: canonical URL, stable id, UTC dates, feed fallbacks."""
    canonical = canonical_url(page.url)
    entry = page.entry
    title = extracted.title or (entry.title if entry else "")
    author = extracted.author or (entry.author if entry else None)
    published = extracted.published_at or (entry.published_at if entry else None)
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
        published_at=published,
        fetched_at=parse_utc(page.fetched_at),
        lang=extracted.lang,
        content_hash=content_hash(title, text),
    )
