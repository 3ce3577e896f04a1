"""Video pages (YouTube-, Dailymotion- and TV-replay-style): metadata from JSON-LD,
OpenGraph and oEmbed, and the text of the caption tracks, so a candidate named only in
the speech is found.

    scrapy crawl video -a source=chaine-val-tv

A site crawl from the source URL; pages whose URL matches ``match`` (any page with a
video, without ``match``) are read: the page, then its oEmbed document, then each
caption track, one after the other. A missing oEmbed or caption never loses the video.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from spiders.site import SiteSpider
from traceur.parse.records import VideoRecord
from traceur.parse.video import (
    CaptionTrack,
    VideoPage,
    apply_oembed,
    caption_text,
    parse_video_page,
)


class VideoSpider(SiteSpider):
    name = "video"
    # A page is kept when it holds a video (parse_document_page), whatever else it shows.
    classifies_pages = False

    def parse_document_page(self, response: TextResponse) -> Iterator[Any]:
        text = self.page_text(response)
        if text is None:
            return
        video = parse_video_page(text, response.url)
        if not (video.duration_seconds or video.captions or video.embed_url or video.oembed_url):
            return  # no video on this page
        if video.oembed_url:
            yield self._next(
                video.oembed_url, self.parse_oembed, video, list(video.captions), [], response
            )
        else:
            yield from self._captions(video, list(video.captions), [], response)

    def _next(
        self,
        url: str,
        callback: Any,
        video: VideoPage,
        tracks: list[CaptionTrack],
        texts: list[str],
        page: Response,
    ) -> scrapy.Request:
        # Chained requests carry everything in cb_kwargs; the errback resumes the chain.
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_chain_error,
            dont_filter=True,
            cb_kwargs={"video": video, "tracks": tracks, "texts": texts, "page": page},
        )

    def parse_oembed(
        self,
        response: Response,
        video: VideoPage,
        tracks: list[CaptionTrack],
        texts: list[str],
        page: Response,
    ) -> Iterator[Any]:
        yield from self._captions(apply_oembed(video, response.body), tracks, texts, page)

    def parse_caption(
        self,
        response: Response,
        video: VideoPage,
        tracks: list[CaptionTrack],
        texts: list[str],
        page: Response,
    ) -> Iterator[Any]:
        track, rest = tracks[0], tracks[1:]
        text = caption_text(response.body, track.format)
        yield from self._captions(video, rest, [*texts, text] if text else texts, page)

    def _captions(
        self, video: VideoPage, tracks: list[CaptionTrack], texts: list[str], page: Response
    ) -> Iterator[Any]:
        if tracks:
            yield self._next(tracks[0].url, self.parse_caption, video, tracks, texts, page)
            return
        self.crawler.stats.inc_value("traceur/video/captions", len(texts))
        yield self.record_item(page, VideoRecord(video, "\n\n".join(texts)))

    def on_chain_error(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        tracks = kwargs["tracks"]
        if failure.request.callback == self.parse_caption:  # type: ignore[attr-defined]
            tracks = tracks[1:]
        yield from self._captions(kwargs["video"], tracks, kwargs["texts"], kwargs["page"])
