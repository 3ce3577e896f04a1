"""One collection pass in its own process: the only place that owns a Twisted reactor.

    python -m crawler.process --watchlist W [--source ID ...] [--stats-file F] [--parent-pid P]

Settings come from the configuration and ``TRACEUR_*`` variables (``traceur run``
passes its own settings that way). Each source gets its own crawler, so a dead feed or
a broken site only affects its own counts. Exit code 0 when the pass ran (even with
per-page errors), 2 when the watchlist or the configuration is invalid.

With ``--parent-pid``, the pass stops (SIGTERM: Scrapy's graceful stop) when that parent
dies, so a killed launcher never leaves a crawl running on its own.
"""

from __future__ import annotations

import argparse
import atexit
import ctypes
import gc
import json
import logging
import os
import resource
import signal
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

# Imported here, first: its modules define deprecated aliases through a call that reads the
# whole call stack and scans every loaded module (inspect.stack). Imported by the crawler as
# it starts, deep in its stack and after the parsers' modules, that took a quarter of a
# second of every crawl's start; at the top of the process it is a few milliseconds.
import scrapy.core.downloader.handlers.http11  # noqa: F401  # isort: skip
from scrapy.crawler import CrawlerProcess
from scrapy.utils.log import configure_logging

from crawler import runtime
from crawler.logformat import CappedMessages
from crawler.robots_delay import ROBOTS_UNREACHABLE_STAT
from crawler.scrapy_settings import scrapy_settings
from traceur.config import Settings, load_settings
from traceur.errors import TraceurError
from traceur.privacy.logfiles import log_file_handler
from traceur.privacy.pseudonyms import pseudonyms_for
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Source

# The crawl log, in data_dir (rotated as crawl.log.1, ...; see traceur.privacy.logfiles).
CRAWL_LOG = "crawl.log"
SPIDER_BY_KIND = {
    "feed": "spiders.feed.FeedSpider",
    "sitemap": "spiders.sitemap.SitemapSpider",
    "forum": "spiders.forum.ForumSpider",
    "blog": "spiders.blog.BlogSpider",
    "video": "spiders.video.VideoSpider",
}
DEFAULT_SPIDER = "spiders.site.SiteSpider"
# Net allocations of container objects between two collections of the youngest generation.
YOUNG_GC_THRESHOLD = 20_000


def spider_class(source: Source) -> Any:
    from scrapy.utils.misc import load_object

    return load_object(SPIDER_BY_KIND.get(source.kind, DEFAULT_SPIDER))


def _peak_rss_bytes() -> int:
    """This process's peak resident memory so far.

    Linux's VmHWM is this program's own high-water mark; getrusage's ru_maxrss, the
    fallback elsewhere, keeps the parent's across fork and exec, so a crawl started by a
    big process would report the parent's size."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kibibytes on Linux


def summarise(stats: dict[str, Any]) -> dict[str, Any]:
    prefix_errors = "traceur/errors/"
    prefix_candidates = "traceur/candidates/"
    errors = {
        k[len(prefix_errors) :]: int(v) for k, v in stats.items() if k.startswith(prefix_errors)
    }
    # An exception escaping a spider callback loses that page's items: Scrapy logs it and
    # counts it under spider_exceptions/<name>; the run summary counts it as an error too.
    # (one key per exception class; recent Scrapy adds their total as /count).
    raised = sum(
        int(v)
        for k, v in stats.items()
        if k.startswith("spider_exceptions/") and k != "spider_exceptions/count"
    )
    if raised:
        errors["spider_exception"] = errors.get("spider_exception", 0) + raised
    if stats.get("finish_reason") == "closespider_timeout":
        # The source ran out of its source_deadline: what it found is kept, the rest waits.
        errors["deadline"] = 1
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "new": int(stats.get("traceur/documents/new", 0)),
        "updated": int(stats.get("traceur/documents/updated", 0)),
        "unchanged": int(stats.get("traceur/documents/unchanged", 0)),
        "spooled": int(stats.get("traceur/documents/spooled", 0)),
        "not_documents": int(stats.get("traceur/pages/not_a_document", 0)),
        "robots_skipped": int(stats.get("traceur/skipped/robots", 0)),
        "robots_unreachable": int(stats.get(ROBOTS_UNREACHABLE_STAT, 0)),
        "listings": int(stats.get("traceur/pages/listing", 0)),
        "privacy_skipped": int(stats.get("traceur/privacy/skipped", 0)),
        "too_old": int(stats.get("traceur/privacy/too_old", 0)),
        "errors": errors,
        "candidates": {
            k[len(prefix_candidates) :]: int(v)
            for k, v in stats.items()
            if k.startswith(prefix_candidates)
        },
        # Not Scrapy's memusage/max: it samples once a minute, and reads ru_maxrss.
        "memory_peak_bytes": _peak_rss_bytes(),
        "finish_reason": stats.get("finish_reason", "unknown"),
    }


def console_logging() -> logging.Logger:
    """Scrapy's logging without its root handler, and warnings and up on the terminal;
    returns the root logger."""
    configure_logging({"LOG_INSTALL_ROOT_HANDLER": False})
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("  ! %(message)s"))
    console.addFilter(CappedMessages())
    root = logging.getLogger()
    root.addHandler(console)
    return root


def _configure_logging(settings: Settings) -> None:
    """Everything at the configured level to a log file (rotated by size, without Scrapy's
    DEBUG lines unless asked); warnings and up on the terminal."""
    root = console_logging()
    root.setLevel(settings.log_level.upper())
    # Buffered: a flush after each routine line was 2 to 4 % of an all-304 pass.
    file_handler = log_file_handler(Path(settings.data_dir) / CRAWL_LOG, settings, batched=True)
    file_handler.setFormatter(
        logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    )
    file_handler.addFilter(CappedMessages())
    root.addHandler(file_handler)


def _quiet_scrapy_debug(settings: Settings) -> None:
    """Scrapy's loggers at the level anything of theirs is written at.

    Scrapy sets its logger to DEBUG (``configure_logging``, called by ``CrawlerProcess``):
    every request and every dropped item then made a log record, formatted its message and
    went through the handlers, whose filter threw it away unless ``log_scrapy_debug`` (4 %
    of the event loop's time in an all-304 pass). Below INFO, nothing of Scrapy's is written
    unless both ``log_level: DEBUG`` and ``log_scrapy_debug`` ask for it."""
    level = logging.getLevelName(settings.log_level.upper())
    if not settings.log_scrapy_debug:
        level = max(level, logging.INFO)
    logging.getLogger("scrapy").setLevel(level)


def run_pass(settings: Settings, watchlist_path: Path, source_ids: list[str]) -> dict[str, Any]:
    watchlist = load_watchlist(watchlist_path)
    sources = (
        [watchlist.source(i) for i in source_ids]
        if source_ids
        else [s for s in watchlist.sources if s.enabled]
    )
    # The key of pseudonymised authors, read (or made) once before any crawler starts: a
    # key too short or an unreadable key file stops the pass here, with its fix.
    pseudonyms_for(settings)
    _configure_logging(settings)
    scrapy_conf = scrapy_settings(settings.replace(watchlist=watchlist_path))
    process = CrawlerProcess(scrapy_conf)
    _quiet_scrapy_debug(settings)
    # One runtime for the whole pass: every crawler shares its store connection, and every
    # spider reads the crawl state through it.
    crawlers = []
    shared = runtime.acquire(process.settings, watchlist)
    try:
        for source in sources:
            crawler = process.create_crawler(spider_class(source))
            crawlers.append((source, crawler))
            process.crawl(crawler, source=source, crawl_state=shared.state)
        # What is built so far (modules, settings, the tagger's tables) lives as long as the
        # pass: out of the collector's sight, a full collection no longer walks it again
        # and again (0.15 s of CPU of an all-304 pass of bench_crawl, a third of its GC).
        gc.freeze()
        # A pass allocates container objects by the hundred per page (items, documents, parse
        # records) and frees nearly all of them by reference counting. At the default
        # threshold (700) the young generation was collected about 1,000 times in a first
        # pass of bench_crawl (0.5 s of CPU), at this one about 80 times (0.07 s), for 3 MB more
        # of peak memory at most.
        gc.set_threshold(YOUNG_GC_THRESHOLD)
        process.start()
    finally:
        runtime.release(process.settings)
    return {
        "sources": {source.id: summarise(crawler.stats.get_stats()) for source, crawler in crawlers}
    }


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _stop_with_parent(parent_pid: int) -> bool:
    """Ask the kernel for SIGTERM when the launching process dies (Linux; elsewhere the
    launcher's own signal handling is all there is). False when the parent is already gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    # Checked after the request: a parent that died just before it is seen here.
    return os.getppid() == parent_pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.process", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--watchlist", type=Path, help="watchlist file (default: the configured one)"
    )
    parser.add_argument(
        "--source", action="append", default=[], help="only this source id (repeatable)"
    )
    parser.add_argument("--stats-file", type=Path, help="write the pass summary here as JSON")
    parser.add_argument(
        "--parent-pid", type=int, help="stop when this process (the launcher) is gone"
    )
    args = parser.parse_args(argv)
    if args.parent_pid is not None and not _stop_with_parent(args.parent_pid):
        print(f"error: the launcher (pid {args.parent_pid}) is gone; nothing run", file=sys.stderr)
        return 1
    try:
        settings = load_settings()
        summary = run_pass(settings, args.watchlist or settings.watchlist, args.source)
    except TraceurError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.stats_file:
        args.stats_file.write_text(
            json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
        )
    else:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def exit_without_teardown(code: int) -> NoReturn:
    """End the process as a normal exit would, minus the interpreter's teardown.

    That teardown (modules and every object of the pass released one by one) took 1.5
    to 2 s of CPU after the summary was written, measured between the last exit handler
    and the process's end, while the launcher waited: as long as a whole all-304 pass of
    bench_crawl. What an exit must do is done here first:
    threads joined, exit handlers run (``logging.shutdown`` writes the last log lines),
    standard streams flushed; every SQLite file is closed by then (``run_pass``).
    """
    threading._shutdown()  # type: ignore[attr-defined]  # what exit does before atexit
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_without_teardown(main())
