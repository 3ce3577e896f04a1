"""Progress lines on standard error while a pass runs: one per source every few seconds
while it is busy, and one when it finishes."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from twisted.internet import task

INTERVAL_SECONDS = 5.0


class Progress:
    def __init__(self, stats: Any, stream: Any = None) -> None:
        self.stats = stats
        self.stream = stream or sys.stderr
        self.source_id = "?"
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self._last = ""

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self) -> str:
        get = self.stats.get_value
        errors = sum(
            v for k, v in self.stats.get_stats().items() if k.startswith("traceur/errors/")
        )
        return (
            f"[{self.source_id}] {get('response_received_count', 0)} pages fetched, "
            f"{get('traceur/documents/new', 0)} new, "
            f"{get('traceur/documents/updated', 0)} updated, "
            f"{get('traceur/documents/unchanged', 0)} unchanged, {errors} errors"
        )

    def spider_opened(self, spider: Any) -> None:
        source = getattr(spider, "source", None)
        self.source_id = source.id if source is not None else spider.name
        self.started = time.monotonic()
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(INTERVAL_SECONDS, now=False)

    def tick(self) -> None:
        line = self.line()
        if line != self._last:
            self._last = line
            print(f"  … {line}", file=self.stream, flush=True)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        elapsed = time.monotonic() - self.started
        status = "done" if reason == "finished" else f"stopped ({reason})"
        print(f"  ✓ {self.line()} — {status} in {elapsed:.1f}s", file=self.stream, flush=True)
