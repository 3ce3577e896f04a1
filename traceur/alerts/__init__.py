"""Evaluating alert rules and delivering their emails and chat messages. The rules
themselves are part of the watchlist (:mod:`traceur.watchlist.rules`); the query language is
:mod:`traceur.enrich.query`.

- ``outbox``: durable state (watermarks, what was alerted, queued messages) in
  ``DATA_DIR/alerts.db``;
- ``evaluate``: turns new documents and run history into queued messages, exactly once per
  (rule, document or cluster);
- ``pacing``: when an immediate rule's held matches go (batch, story-cluster cooldown with
  "+N reprises", hourly limit rolling into a digest);
- ``quiet``: quiet hours, holding a rule's messages until the period ends;
- ``health``: the "de nouveau opérationnelle" notice closing a source-health episode;
- ``render``: Jinja2 templates (autoescaped) into plain-text + HTML emails, and the short
  plain-text version chat channels receive;
- ``smtp``: sends the queue's emails with STARTTLS/TLS and retries with backoff;
- ``channels``: sends the queue's chat and webhook messages through Apprise, the same way;
- ``service``: one evaluation and delivery round, as ``traceur run`` and ``traceur alerts`` use it.

This package never imports Scrapy; it reads documents from the store, not from the crawl.
"""
