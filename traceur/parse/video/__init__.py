"""Video pages: metadata from the page and its platform, and the words spoken from its
caption tracks.

A video is found by what it says, not only by its title: a candidate named in a debate
shows up in the subtitles, never in the page text. So a video page gives its metadata
(:mod:`generic`: JSON-LD, OpenGraph, oEmbed; :mod:`youtube`, :mod:`dailymotion`,
:mod:`peertube`: what each platform keeps in its player response, player metadata or
API) and its caption tracks; the spider fetches the lookups and tracks a page names,
and :mod:`captions` turns each file into plain text for tagging.
"""

from traceur.parse.video.captions import caption_text
from traceur.parse.video.generic import apply_oembed
from traceur.parse.video.model import (
    CAPTION_FORMATS,
    CaptionTrack,
    Lookup,
    VideoPage,
    choose_tracks,
    parse_duration,
)
from traceur.parse.video.pages import apply_lookup, parse_video_page, skip_lookup

__all__ = [
    "CAPTION_FORMATS",
    "CaptionTrack",
    "Lookup",
    "VideoPage",
    "apply_lookup",
    "apply_oembed",
    "caption_text",
    "choose_tracks",
    "parse_duration",
    "parse_video_page",
    "skip_lookup",
]
