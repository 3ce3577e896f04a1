"""Video pages of any site: metadata from JSON-LD ``VideoObject`` first, OpenGraph and
``itemprop`` to fill the gaps, oEmbed after that; and the caption tracks the page links
(``<track>``, subtitle download links, JSON-LD ``caption``).

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from traceur.parse.dates import parse_iso
from traceur.parse.html import (
    absolute,
    base_url,
    first_text,
    json_ld_objects,
    meta,
    parse_count,
    squash,
)
from traceur.parse.video.model import (
    CaptionTrack,
    Lookup,
    VideoPage,
    caption_format,
    is_known_type,
    json_object,
    parse_duration,
)


def _types(item: dict[str, Any]) -> list[str]:
    kinds = item.get("@type")
    values = kinds if isinstance(kinds, list) else [kinds]
    # "http://schema.org/VideoObject" and "VideoObject" are the same type.
    return [str(kind).rsplit("/", 1)[-1] for kind in values if kind]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any, by_id: dict[str, dict[str, Any]]) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        if "name" not in value and value.get("@id") in by_id:
            value = by_id[str(value["@id"])]
        value = value.get("name")
    text = squash(str(value)) if isinstance(value, (str, int)) else ""
    return text or None


def _url_of(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return str(value).strip() if isinstance(value, str) and value.strip() else None


def _watch_count(item: dict[str, Any]) -> int | None:
    stats = item.get("interactionStatistic")
    for stat in stats if isinstance(stats, list) else [stats]:
        if not isinstance(stat, dict):
            continue
        kind = stat.get("interactionType")
        if isinstance(kind, dict):
            kind = kind.get("@type")
        if str(kind or "").rsplit("/", 1)[-1] == "WatchAction":
            count = parse_count(str(stat.get("userInteractionCount", "")))
            if count is not None:
                return count
    # Older markup: "interactionCount": "UserPlays:12345".
    legacy = item.get("interactionCount")
    if legacy is not None:
        return parse_count(str(legacy).rsplit(":", 1)[-1])
    return None


def channel_not_site(root: lxml.html.HtmlElement, page: VideoPage) -> str | None:
    """The page's channel, unless it is only the site's name: on a video platform the
    site is the platform (or the instance), not who published the video."""
    return None if page.channel == meta(root, "og:site_name") else page.channel


# -- caption tracks -------------------------------------------------------------------------

_LANG_IN_NAME = re.compile(r"[._-]([a-z]{2}(?:[-_][A-Za-z]{2})?)\.(?:vtt|srt|ttml|dfxp)$", re.I)


def _language(value: Any) -> str | None:
    # schema.org allows "fr" or a Language object ({"name": "French", "alternateName": "fr"}).
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return str(value) if isinstance(value, str) and value else None


def _tracks(
    root: lxml.html.HtmlElement, url: str, videos: Iterable[dict[str, Any]]
) -> tuple[CaptionTrack, ...]:
    base = base_url(root, url)
    found: dict[str, CaptionTrack] = {}

    def add(
        href: str | None,
        declared: str | None,
        lang: str | None,
        label: str | None,
        default_vtt: bool,
    ) -> None:
        link = absolute(base, href)
        if link is None or link in found:
            return
        fmt = caption_format(link, declared) or ("vtt" if default_vtt else None)
        if fmt is None:
            return
        if not lang and (match := _LANG_IN_NAME.search(urlsplit(link).path)):
            lang = match.group(1)
        found[link] = CaptionTrack(link, fmt, squash(lang) or None, squash(label) or None)

    for track in root.xpath("//track[@src]"):
        # No kind means subtitles (HTML spec); chapters, descriptions and metadata are not speech.
        if (track.get("kind") or "subtitles").lower() in ("subtitles", "captions"):
            # An HTML <track> is WebVTT unless its file says otherwise.
            add(
                track.get("src"),
                track.get("type"),
                track.get("srclang"),
                track.get("label"),
                default_vtt=True,
            )
    for link in root.xpath("//link[@href][@type]"):
        if caption_format(link.get("href") or "", link.get("type")) and is_known_type(
            link.get("type")
        ):
            add(
                link.get("href"),
                link.get("type"),
                link.get("hreflang"),
                link.get("title"),
                default_vtt=False,
            )
    for video in videos:
        captions = video.get("caption")
        for caption in captions if isinstance(captions, list) else [captions]:
            if isinstance(caption, dict):
                add(
                    _url_of(caption),
                    caption.get("encodingFormat"),
                    _language(caption.get("inLanguage")),
                    caption.get("name"),
                    default_vtt=False,
                )
            elif isinstance(caption, str) and caption.startswith(("http", "/")):
                add(caption, None, None, None, default_vtt=False)
    for anchor in root.xpath("//a[@href]"):
        href = anchor.get("href") or ""
        if re.search(r"\.(?:vtt|srt|ttml|dfxp)(?:$|[?#])", href, re.I):
            add(
                href,
                anchor.get("type"),
                anchor.get("hreflang"),
                squash(anchor.text_content()),
                default_vtt=False,
            )
    return tuple(found.values())


# -- the page -------------------------------------------------------------------------------


def read_page(root: lxml.html.HtmlElement, url: str) -> VideoPage:
    """A video page's metadata and caption tracks: JSON-LD ``VideoObject`` wins,
    OpenGraph (``og:*``, ``video:*``) and ``itemprop`` metadata fill the gaps; its oEmbed
    document, when it links one, is the lookup still to read."""
    objects = json_ld_objects(root)
    by_id = {str(item["@id"]): item for item in objects if isinstance(item.get("@id"), str)}
    videos = [item for item in objects if "VideoObject" in _types(item)]
    video: dict[str, Any] = videos[0] if videos else {}
    base = base_url(root, url)
    page_url = url
    for href in root.xpath("//link[@rel='canonical']/@href"):
        candidate = absolute(base, str(href))
        # The page's own address for itself, when it stays on the same site.
        if candidate and urlsplit(candidate).hostname == urlsplit(url).hostname:
            page_url = candidate
            break

    title = (
        _name(video.get("name"), by_id)
        or meta(root, "og:title", "twitter:title")
        or first_text(root, "//title")
        or ""
    )
    description = (
        _name(video.get("description"), by_id)
        or meta(root, "og:description", "description", "twitter:description")
        or ""
    )
    channel = (
        _name(video.get("author"), by_id)
        or _name(video.get("creator"), by_id)
        or _name(video.get("publisher"), by_id)
        or first_text(
            root,
            "//*[@itemprop='author']//*[@itemprop='name']/@content"
            " | //*[@itemprop='author']//*[@itemprop='name']",
        )
        or meta(root, "video:director", "author", "og:site_name")
    )
    published = None
    for value in (
        video.get("uploadDate"),
        video.get("datePublished"),
        meta(root, "uploadDate", "datePublished", "video:release_date", "article:published_time"),
    ):
        published = parse_iso(str(value)) if value else None
        if published:
            break
    duration = parse_duration(video.get("duration")) or parse_duration(
        meta(root, "video:duration", "og:video:duration", "duration")
    )
    views = _watch_count(video) if video else None
    if views is None:
        views = parse_count(meta(root, "interactionCount", "userInteractionCount"))
    thumbnail = (
        _url_of(video.get("thumbnailUrl"))
        or _url_of(video.get("thumbnail"))
        or meta(root, "og:image", "og:image:url", "twitter:image", "thumbnailUrl")
    )
    embed = _url_of(video.get("embedUrl")) or meta(
        root, "og:video:secure_url", "og:video:url", "og:video", "twitter:player", "embedUrl"
    )
    oembed = None
    for link in root.xpath("//link[@href][contains(@type, 'json+oembed')]"):
        oembed = absolute(base, link.get("href"))
        if oembed:
            break
    return VideoPage(
        url=page_url,
        title=title,
        description=description,
        channel=channel,
        published_at=published,
        duration_seconds=duration,
        views=views,
        thumbnail=absolute(base, thumbnail) if thumbnail else None,
        captions=_tracks(root, url, videos),
        oembed_url=oembed,
        embed_url=absolute(base, embed) if embed else None,
        lookups=(Lookup("oembed", oembed),) if oembed else (),
    )


def apply_oembed(page: VideoPage, data: bytes) -> VideoPage:
    """Fill what the page lacked from its oEmbed JSON: title, channel (author_name),
    thumbnail, and the player URL of its iframe. What the page had is kept."""
    payload = json_object(data)
    if payload is None:
        return page
    embed = page.embed_url
    if embed is None and isinstance(payload.get("html"), str):
        match = re.search(r"<iframe[^>]+src=[\"']([^\"']+)", payload["html"])
        embed = htmllib.unescape(match.group(1)) if match else None
    thumbnail = page.thumbnail or (
        str(payload["thumbnail_url"]) if payload.get("thumbnail_url") else None
    )
    return replace(
        page,
        title=page.title or squash(str(payload.get("title") or "")),
        channel=page.channel
        or (squash(str(payload["author_name"])) if payload.get("author_name") else None),
        thumbnail=absolute(page.url, thumbnail) if thumbnail else None,
        embed_url=absolute(page.url, embed) if embed else None,
    )
