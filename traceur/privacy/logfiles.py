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

import atexit
import logging
import os
import tempfile
import time
import traceback
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

from traceur.config import Settings

# Where the traceback of an unexpected error goes (``traceur.cli.app``): in the data
# directory, with the rest of what Traceur keeps, so that retention and erasure reach it
# (a traceback may quote a page, and the command line names what was searched or
# forgotten). Only when the settings cannot be read or the data directory cannot be
# written (then the data directory is unknown, or is what failed) does it fall back on
# the temporary folder, where `traceur purge` and `traceur forget` look for it too.
CRASH_LOG_NAME = "crash.log"


def fallback_crash_log() -> Path:
    return Path(tempfile.gettempdir()) / "traceur-errors.log"


def write_crash_log(exc: BaseException, command: list[str], data_dir: Path | None) -> Path:
    """Append ``exc``'s traceback to the crash log (``data_dir``'s, else the fallback);
    return the file written. Each entry starts with the local time, as log lines do, so
    ``traceur purge`` removes it once past ``retention.logs``. ``OSError`` if neither can
    be written."""
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    entry = f"{when} --- traceur {' '.join(command)}\n" + "".join(traceback.format_exception(exc))
    places = [data_dir / CRASH_LOG_NAME] if data_dir is not None else []
    for path in [*places, fallback_crash_log()]:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # 0600: readable by this user only, like the keys beside it.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError:
            if path == fallback_crash_log():
                raise
            continue
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(entry)
        return path
    raise OSError("no crash log could be written")  # not reached: the fallback raised


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


# Longest a line below WARNING waits in a batched log file's buffer.
LOG_FLUSH_SECONDS = 1.0


class BatchedFileHandler(RotatingFileHandler):
    """A rotated log file written through its buffer: flushed for a warning or worse at
    once, for the rest at most LOG_FLUSH_SECONDS later (at the next line) and when closed.

    A crawl logs lines per page, and a flush (a write system call) after each was 2 to 4 %
    of an all-304 pass. What a killed crawl can lose is its last second of routine lines,
    never an error.
    """

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self._urgent = False
        self._flushed_at = time.monotonic()
        # logging.shutdown, at exit, does not know this handler: Scrapy's logging set-up
        # (dictConfig) forgets every handler made before it, and this one is.
        atexit.register(self.close)

    def emit(self, record: logging.LogRecord) -> None:
        self._urgent = record.levelno >= logging.WARNING
        super().emit(record)

    def flush(self) -> None:
        now = time.monotonic()
        if self._urgent or now - self._flushed_at >= LOG_FLUSH_SECONDS:
            super().flush()
            self._flushed_at = now

    def close(self) -> None:
        self._urgent = True  # every line written before the file is closed
        super().close()


def log_file_handler(
    path: Path, settings: Settings, *, batched: bool = False
) -> RotatingFileHandler:
    """A handler writing ``path`` as the settings ask (level, rotation, Scrapy's DEBUG),
    through its buffer when ``batched``. The caller sets its formatter and any filter of
    its own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = (
        BatchedFileHandler(path, settings.log_max_bytes, settings.log_backups)
        if batched
        else RotatingFileHandler(
            path,
            maxBytes=settings.log_max_bytes,
            backupCount=settings.log_backups,
            encoding="utf-8",
        )
    )
    handler.setLevel(settings.log_level.upper())
    if not settings.log_scrapy_debug:
        handler.addFilter(NoCrawlerDebug())
    return handler
