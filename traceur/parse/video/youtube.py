"""YouTube watch pages: the player response the page embeds (``ytInitialPlayerResponse``)
holds what the visible page only draws with JavaScript — the video's details, its
microformat (dates, channel) and its caption tracks, each a timedtext URL.

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import lxml.html

from traceur.parse.dates import parse_iso
from traceur.parse.html import absolute
from traceur.parse.video.model import (
    CaptionTrack,
    VideoPage,
    as_dict,
    caption_format,
    count,
    text_of,
    with_platform_data,
)

_PLAYER_RESPONSE = re.compile(r"""ytInitialPlayerResponse["']?\]?\s*=\s*(?=\{)""")


def player_response(root: lxml.html.HtmlElement) -> dict[str, Any] | None:
    """The player response of a watch page, when one of its scripts assigns it."""
    for script in root.xpath("//script[contains(text(), 'ytInitialPlayerResponse')]/text()"):
        for match in _PLAYER_RESPONSE.finditer(script):
            try:
                # The object is followed by more script ("; var meta = …"): decode only it.
                value, _ = json.JSONDecoder().raw_decode(script, match.end())
            except ValueError:
                continue
            response = as_dict(value)
            if as_dict(response.get("videoDetails")).get("videoId"):
                return response
    return None


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _label(value: Any) -> str | None:
    # Player texts are {"simpleText": "…"} or {"runs": [{"text": "…"}, …]}.
    if isinstance(value, dict):
        runs = value.get("runs")
        if isinstance(runs, list):
            parts = (str(run.get("text", "")) for run in runs if isinstance(run, dict))
            return text_of("".join(parts))
        return text_of(value.get("simpleText"))
    return text_of(value)


def _largest(thumbnails: Any) -> str | None:
    sizes = [
        item
        for item in (thumbnails if isinstance(thumbnails, list) else [])
        if isinstance(item, dict) and isinstance(item.get("url"), str)
    ]
    if not sizes:
        return None
    best = max(sizes, key=lambda item: count(item.get("width")) or 0)
    return str(best["url"])


def _description(value: Any) -> str | None:
    # The full description despite its name; its line breaks are kept.
    return (value.strip() or None) if isinstance(value, str) else None


def _tracks(response: dict[str, Any], url: str) -> list[CaptionTrack]:
    listed = _dig(response, "captions", "playerCaptionsTracklistRenderer", "captionTracks")
    tracks = []
    for item in listed if isinstance(listed, list) else []:
        link = absolute(url, item.get("baseUrl")) if isinstance(item, dict) else None
        if link is None:
            continue
        tracks.append(
            CaptionTrack(
                link,
                caption_format(link) or "timedtext",
                text_of(item.get("languageCode")),
                _label(item.get("name")),
                automatic=item.get("kind") == "asr",
            )
        )
    return tracks


def read_youtube(root: lxml.html.HtmlElement, page: VideoPage) -> VideoPage | None:
    """The watch page's video from its player response; None when there is none.

    The player response is the platform's own record, so its values win over the page's
    meta tags; the oEmbed document would say less, so it is not asked for."""
    response = player_response(root)
    if response is None:
        return None
    details = response["videoDetails"]
    micro = _dig(response, "microformat", "playerMicroformatRenderer") or {}
    published = parse_iso(text_of(micro.get("publishDate"))) or parse_iso(
        text_of(micro.get("uploadDate"))
    )
    video = with_platform_data(
        page,
        title=text_of(details.get("title")) or _label(micro.get("title")),
        description=_description(details.get("shortDescription"))
        or _label(micro.get("description")),
        channel=text_of(details.get("author")) or text_of(micro.get("ownerChannelName")),
        published_at=published,
        duration_seconds=count(details.get("lengthSeconds")),
        views=count(details.get("viewCount")),
        thumbnail=_largest(_dig(details, "thumbnail", "thumbnails")),
        embed_url=text_of(_dig(micro, "embed", "iframeUrl")),
        captions=_tracks(response, page.url),
    )
    return replace(video, platform="youtube", lookups=())
