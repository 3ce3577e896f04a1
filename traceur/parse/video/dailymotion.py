"""Dailymotion video pages: the page (``/video/{xid}``) says little; its player metadata
(``/player/metadata/video/{xid}``) gives the title, owner, duration, creation time,
thumbnails and the subtitle files of each language.

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.dates import from_timestamp
from traceur.parse.html import meta
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

_XID = re.compile(r"^/video/(x[0-9a-z]{4,})(?:[/_?#]|$)")
_APP_NAME = "dailymotion"


def dailymotion_xid(root: lxml.html.HtmlElement, url: str) -> str | None:
    """The video id of a Dailymotion page: ``/video/{xid}`` in its URL, and the page
    saying it is Dailymotion's (its app links, ``dailymotion://video/{xid}``, or the app
    and site names) — whatever host serves it."""
    match = _XID.match(urlsplit(url).path)
    if match is None:
        return None
    xid = match.group(1)
    app_link = meta(root, "al:ios:url", "al:android:url") or ""
    names = (meta(root, name) or "" for name in ("al:ios:app_name", "og:site_name"))
    if app_link == f"dailymotion://video/{xid}" or any(n.lower() == _APP_NAME for n in names):
        return xid
    return None


def read_dailymotion(root: lxml.html.HtmlElement, page: VideoPage) -> VideoPage | None:
    """The page as the start of a Dailymotion video, its player metadata the lookup to
    read (it says more than the oEmbed document); None when it is not Dailymotion's."""
    xid = dailymotion_xid(root, page.url)
    if xid is None:
        return None
    parts = urlsplit(page.url)
    lookup = Lookup(
        "dailymotion-metadata", f"{parts.scheme}://{parts.netloc}/player/metadata/video/{xid}"
    )
    channel = channel_not_site(root, page)  # the metadata's owner says who
    return replace(page, channel=channel, platform="dailymotion", lookups=(lookup,))


def _largest(images: Any) -> str | None:
    # {"60": url, "120": url, …, "1080": url}: the key is the height.
    sized = {
        int(key): value
        for key, value in (images.items() if isinstance(images, dict) else [])
        if str(key).isdigit() and isinstance(value, str)
    }
    return sized[max(sized)] if sized else None


def _subtitles(metadata: dict[str, Any]) -> list[CaptionTrack]:
    subtitles = metadata.get("subtitles")
    data = subtitles.get("data") if isinstance(subtitles, dict) else None
    tracks = []
    # An empty list when there is none; a dict keyed by language otherwise.
    for lang, item in data.items() if isinstance(data, dict) else []:
        urls = item.get("urls") if isinstance(item, dict) else None
        for url in urls if isinstance(urls, list) else []:
            if not isinstance(url, str):
                continue
            automatic = str(lang).endswith("-auto")
            tracks.append(
                CaptionTrack(
                    url,
                    caption_format(url) or "vtt",
                    str(lang).removesuffix("-auto"),
                    text_of(item.get("label")),
                    automatic=automatic,
                )
            )
            break  # the same file from several servers
    return tracks


def apply_dailymotion_metadata(page: VideoPage, data: bytes) -> VideoPage:
    """The page completed by its player metadata; an answer of another shape (an error
    object, an HTML page) changes nothing."""
    metadata = json_object(data)
    if metadata is None or "error" in metadata or not text_of(metadata.get("title")):
        return page
    owner = as_dict(metadata.get("owner"))
    return with_platform_data(
        page,
        title=text_of(metadata.get("title")),
        channel=text_of(owner.get("screenname")) or text_of(owner.get("username")),
        published_at=from_timestamp(count(metadata.get("created_time"))),
        duration_seconds=count(metadata.get("duration")),
        views=count(metadata.get("views_total")) or count(metadata.get("views")),
        thumbnail=_largest(metadata.get("thumbnails")) or _largest(metadata.get("posters")),
        embed_url=text_of(metadata.get("embed_url")),
        captions=_subtitles(metadata),
    )
