"""Fetch a few pages exactly as a crawl would, in their own process, for ``traceur try``.

    python -m crawler.fetch --out DIR URL [URL ...]

Settings come from the configuration and ``TRACEUR_*`` variables, as for a pass. Each
answer's body is written to DIR, and DIR/fetched.json says, per URL, its final address,
status and content type, or the kind of error that stopped it (``forbidden_network``,
``robots``, ``dns``, …). Nothing is stored and no cache is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawler.process import console_logging
from crawler.scrapy_settings import scrapy_settings
from spiders.one_page import OnePageSpider
from traceur.config import load_settings
from traceur.errors import TraceurError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.fetch", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for the answers")
    parser.add_argument("urls", nargs="+", metavar="URL")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except TraceurError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    console_logging()
    conf = scrapy_settings(settings)
    # Trying a page must leave no trace in the crawl's cache, store or state.
    conf.update(ITEM_PIPELINES={}, HTTPCACHE_ENABLED=False, EXTENSIONS={}, LOG_LEVEL="WARNING")
    args.out.mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(conf)
    process.crawl(OnePageSpider, urls=args.urls, out_dir=str(args.out))
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
