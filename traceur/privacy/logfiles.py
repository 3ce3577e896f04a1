"""The log files: rotated by size, at the configured level, and without Scrapy's chatter.

A crawl's log is read by operators, kept for ``retention.logs`` days and copied into
bug reports: it says what happened to which address, never what a page said or who wrote
it. Three guards keep it so, whoever logs:

- the handler itself holds the configured level, so a library that sets its own loggers
  to DEBUG (Scrapy does, for some) still writes nothing below it to the file;
- Scrapy's DEBUG lines (every request, every item scraped, every robots.txt refusal) stay
  out unless ``log_scrapy_debug`` asks for them, even at ``log_level: DEBUG``;
- each file is rotated past ``log_max_bytes`` into ``log_backups`` older files
  (``crawl.log.1`` …), which ``traceur purge`` deletes once past their retention.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from traceur.config import Settings

# Loggers whose DEBUG lines describe the crawl item by item.
_CHATTY = ("scrapy", "twisted", "py.warnings")


class NoCrawlerDebug(logging.Filter):
    """Drops the DEBUG records of Scrapy and Twisted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            return True
        return not any(
            record.name == name or record.name.startswith(name + ".") for name in _CHATTY
        )


def log_file_handler(path: Path, settings: Settings) -> RotatingFileHandler:
    """A handler writing ``path`` as the settings ask (level, rotation, Scrapy's DEBUG).
    The caller sets its formatter and any filter of its own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        path,
        maxBytes=settings.log_max_bytes,
        backupCount=settings.log_backups,
        encoding="utf-8",
    )
    handler.setLevel(settings.log_level.upper())
    if not settings.log_scrapy_debug:
        handler.addFilter(NoCrawlerDebug())
    return handler
