"""Scrapy spiders: they fetch and parse, and never tag, store or alert."""
