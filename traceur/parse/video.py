"""Video pages: metadata from the page, and the words spoken from its caption tracks.

A video is found by what it says, not only by its title: a candidate named in a
debate shows up in the subtitles, never in the page text. So a video page gives its
metadata (JSON-LD ``VideoObject`` first, OpenGraph to fill the gaps, oEmbed after
that) and the caption tracks it links (``<track>``, subtitle download links, JSON-LD
``caption``); the spider fetches those and :func:`caption_text` turns WebVTT, SRT or
TTML into plain text for tagging.

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from traceur.parse.dates import parse_iso
from traceur.parse.html import (
    absolute,
    base_url,
    first_text,
    json_ld_objects,
    parse_count,
    parse_html,
    squash,
)

CAPTION_FORMATS = ("vtt", "srt", "ttml")


@dataclass(frozen=True)
class CaptionTrack:
    url: str
    format: str  # "vtt" | "srt" | "ttml"
    lang: str | None  # BCP 47 tag as the page gives it ("fr", "fr-FR")
    label: str | None  # what the player menu shows ("Français", "Sous-titres")


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


def _meta(root: lxml.html.HtmlElement, *names: str) -> str | None:
    for name in names:
        found = first_text(
            root, f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']/@content"
        )
        if found:
            return found
    return None


# -- caption tracks -------------------------------------------------------------------------

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
_LANG_IN_NAME = re.compile(r"[._-]([a-z]{2}(?:[-_][A-Za-z]{2})?)\.(?:vtt|srt|ttml|dfxp)$", re.I)


def _caption_format(url: str, declared: str | None = None) -> str | None:
    if declared:
        kind = declared.split(";")[0].strip().lower()
        if kind in _FORMAT_BY_TYPE:
            return _FORMAT_BY_TYPE[kind]
        if kind in CAPTION_FORMATS:
            return kind
    extension = urlsplit(url).path.rsplit(".", 1)[-1].lower() if "." in urlsplit(url).path else ""
    return _FORMAT_BY_EXTENSION.get(extension)


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
        fmt = _caption_format(link, declared) or ("vtt" if default_vtt else None)
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
        if (
            _caption_format(link.get("href") or "", link.get("type"))
            and (link.get("type") or "").lower() in _FORMAT_BY_TYPE
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


def parse_video_page(html: str, url: str) -> VideoPage:
    """A video page's metadata and caption tracks: JSON-LD ``VideoObject`` wins,
    OpenGraph (``og:*``, ``video:*``) and ``itemprop`` metadata fill the gaps."""
    root = parse_html(html)
    if root is None:
        return VideoPage(url, "", "", None, None, None, None, None, (), None, None)
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
        or _meta(root, "og:title", "twitter:title")
        or first_text(root, "//title")
        or ""
    )
    description = (
        _name(video.get("description"), by_id)
        or _meta(root, "og:description", "description", "twitter:description")
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
        or _meta(root, "video:director", "author", "og:site_name")
    )
    published = None
    for value in (
        video.get("uploadDate"),
        video.get("datePublished"),
        _meta(root, "uploadDate", "datePublished", "video:release_date", "article:published_time"),
    ):
        published = parse_iso(str(value)) if value else None
        if published:
            break
    duration = parse_duration(video.get("duration")) or parse_duration(
        _meta(root, "video:duration", "og:video:duration", "duration")
    )
    views = _watch_count(video) if video else None
    if views is None:
        views = parse_count(_meta(root, "interactionCount", "userInteractionCount"))
    thumbnail = (
        _url_of(video.get("thumbnailUrl"))
        or _url_of(video.get("thumbnail"))
        or _meta(root, "og:image", "og:image:url", "twitter:image", "thumbnailUrl")
    )
    embed = _url_of(video.get("embedUrl")) or _meta(
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
    )


def apply_oembed(page: VideoPage, data: bytes) -> VideoPage:
    """Fill what the page lacked from its oEmbed JSON: title, channel (author_name),
    thumbnail, and the player URL of its iframe. What the page had is kept."""
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return page
    if not isinstance(payload, dict):
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


# -- caption files --------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
_INVISIBLE = re.compile("[\u200b\u200e\u200f\ufeff]")


def _decode(data: bytes) -> str:
    # Subtitle files come from everywhere: UTF-8 with or without BOM, UTF-16 from
    # Windows tools, and cp1252 from old French subtitle editors.
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _clean_line(line: str) -> str:
    line = _ASS_OVERRIDE.sub("", _TAG.sub("", line))
    return " ".join(_INVISIBLE.sub("", htmllib.unescape(line)).split())


def _cues_timed(text: str, webvtt: bool) -> list[list[str]]:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    cues: list[list[str]] = []
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        head = lines[0].strip()
        if webvtt and (
            index == 0 and head.startswith("WEBVTT") or head.startswith(("NOTE", "STYLE", "REGION"))
        ):
            continue
        timing = next((number for number, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue  # an identifier or index with no cue: nothing spoken
        cue = [_clean_line(line) for line in lines[timing + 1 :]]
        cue = [line for line in cue if line]
        if cue:
            cues.append(cue)
    return cues


def _cues_ttml(text: str) -> list[list[str]]:
    # Untrusted XML: no entities, no network, tolerate broken files.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    cues: list[list[str]] = []
    for paragraph in root.iter("{*}p"):
        parts: list[str] = []

        def walk(node: Any, paragraph: Any = paragraph, parts: list[str] = parts) -> None:
            if isinstance(node.tag, str):
                local = etree.QName(node).localname
                if local == "br":
                    parts.append("\n")
                elif local != "metadata":
                    parts.append(node.text or "")
                    for child in node:
                        walk(child)
            # Comments, processing instructions and (unexpanded) entities say nothing.
            if node is not paragraph:
                parts.append(node.tail or "")

        walk(paragraph)
        cue = [" ".join(line.split()) for line in "".join(parts).split("\n")]
        cue = [line for line in cue if line]
        if cue:
            cues.append(cue)
    return cues


def _grows(before: str, after: str) -> bool:
    # "Bonsoir" → "Bonsoir à tous" grows; "Bon" → "Bonjour" is another word.
    return (
        len(after) > len(before) and after.startswith(before) and not after[len(before)].isalnum()
    )


def _merge(cues: list[list[str]]) -> list[str]:
    """Cues → lines, without the repeats of rolling captions.

    Roll-up captions show each line in two or three successive cues ("A/B", then
    "B/C"), and live captions grow a line word by word ("Bonsoir", "Bonsoir à tous");
    each line should be read once."""
    out: list[str] = []
    for cue in cues:
        overlap = 0
        for size in range(min(len(cue), len(out)), 0, -1):
            shown, again = out[-size:], cue[:size]
            # The cue repeats the last lines shown; its last repeated line may have grown.
            if shown[:-1] == again[:-1] and (
                shown[-1] == again[-1] or _grows(shown[-1], again[-1])
            ):
                overlap = size
                out[-1] = again[-1]
                break
        for line in cue[overlap:]:
            if out and _grows(out[-1], line):
                out[-1] = line
            elif not out or line != out[-1]:
                out.append(line)
    return out


def caption_text(data: bytes, fmt: str) -> str:
    """The words of a caption file, one line per caption line: WebVTT (header, NOTE,
    STYLE and REGION blocks, cue ids, timings and settings, ``<v>``/``<c>``/``<i>``
    tags and inline timestamps removed), SRT (indices, timings, ``<i>``/``<font>``
    and ``{\\an8}`` removed) or TTML (``<p>`` with ``<br/>`` and ``<span>``).
    Repeated lines of rolling captions are kept once."""
    text = _decode(data)
    kind = fmt.lower().lstrip(".")
    kind = {"webvtt": "vtt", "dfxp": "ttml", "xml": "ttml", "subrip": "srt"}.get(kind, kind)
    if kind not in CAPTION_FORMATS:
        stripped = text.lstrip()
        kind = (
            "vtt"
            if stripped.startswith("WEBVTT")
            else "ttml"
            if stripped.startswith("<")
            else "srt"
        )
    cues = _cues_ttml(text) if kind == "ttml" else _cues_timed(text, webvtt=kind == "vtt")
    return "\n".join(_merge(cues))
