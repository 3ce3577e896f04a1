"""A video page, whatever the platform: the generic reading of its metadata, then the
first platform that recognises the page (YouTube, Dailymotion, PeerTube) completes it
and names the lookups still to read; :func:`apply_lookup` reads each answer.

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import lxml.html

from traceur.parse.html import parse_html
from traceur.parse.video.dailymotion import apply_dailymotion_metadata, read_dailymotion
from traceur.parse.video.generic import apply_oembed, read_page
from traceur.parse.video.model import VideoPage, empty_page
from traceur.parse.video.peertube import (
    apply_peertube_captions,
    apply_peertube_video,
    read_peertube,
)
from traceur.parse.video.youtube import read_youtube

_PLATFORMS: tuple[Callable[[lxml.html.HtmlElement, VideoPage], VideoPage | None], ...] = (
    read_youtube,
    read_dailymotion,
    read_peertube,
)
_ANSWERS: dict[str, Callable[[VideoPage, bytes], VideoPage]] = {
    "oembed": apply_oembed,
    "dailymotion-metadata": apply_dailymotion_metadata,
    "peertube-video": apply_peertube_video,
    "peertube-captions": apply_peertube_captions,
}


def parse_video_page(page: str | lxml.html.HtmlElement, url: str) -> VideoPage:
    """A video page's metadata, caption tracks and the lookups still to read, from its
    HTML or its parsed tree (which is not modified)."""
    root = parse_html(page) if isinstance(page, str) else page
    if root is None:
        return empty_page(url)
    page = read_page(root, url)
    for read_platform in _PLATFORMS:
        found = read_platform(root, page)
        if found is not None:
            return found
    return page


def apply_lookup(page: VideoPage, data: bytes) -> VideoPage:
    """The page completed by the answer to its first lookup, which is then done."""
    done = _ANSWERS[page.lookups[0].kind](page, data)
    return replace(done, lookups=page.lookups[1:])


def skip_lookup(page: VideoPage) -> VideoPage:
    """The page without its first lookup, whose answer never came."""
    return replace(page, lookups=page.lookups[1:])
