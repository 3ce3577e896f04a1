"""What Scrapy writes about items: their address and kind, never their content.

Scrapy's own formatter puts the whole item in the message (a page's HTML, a post's
text and its author), at WARNING for a dropped item — so every page left unchanged by a
second pass reached the terminal in full. An operator's log says what happened to which
address; the content stays in the store.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

# Longest message a log record may carry: a long URL and an explanation fit; a page, an
# item's repr or an exception quoting a body do not.
MAX_LOG_MESSAGE = 2000


class CappedMessages(logging.Filter):
    """Cuts every record's message (its arguments merged in) to MAX_LOG_MESSAGE characters,
    whoever logs it: Scrapy, a library quoting the bytes it choked on, or our own code.
    A hostile page once turned into a 264 MB log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > MAX_LOG_MESSAGE:
            cut = len(message) - MAX_LOG_MESSAGE
            record.msg = f"{message[:MAX_LOG_MESSAGE]}… [{cut} characters cut]"
            record.args = None
        return True


def _label(item: Any) -> str:
    kind = getattr(item, "kind", None) or type(item).__name__
    url = str(getattr(item, "url", "") or "?")[:200]
    return f"{kind} {url}"


class ItemSafeLogFormatter(LogFormatter):
    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Scraped %(item)s", "args": {"item": _label(item)}}

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        # Scrapy picks the level: the exception's own (a store refusal says WARNING), else
        # DEFAULT_DROPITEM_LOG_LEVEL, which our settings set to DEBUG — most drops are part
        # of the plan (unchanged page, other language) and the run summary counts them.
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped %(item)s: %(reason)s"
        result["args"] = {"item": _label(item), "reason": str(exception)[:300]}
        return result

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        return {
            "level": logging.ERROR,
            "msg": "Error processing %(item)s",
            "args": {"item": _label(item)},
        }
