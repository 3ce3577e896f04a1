"""A peer for bench_crawl: Scrapy alone fetching a list of URLs through a proxy, with its
default middlewares and nothing of Traceur's (no guard, cache, politeness, parsing or
pipelines). What Scrapy costs per request on this machine, the ceiling of any pass.

    python bench/scrapy_peer.py PROXY_URL URLS_FILE
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class _FetchAll(scrapy.Spider):
    name = "peer"

    def __init__(self, urls: list[str], proxy: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.proxy = proxy
        self.first: float | None = None
        self.fetched = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, meta={"proxy": self.proxy}, dont_filter=True)

    def parse(self, response: Response) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        self.fetched += 1


def main() -> int:
    proxy, listing = sys.argv[1], Path(sys.argv[2])
    urls = listing.read_text(encoding="utf-8").split()
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    crawler = process.create_crawler(_FetchAll)
    process.crawl(crawler, urls=urls, proxy=proxy)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, _FetchAll) and spider.first is not None
    seconds = time.perf_counter() - spider.first
    print(f"{spider.fetched} {seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
