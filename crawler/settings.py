"""Scrapy's settings module (scrapy.cfg points here), built from Traceur's configuration,
so `scrapy crawl <spider>` from the repository root crawls exactly as `traceur run` does."""

from crawler.scrapy_settings import scrapy_settings
from traceur.config import load_settings

globals().update(scrapy_settings(load_settings()))
