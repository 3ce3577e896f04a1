"""Video pages (YouTube, Dailymotion, PeerTube, and any site with JSON-LD, OpenGraph or
oEmbed): the video's metadata, and the text of its caption tracks, so a candidate named
only in the speech is found.

    scrapy crawl video -a source=chaine-val-tv

A site crawl from the source URL; pages whose URL matches ``match`` (any page with a
video, without ``match``) are read: the page, then the lookups it names (oEmbed,
Dailymotion's player metadata, PeerTube's API), then each caption track, one after the
other. Each of those requests counts against the source's page budget; a lookup or
caption that fails, or that the budget leaves out, never loses the video: it is stored
with what the rest gave.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from lxml.html import HtmlElement
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from spiders.site import SiteSpider
from traceur.parse.records import VideoRecord
from traceur.parse.video import (
    VideoPage,
    apply_lookup,
    caption_text,
    parse_video_page,
    skip_lookup,
)


class VideoSpider(SiteSpider):
    name = "video"
    # A page is kept when it holds a video (parse_document_page), whatever else it shows.
    classifies_pages = False
    replays_unchanged_pages = False

    def parse_document_page(
        self, response: TextResponse, html: str, root: HtmlElement
    ) -> Iterator[Any]:
        video = parse_video_page(root, response.url)
        if not video.has_video:
            return  # no video on this page
        if video.platform:
            self.crawler.stats.inc_value(f"traceur/video/{video.platform}")
        yield from self._advance(video, 0, [], response)

    def _chained(
        self,
        url: str,
        callback: Any,
        video: VideoPage,
        track: int,
        texts: list[str],
        page: Response,
    ) -> scrapy.Request | None:
        # Counted against the page budget, but not deduplicated with the crawl's links: a
        # caption file also linked for download, once "seen" as a link, is still this
        # video's caption. Everything travels in cb_kwargs; the errback resumes the chain.
        if not self.spend_budget():
            return None
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_chain_error,
            dont_filter=True,
            cb_kwargs={"video": video, "track": track, "texts": texts, "page": page},
        )

    def _advance(
        self, video: VideoPage, track: int, texts: list[str], page: Response
    ) -> Iterator[Any]:
        """The next request of the chain, or the video when nothing is left to fetch
        (a request the budget refuses is passed over)."""
        while video.lookups:
            request = self._chained(
                video.lookups[0].url, self.parse_lookup, video, track, texts, page
            )
            if request is not None:
                yield request
                return
            video = skip_lookup(video)
        while track < len(video.captions):
            request = self._chained(
                video.captions[track].url, self.parse_caption, video, track, texts, page
            )
            if request is not None:
                yield request
                return
            track += 1
        self.crawler.stats.inc_value("traceur/video/captions", len(texts))
        yield self.record_item(page, VideoRecord(video, "\n\n".join(texts)))

    def parse_lookup(
        self, response: Response, video: VideoPage, track: int, texts: list[str], page: Response
    ) -> Iterator[Any]:
        yield from self._advance(apply_lookup(video, response.body), track, texts, page)

    def parse_caption(
        self, response: Response, video: VideoPage, track: int, texts: list[str], page: Response
    ) -> Iterator[Any]:
        text = caption_text(response.body, video.captions[track].format)
        yield from self._advance(video, track + 1, [*texts, text] if text else texts, page)

    def on_chain_error(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        kwargs = dict(request.cb_kwargs)
        if request.callback == self.parse_lookup:
            kwargs["video"] = skip_lookup(kwargs["video"])
        else:
            kwargs["track"] += 1
        yield from self._advance(**kwargs)
