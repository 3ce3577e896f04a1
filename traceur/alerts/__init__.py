"""Alert rules and the emails they send.

- ``rules``: the typed rules of a watchlist's ``alerts:`` section, validated with file:line errors;
- ``query``: the search syntax of ``traceur search``, matched against one document;
- ``outbox``: durable state (watermarks, what was alerted, queued messages) in ``DATA_DIR/alerts.db``;
- ``evaluate``: turns new documents and run history into queued messages, exactly once per
  (rule, document or cluster);
- ``render``: Jinja2 templates (autoescaped) into plain-text + HTML emails;
- ``smtp``: sends the queue with STARTTLS/TLS and retries with backoff.

This package never imports Scrapy; it reads documents from the store, not from the crawl.
"""
