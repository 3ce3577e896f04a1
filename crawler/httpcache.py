"""Conditional requests everywhere, through Scrapy's HTTP cache.

Every page with an ``ETag`` or ``Last-Modified`` is kept (under DATA_DIR/httpcache, or in
the work queue's Redis when one is set, for every worker: ``SharedCacheStorage``) and
always revalidated: the next pass sends ``If-None-Match``/``If-Modified-Since``, and on
``304 Not Modified`` the spider gets the stored copy flagged ``cached``, so it can follow
its links without processing it again. Unlike RFC 2616's policy, nothing is served from
the cache without asking (a veille tool must see edits at once) and a server error is
never hidden behind a stale copy.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_from_dict

log = logging.getLogger(__name__)


class AlwaysRevalidatePolicy(RFC2616Policy):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        # Storing pickles the answer: a second copy of its body in memory for a moment.
        # For the few answers near max_page_bytes (a caption flood, a page bomb) that copy
        # is what breaks the crawl's memory budget; they are fetched whole next time.
        self.max_cached_bytes = settings.getint("DOWNLOAD_MAXSIZE") // 4

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if self.max_cached_bytes and len(response.body) > self.max_cached_bytes:
            return False
        return bool(super().should_cache_response(response, request))

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        return response.status == 304


def not_modified(response: Response) -> bool:
    """True when the server answered 304 and this is the stored copy."""
    return "cached" in response.flags


class CompactCacheStorage:
    """One file per cached answer, compressed fast.

    Scrapy's filesystem storage writes seven files per answer, each gzipped at the
    slowest level, and reads four back on every 304: on a crawl of small pages that cost
    more than extracting them. Here the answer (status, headers, body, flags) is one
    pickle compressed with zlib level 1, written to a temporary file and renamed, so a
    killed crawl or two passes writing the same page never leave a torn entry.
    """

    def __init__(self, settings: BaseSettings) -> None:
        self.cachedir = Path(settings["HTTPCACHE_DIR"])
        self._dir = str(self.cachedir)
        self._fingerprinter: Any = None

    def open_spider(self, spider: Spider) -> None:
        self._fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider: Spider) -> None:
        pass

    def _path(self, spider: Spider, request: Request) -> Path:
        key: str = self._fingerprinter.fingerprint(request).hex()
        return self.cachedir / spider.name / key[:2] / f"{key}.z"

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        payload = self._read(spider, request)
        if payload is None:
            return None
        try:
            data = pickle.loads(zlib.decompress(payload))  # noqa: S301 - our own entries
        except (zlib.error, pickle.UnpicklingError, EOFError, ValueError):
            return None  # a damaged entry is a miss: the page is fetched again
        request.meta["cache_timestamp"] = data.pop("timestamp", 0.0)
        return response_from_dict(data)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        if "cached" in response.flags:
            # A 304 revalidated the copy kept here: Scrapy stores it again to refresh its
            # time, which this policy never reads; rewriting every unchanged page of a pass
            # cost CPU and disk for nothing.
            return
        data = {**response.to_dict(), "timestamp": time.time()}
        self._write(
            spider, request, zlib.compress(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), 1)
        )

    def _read(self, spider: Spider, request: Request) -> bytes | None:
        # The path as a string and a plain open: read on every request of a pass, where
        # building Path objects cost a third of the read.
        key: str = self._fingerprinter.fingerprint(request).hex()
        try:
            with open(f"{self._dir}/{spider.name}/{key[:2]}/{key}.z", "rb") as entry:
                return entry.read()
        except OSError:
            return None  # none, or unreadable: a miss

    def _write(self, spider: Spider, request: Request, payload: bytes) -> None:
        path = self._path(spider, request)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class SharedCacheStorage(CompactCacheStorage):
    """The same entries in the work queue's Redis (``TRACEUR_QUEUE``), so a page fetched by a
    worker on another machine last time is asked conditionally, and a 304 finds the copy
    (validators, headers and body) whichever worker stored it.

    The whole answer is kept, not only its validators: on a 304 the spiders read the kept
    copy (a feed's entries, a page whose document an earlier pass failed to store). An entry
    expires the retention period ``http_cache`` after it was written
    (``TRACEUR_HTTP_CACHE_SECONDS``), as ``traceur purge`` removes the data directory's
    files by their age: the page is then fetched whole once. Redis down is a miss, logged
    and counted: the page is fetched whole, the crawl goes on.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.queue = str(settings.get("TRACEUR_QUEUE") or "")
        self.keep_seconds = max(1, settings.getint("TRACEUR_HTTP_CACHE_SECONDS"))
        self._client: Any = None

    def open_spider(self, spider: Spider) -> None:
        super().open_spider(spider)
        from traceur.config import default_settings
        from traceur.orchestra.queue.connection import connect

        self._client = connect(default_settings().replace(queue=self.queue), binary=True)

    def close_spider(self, spider: Spider) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _key(self, spider: Spider, request: Request) -> str:
        from traceur.orchestra.queue.connection import key

        return key("httpcache", spider.name, self._fingerprinter.fingerprint(request).hex())

    def _failed(self, spider: Spider, exc: Exception) -> None:
        log.warning("shared HTTP cache in Redis unavailable (%s): pages fetched whole", exc)
        spider.crawler.stats.inc_value("traceur/errors/shared_cache")

    def _read(self, spider: Spider, request: Request) -> bytes | None:
        import redis

        try:
            payload = self._client.get(self._key(spider, request))
        except redis.RedisError as exc:
            self._failed(spider, exc)
            return None
        return None if payload is None else bytes(payload)

    def _write(self, spider: Spider, request: Request, payload: bytes) -> None:
        import redis

        try:
            self._client.set(self._key(spider, request), payload, ex=self.keep_seconds)
        except redis.RedisError as exc:
            self._failed(spider, exc)
