"""Scrapy item pipelines: thin adapters, each calling one core function."""
