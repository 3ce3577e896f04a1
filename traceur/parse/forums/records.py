"""What the forum parsers give: posts, thread pages, board listings, and what a pass
remembers of a thread.

Incremental passes: a board lists each thread with its reply count and last activity
(:class:`ThreadLink`); :func:`resume_from` compares that with what the previous pass
remembered (:class:`ThreadState`) and says which page to fetch first (the previously
last page, which may have grown), or nothing at all when the thread is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from traceur.document import to_utc

ENGINES = (
    "phpbb",
    "vbulletin",
    "xenforo",
    "discourse",
    "invision",
    "smf",
    "mybb",
    "fluxbb",
    "nodebb",
    "flarum",
    "generic",
)


@dataclass(frozen=True)
class Post:
    post_id: str
    author: str | None
    published_at: datetime | None
    text: str
    quotes: tuple[str, ...]
    position: int
    url: str


@dataclass(frozen=True)
class ThreadPage:
    engine: str
    title: str
    thread_url: str
    page_number: int
    posts: tuple[Post, ...]
    page_urls: tuple[str, ...]
    next_page_url: str | None
    # "Page 2 sur 3" when the page says so (or the highest page linked); None if unknown.
    page_count: int | None = None
    # This page's own URL (its canonical link when on the same site), without fragment.
    page_url: str = ""


@dataclass(frozen=True)
class ThreadLink:
    url: str
    title: str
    replies: int | None
    last_post_at: datetime | None
    last_page_url: str | None


@dataclass(frozen=True)
class BoardPage:
    engine: str
    threads: tuple[ThreadLink, ...]
    next_page_url: str | None
    subforum_urls: tuple[str, ...]


@dataclass(frozen=True)
class ThreadState:
    """What a spider remembers about a thread between passes (JSON-friendly)."""

    replies: int | None
    last_post_at: datetime | None
    last_page_url: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "replies": self.replies,
            "last_post_at": self.last_post_at.isoformat() if self.last_post_at else None,
            "last_page_url": self.last_page_url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThreadState:
        last = data.get("last_post_at")
        return cls(
            replies=data.get("replies"),
            last_post_at=to_utc(datetime.fromisoformat(last)) if last else None,
            last_page_url=str(data["last_page_url"]),
        )


def thread_has_news(link: ThreadLink, state: ThreadState | None) -> bool:
    """True when the board shows activity the previous pass has not seen.

    A board that shows neither a reply count nor a last-post date gives no way to
    tell, so the thread counts as changed (its last page is fetched again)."""
    if state is None:
        return True
    if link.replies is None and link.last_post_at is None:
        return True
    if link.replies is not None and (state.replies is None or link.replies > state.replies):
        return True
    if link.last_post_at is not None and (  # noqa: SIM103 - one `return True` per reason, as above
        state.last_post_at is None or link.last_post_at > state.last_post_at
    ):
        return True
    return False


def resume_from(link: ThreadLink, state: ThreadState | None) -> str | None:
    """The first page to fetch for ``link`` on this pass, or None to skip the thread.

    New thread: its first page. Changed thread: the page that was last on the previous
    pass (new posts land there first); follow ``next_page_url`` from it. Posts already
    stored come back unchanged and are deduplicated by their stable ids."""
    if state is None:
        return link.url
    if not thread_has_news(link, state):
        return None
    return state.last_page_url


def state_after(link: ThreadLink | None, last_page: ThreadPage) -> ThreadState:
    """What to remember once the last page of a thread has been fetched this pass."""
    last_post = max((p.published_at for p in last_page.posts if p.published_at), default=None)
    replies = link.replies if link is not None else None
    if replies is None and last_page.posts:
        replies = max(p.position for p in last_page.posts) - 1
    seen_at = link.last_post_at if link is not None and link.last_post_at else last_post
    return ThreadState(
        replies=replies,
        last_post_at=seen_at,
        last_page_url=last_page.page_url or last_page.thread_url,
    )
