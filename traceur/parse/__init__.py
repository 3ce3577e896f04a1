"""Pure page parsers: bytes and text in, frozen records out.

Articles (main-content extraction), forum threads and boards, blog posts and their
comments, video pages and captions, sitemaps, charsets and dates. Nothing here fetches,
tags, stores or alerts: the spiders fetch and call these; ``traceur.enrich`` turns their
records into documents.
"""
