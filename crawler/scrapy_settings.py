"""Traceur settings → Scrapy settings, in one place.

Scrapy's own defaults are not a polite crawler's (robots.txt ignored, 1 GiB responses,
180 s timeouts, retries without backoff); everything is set here explicitly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from traceur.config import Settings


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "BOT_NAME": "traceur",
        "SPIDER_MODULES": ["spiders"],
        "NEWSPIDER_MODULE": "spiders",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": settings.obey_robots,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.max_page_bytes,
        "DOWNLOAD_WARNSIZE": settings.max_page_bytes // 2,
        # Delay, per-host concurrency and throttling hold across every crawl of a pass and
        # every pass at once: crawler.politeness books each request in the host's shared
        # slot. Scrapy's own delay and AutoThrottle, per crawler, would only add waits the
        # other crawls do not see.
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.concurrent_per_domain,
        # Scrapy runs a page's output through this many asyncio tasks, all created for every
        # response however little it yields (100 by default: 101 tasks per page, the largest
        # cost of an all-304 pass). A page gives one document, its comments and a few new
        # links; its blocking work (the store) already runs in threads, across 16 pages.
        "CONCURRENT_ITEMS": 4,
        "TRACEUR_DOWNLOAD_DELAY": settings.download_delay,
        "TRACEUR_CONCURRENT_PER_HOST": settings.concurrent_per_domain,
        "TRACEUR_AUTOTHROTTLE": settings.autothrottle,
        "RETRY_ENABLED": settings.retry_times > 0,
        "RETRY_TIMES": settings.retry_times,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "REDIRECT_MAX_TIMES": 5,
        # A meta refresh can point anywhere; the guard checks it like any request.
        "METAREFRESH_ENABLED": True,
        # Cookies would follow the crawler between sites; a veille crawler needs none.
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Request and response sizes per method and status: nothing reads them (the run
        # summary counts pages from the engine's stats), and they cost a rebuilt HTTP
        # request text per request.
        "DOWNLOADER_STATS": False,
        "STATS_CLASS": "crawler.stats.PlainStatsCollector",
        # A crawler has no business listening on a port.
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_INSTALL_ROOT_HANDLER": False,
        # Only the web: no file:, data:, ftp: or s3: from a crawled page, whatever the guard says.
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "ftp": None, "s3": None},
        # Resolves A and AAAA records and checks every address (Scrapy's default resolver
        # is IPv4-only, so IPv6 sites could not be reached).
        "TWISTED_DNS_RESOLVER": "crawler.resolver.GuardedResolver",
        "DOWNLOADER_MIDDLEWARES": {
            # First: stamps the source's deadline that the politeness wait respects.
            "crawler.deadline.SourceDeadlineMiddleware": 40,
            "crawler.middlewares.NetworkGuardMiddleware": 50,
            "crawler.middlewares.ProxyMiddleware": 60,
            # http_proxy, https_proxy and no_proxy from the environment are never used.
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
            "crawler.middlewares.EnvironmentFreeProxyMiddleware": 750,
            # After every middleware that may set a proxy, before the cache and the network.
            "crawler.middlewares.ProxiedHostGuardMiddleware": 760,
            "crawler.robots_delay.CrawlDelayMiddleware": 110,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.retry.BackoffRetryMiddleware": 550,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "crawler.redirect.LoopAwareMetaRefreshMiddleware": 580,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "crawler.redirect.LoopAwareRedirectMiddleware": 600,
            # First to see a response: a charset no codec can decode is replaced before the
            # cache stores it or the meta-refresh middleware reads its text.
            "crawler.charset.CharsetGuardMiddleware": 940,
            # Last before the network: a cached answer or a refused request books nothing.
            "crawler.politeness.HostPolitenessMiddleware": 950,
        },
        "TRACEUR_RETRY_BACKOFF": settings.retry_backoff,
        "TRACEUR_MAX_RETRY_AFTER": settings.max_retry_after,
        # Conditional requests: pages are kept and revalidated with ETag/Last-Modified.
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_POLICY": "crawler.httpcache.AlwaysRevalidatePolicy",
        # With a work queue, in its Redis: a page another worker fetched is asked conditionally.
        "HTTPCACHE_STORAGE": "crawler.httpcache."
        + ("SharedCacheStorage" if settings.queue else "CompactCacheStorage"),
        "HTTPCACHE_DIR": str((settings.data_dir / "httpcache").resolve()),
        # The shared cache's entries expire with the retention period of the cache files.
        "TRACEUR_HTTP_CACHE_SECONDS": int(
            (now - settings.retention.http_cache.cutoff(now)).total_seconds()
        ),
        "ITEM_PIPELINES": {
            "pipelines.unchanged.UnchangedPipeline": 50,
            "pipelines.extract.ExtractPipeline": 100,
            "pipelines.document.DocumentPipeline": 200,
            "pipelines.forgotten.ForgottenPipeline": 210,
            "pipelines.language.LanguagePipeline": 250,
            "pipelines.tag.TagPipeline": 300,
            "pipelines.cluster.ClusterPipeline": 350,
            "pipelines.store.StorePipeline": 400,
            "pipelines.seen.SeenEntriesPipeline": 500,
        },
        "EXTENSIONS": {"crawler.progress.Progress": 500},
        "SPIDER_MIDDLEWARES": {
            # Depth travels in the spiders' cb_kwargs (limits.max_depth), not in Scrapy's
            # meta: its depth middleware only kept a statistic, one more asynchronous
            # generator around every page's output.
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            # A warning for spiders that copy response.meta into new requests; ours never do.
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "LOG_LEVEL": settings.log_level.upper(),
        # Items are logged by address and kind, never by content (a page, a post's author).
        "LOG_FORMATTER": "crawler.logformat.ItemSafeLogFormatter",
        "DEFAULT_DROPITEM_LOG_LEVEL": "DEBUG",
        "FEED_EXPORT_ENCODING": "utf-8",
        # Scrapy reads a callback's source with ast on every response to warn about a
        # `return value` in a generator: its cache is keyed by the bound method, a new
        # object each time, so the check ran per page (3 % of an all-304 pass). It only
        # warns about our own spiders' code, which their tests run.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # Traceur's own settings, read by the components in from_crawler.
        "TRACEUR_STORE": settings.store,
        "TRACEUR_DATA_DIR": str(settings.data_dir),
        # With a work queue, the politeness slots live in its Redis (every worker's crawls).
        "TRACEUR_QUEUE": settings.queue or "",
        "TRACEUR_WATCHLIST": str(settings.watchlist),
        "TRACEUR_ALLOW_NETWORKS": list(settings.allow_networks),
        "TRACEUR_HTTP_PROXY": settings.http_proxy or "",
        "TRACEUR_PROXY_ENFORCES_POLICY": settings.proxy_enforces_policy,
        "TRACEUR_MAX_PAGES": settings.max_pages,
        "TRACEUR_MAX_DEPTH": settings.max_depth,
        "TRACEUR_MAX_SITEMAP_ENTRIES": settings.max_sitemap_entries,
        "TRACEUR_MAX_TEXT_CHARS": settings.max_text_chars,
        "TRACEUR_MAX_CRAWL_DELAY": settings.max_crawl_delay,
        # Each source has its own crawler: Scrapy's close-spider timeout is its deadline.
        "CLOSESPIDER_TIMEOUT": settings.source_deadline,
        "TRACEUR_MIN_TEXT_CHARS": settings.min_text_chars,
        "TRACEUR_SNIPPET_CHARS": settings.snippet_chars,
        "TRACEUR_MAX_SNIPPETS": settings.max_snippets,
        "TRACEUR_PSEUDONYMIZE_AUTHORS": settings.pseudonymize_authors,
        # Feeds and sitemaps skip entries already past their kind's period (spiders/base.py).
        "TRACEUR_RETENTION": settings.retention.to_text(),
    }
