"""Traceur: a web-monitoring (veille) crawler and watch pipeline.

The core package: configuration, watchlists, extraction, tagging, stores and the
CLI. It never imports Scrapy; the Scrapy side lives in ``crawler``, ``spiders``
and ``pipelines``.
"""

__version__ = "0.1.0"
