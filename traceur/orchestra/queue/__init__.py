"""Past one machine: the work queue on Redis (``queue: redis://…``).

- ``connection``: the Redis client of the settings, and the house's key names.
- ``leases``: keys that expire unless their holder renews them (the scheduler leader's,
  a running source's lock, a running job's heartbeat), renewed by a thread, which also
  tells a holder when to stop its crawl before they can lapse.
- ``sourcelease``: the sources' leases a ``traceur run`` takes, the ones the workers take.
- ``slots``: ``RedisHostSlots``, the per-host politeness slots every worker shares.
- ``crawlstate``: ``RedisCrawlState``, what earlier passes did (seen entries, thread
  progress, page memos, revisions), whichever worker ran them.
- ``passes``: one job per source pass (idempotent ids per source and time slot), the job
  function the workers run (``collect``, as ``traceur run`` does), and the taking again
  of jobs whose worker died.
- ``leader``: what the elected scheduler does at each tick.
- ``worker``: ``traceur worker``, an RQ worker that survives a Redis restart.

Without a queue none of this is imported: everything runs on one machine.
"""
