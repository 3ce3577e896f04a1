"""PeerTube video pages: a single-page app whose HTML holds a few meta tags, so the
video is read from the instance's REST API — ``/api/v1/videos/{id}`` (name,
description, duration, views, dates, channel, account) and ``/api/v1/videos/{id}/captions``
(one WebVTT file per language). Instances have any host name: a page is recognised by
its URL shape (``/w/{shortUUID}``, ``/videos/watch/{uuid}``) and PeerTube's own markup.

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.dates import parse_iso
from traceur.parse.html import absolute, meta
from traceur.parse.video.generic import channel_not_site
from traceur.parse.video.model import (
    CaptionTrack,
    Lookup,
    VideoPage,
    as_dict,
    caption_format,
    count,
    json_object,
    text_of,
    with_platform_data,
)

# A short UUID is a UUID in base 58 (no 0, O, I, l); /w/p/… is a playlist.
_SHORT = r"[1-9A-HJ-NP-Za-km-z]{16,24}"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_WATCH = re.compile(rf"^/(?:w|videos/watch)/({_UUID}|{_SHORT})/?$")


def _peertube_markup(root: lxml.html.HtmlElement) -> bool:
    return (meta(root, "og:platform") or "").lower() == "peertube" or bool(
        root.xpath("//my-app | //script[contains(text(), 'PeerTubeServerConfig')]")
    )


def peertube_id(root: lxml.html.HtmlElement, url: str) -> str | None:
    """The video id of a PeerTube watch page, whatever the instance's host name."""
    match = _WATCH.match(urlsplit(url).path)
    return match.group(1) if match and _peertube_markup(root) else None


def read_peertube(root: lxml.html.HtmlElement, page: VideoPage) -> VideoPage | None:
    """The page as the start of a PeerTube video, the API's video and caption list the
    lookups to read (the oEmbed document says less); None when it is not PeerTube's."""
    video_id = peertube_id(root, page.url)
    if video_id is None:
        return None
    parts = urlsplit(page.url)
    api = f"{parts.scheme}://{parts.netloc}/api/v1/videos/{video_id}"
    lookups = (Lookup("peertube-video", api), Lookup("peertube-captions", f"{api}/captions"))
    channel = channel_not_site(root, page)  # the API's channel says who
    return replace(page, channel=channel, platform="peertube", lookups=lookups)


def _display_name(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return text_of(value.get("displayName")) or text_of(value.get("name"))


def _link(page: VideoPage, path: Any) -> str | None:
    return absolute(page.url, path) if isinstance(path, str) and path else None


def apply_peertube_video(page: VideoPage, data: bytes) -> VideoPage:
    """The page completed by the API's video; an answer of another shape changes nothing."""
    video = json_object(data)
    if video is None or not video.get("uuid") or not text_of(video.get("name")):
        return page
    description = video.get("description")
    return with_platform_data(
        page,
        title=text_of(video.get("name")),
        description=description.strip() if isinstance(description, str) else None,
        channel=_display_name(video.get("channel")) or _display_name(video.get("account")),
        published_at=parse_iso(text_of(video.get("publishedAt"))),
        duration_seconds=count(video.get("duration")),
        views=count(video.get("views")),
        thumbnail=_link(page, video.get("previewPath")) or _link(page, video.get("thumbnailPath")),
        embed_url=_link(page, video.get("embedPath")),
    )


def apply_peertube_captions(page: VideoPage, data: bytes) -> VideoPage:
    """The page with the caption files the API lists (``fileUrl`` since PeerTube 7.1,
    ``captionPath`` before); an answer of another shape changes nothing."""
    listing = json_object(data)
    items = listing.get("data") if listing is not None else None
    tracks = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        url = _link(page, item.get("fileUrl")) or _link(page, item.get("captionPath"))
        language = as_dict(item.get("language"))
        if url is None:
            continue
        tracks.append(
            CaptionTrack(
                url,
                caption_format(url) or "vtt",
                text_of(language.get("id")),
                text_of(language.get("label")),
                automatic=item.get("automaticallyGenerated") is True,
            )
        )
    return with_platform_data(page, captions=tracks) if tracks else page
