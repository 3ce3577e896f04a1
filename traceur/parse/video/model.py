"""What a video page gives: the video's metadata, its caption tracks, and the platform
lookups (oEmbed, player metadata, API answers) still to read; with the small readers
every platform shares (durations, caption formats, which tracks to fetch)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from traceur.parse.html import load_json

CAPTION_FORMATS = ("vtt", "srt", "ttml", "timedtext", "json3")


@dataclass(frozen=True)
class CaptionTrack:
    url: str
    format: str  # one of CAPTION_FORMATS
    lang: str | None  # BCP 47 tag as the page gives it ("fr", "fr-FR")
    label: str | None  # what the player menu shows ("Français", "Sous-titres")
    # Speech recognition's guess (YouTube "asr", PeerTube's Whisper): a manual track wins.
    automatic: bool = False


@dataclass(frozen=True)
class Lookup:
    """One more request the page asks for before its video is complete."""

    kind: str  # "oembed" | "dailymotion-metadata" | "peertube-video" | "peertube-captions"
    url: str


@dataclass(frozen=True)
class VideoPage:
    url: str
    title: str
    description: str
    channel: str | None
    published_at: datetime | None
    duration_seconds: int | None
    views: int | None
    thumbnail: str | None
    captions: tuple[CaptionTrack, ...]
    oembed_url: str | None
    embed_url: str | None
    platform: str | None = None  # "youtube" | "dailymotion" | "peertube"; None: any other site
    lookups: tuple[Lookup, ...] = ()

    @property
    def has_video(self) -> bool:
        return bool(
            self.duration_seconds
            or self.captions
            or self.embed_url
            or self.oembed_url
            or self.platform
        )

    def as_video_field(self) -> dict[str, Any]:
        """The ``Document.video`` dict; the caller adds ``captions`` (the fetched text)."""
        return {
            "channel": self.channel,
            "duration": self.duration_seconds,
            "views": self.views,
            "thumbnail": self.thumbnail,
            "embed_url": self.embed_url,
            "caption_tracks": [track.url for track in self.captions],
        }


def empty_page(url: str) -> VideoPage:
    return VideoPage(url, "", "", None, None, None, None, None, (), None, None)


def with_platform_data(
    page: VideoPage,
    *,
    title: str | None = None,
    description: str | None = None,
    channel: str | None = None,
    published_at: datetime | None = None,
    duration_seconds: int | None = None,
    views: int | None = None,
    thumbnail: str | None = None,
    embed_url: str | None = None,
    captions: Iterable[CaptionTrack] = (),
) -> VideoPage:
    """The page with what the platform itself says: its values win (they are the
    platform's own records, fresher than the page's meta tags), the page's fill the gaps,
    and its caption tracks join the page's before the choice of which to fetch."""
    return replace(
        page,
        title=title or page.title,
        description=description or page.description,
        channel=channel or page.channel,
        published_at=published_at or page.published_at,
        duration_seconds=duration_seconds or page.duration_seconds,
        views=views if views is not None else page.views,
        thumbnail=thumbnail or page.thumbnail,
        embed_url=embed_url or page.embed_url,
        captions=choose_tracks([*page.captions, *captions]),
    )


# -- small readers ------------------------------------------------------------------------

_ISO_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$",
    re.I,
)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,]\d+)?$")


def parse_duration(value: Any) -> int | None:
    """Seconds from ISO 8601 ("PT4M12S", "P0DT1H2M"), a clock ("1:02:03") or a number."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if value >= 0 else None
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _ISO_DURATION.match(text)
    if match and any(match.groupdict().values()):
        parts = {
            key: float((number or "0").replace(",", "."))
            for key, number in match.groupdict().items()
        }
        total = (
            parts["weeks"] * 7 * 86400
            + parts["days"] * 86400
            + parts["hours"] * 3600
            + parts["minutes"] * 60
            + parts["seconds"]
        )
        return int(round(total))
    clock = _CLOCK.match(text)
    if clock:
        return int(clock.group(1) or 0) * 3600 + int(clock.group(2)) * 60 + int(clock.group(3))
    return None


def count(value: Any) -> int | None:
    """A count a JSON answer gives as a number or a string of digits ("12873")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    return int(value) if isinstance(value, str) and value.isdigit() else None


def json_object(data: bytes) -> dict[str, Any] | None:
    """A JSON answer's top object; None when the answer is not one (an error page)."""
    payload = load_json(data)
    return payload if isinstance(payload, dict) else None


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one in place of anything else."""
    return value if isinstance(value, dict) else {}


def text_of(value: Any) -> str | None:
    """A non-empty string from a JSON answer, squashed; None for anything else."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


_FORMAT_BY_EXTENSION = {
    "vtt": "vtt",
    "webvtt": "vtt",
    "srt": "srt",
    "ttml": "ttml",
    "dfxp": "ttml",
    "ttml2": "ttml",
}
_FORMAT_BY_TYPE = {
    "text/vtt": "vtt",
    "text/webvtt": "vtt",
    "application/x-subrip": "srt",
    "text/srt": "srt",
    "application/ttml+xml": "ttml",
    "application/ttaf+xml": "ttml",
}
# YouTube's timedtext answers in the format its ``fmt`` parameter names.
_FORMAT_BY_FMT = {"json3": "json3", "srv1": "timedtext", "srv2": "timedtext", "srv3": "timedtext"}


def caption_format(url: str, declared: str | None = None) -> str | None:
    """The format of a caption file from its declared type, else its URL."""
    if declared:
        kind = declared.split(";")[0].strip().lower()
        if kind in _FORMAT_BY_TYPE:
            return _FORMAT_BY_TYPE[kind]
        if kind in CAPTION_FORMATS:
            return kind
    parts = urlsplit(url)
    fmt = (parse_qs(parts.query).get("fmt") or [""])[0].lower()
    if fmt:
        return _FORMAT_BY_FMT.get(fmt) or _FORMAT_BY_EXTENSION.get(fmt)
    extension = parts.path.rsplit(".", 1)[-1].lower() if "." in parts.path else ""
    return _FORMAT_BY_EXTENSION.get(extension)


def is_known_type(declared: str | None) -> bool:
    return (declared or "").split(";")[0].strip().lower() in _FORMAT_BY_TYPE


def _language(track: CaptionTrack) -> str | None:
    return re.split(r"[-_]", track.lang.lower())[0] if track.lang else None


def choose_tracks(tracks: Iterable[CaptionTrack]) -> tuple[CaptionTrack, ...]:
    """The tracks worth fetching: one per language, a manual track before the automatic
    one, and only the French one when there is one — the other languages are the same
    speech translated, and a watchlist is written in French. Tracks of unknown language
    are kept: nothing says they repeat another."""
    chosen: dict[str | None, list[CaptionTrack]] = {}
    for track in tracks:
        group = chosen.setdefault(_language(track), [])
        if any(track.url == other.url for other in group):
            continue
        if _language(track) is None:
            group.append(track)
        elif not group or (group[0].automatic and not track.automatic):
            group[:] = [track]
    if "fr" in chosen:
        return (*chosen["fr"], *chosen.get(None, []))
    return tuple(track for group in chosen.values() for track in group)
