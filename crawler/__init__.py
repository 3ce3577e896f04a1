"""The Scrapy edge of Traceur: settings, downloader middlewares, the DNS guard and the
process that runs one collection pass. The core (``traceur``) never imports this."""
