"""Video pages (YouTube, Dailymotion, PeerTube, and any site with JSON-LD, OpenGraph or
oEmbed): the video's metadata, and the text of its caption tracks, so a candidate named
only in the speech is found.

    scrapy crawl video -a source=chaine-val-tv

A site crawl from the source URL; pages whose URL matches ``match`` (any page with a
video, without ``match``) are read: the page, then the lookups it names (oEmbed,
Dailymotion's player metadata, PeerTube's API), then each caption track, one after the
other. Each of those requests counts against the source's page budget; a lookup or
caption that fails, or that the budget leaves out, never loses the video: it is stored
with what the rest gave. At most ``MAX_CAPTION_TRACKS`` tracks are read, and at most
``max_page_bytes`` characters of caption text per video: a page listing a flood of huge
tracks costs one page's worth of memory, not gigabytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from lxml.html import HtmlElement
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from spiders.site import SiteSpider
from traceur.config import default_settings
from traceur.parse.records import VideoRecord
from traceur.parse.video import (
    VideoPage,
    apply_lookup,
    caption_text,
    parse_video_page,
    skip_lookup,
)

# Real videos carry a handful of languages (original, French, an automatic one); more is a
# flood, not an audience.
MAX_CAPTION_TRACKS = 8
# Bytes of a caption file per character of text it gives, at most: cue numbers, timings
# and markup take room, and rolling captions repeat each line two or three times.
CAPTION_BYTES_PER_CHAR = 6


class VideoSpider(SiteSpider):
    name = "video"
    # A page is kept when it holds a video (parse_document_page), whatever else it shows.
    classifies_pages = False
    replays_unchanged_pages = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Video page URL → bytes of its caption files read so far.
        self._caption_bytes: dict[str, int] = {}

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
        meta: dict[str, Any] = {}
        if callback == self.parse_caption:
            # Caption files share one page's worth of bytes per video: a track larger than
            # what the earlier ones left is refused by the downloader, not held in memory.
            meta["download_maxsize"] = self._caption_room(page)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_chain_error,
            dont_filter=True,
            meta=meta,
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
        if track == 0 and len(video.captions) > MAX_CAPTION_TRACKS:
            self.count_error(
                "captions_capped",
                page.url,
                f"{len(video.captions)} caption tracks; the first {MAX_CAPTION_TRACKS} read",
            )
        while track < min(len(video.captions), MAX_CAPTION_TRACKS):
            if self._caption_room(page) <= 0:
                self.count_error(
                    "captions_capped",
                    page.url,
                    f"caption files past {self.caption_budget} bytes for one video; rest not read",
                )
                break
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
        self._caption_bytes[page.url] = self._caption_bytes.get(page.url, 0) + len(response.body)
        # The document keeps max_text_chars of text: parsing a file further than what can
        # still be kept (at a generous CAPTION_BYTES_PER_CHAR) is work and memory for nothing.
        keep = self.max_text_chars - sum(len(kept) for kept in texts)
        data = response.body[: max(0, keep) * CAPTION_BYTES_PER_CHAR]
        text = caption_text(data, video.captions[track].format)
        yield from self._advance(video, track + 1, [*texts, text] if text else texts, page)

    @property
    def max_text_chars(self) -> int:
        return self.crawler.settings.getint(
            "TRACEUR_MAX_TEXT_CHARS", default_settings().max_text_chars
        )

    def _caption_room(self, page: Response) -> int:
        return self.caption_budget - self._caption_bytes.get(page.url, 0)

    @property
    def caption_budget(self) -> int:
        """Bytes of caption files read per video: one page's worth (max_page_bytes)."""
        return self.crawler.settings.getint("DOWNLOAD_MAXSIZE", default_settings().max_page_bytes)

    def on_chain_error(self, failure: Failure) -> Iterator[Any]:
        self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        kwargs = dict(request.cb_kwargs)
        if request.callback == self.parse_lookup:
            kwargs["video"] = skip_lookup(kwargs["video"])
        else:
            kwargs["track"] += 1
        yield from self._advance(**kwargs)
