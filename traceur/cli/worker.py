"""``traceur worker``: take source passes from the work queue."""

from __future__ import annotations

import sys

import click

from traceur.cli.context import require_writable_data_dir, settings_of
from traceur.errors import QueueError

# The workers' log in their data directory (the scheduler's is schedule.log).
WORKER_LOG = "worker.log"


@click.command()
@click.option(
    "--burst",
    is_flag=True,
    help="Stop when the queue is empty instead of waiting for jobs (benchmarks, batch runs).",
)
@click.pass_context
def worker(ctx: click.Context, burst: bool) -> None:
    """Take source passes from the work queue and collect them, until stopped.

    Needs a queue (queue: redis://host:6379/0, or TRACEUR_QUEUE), the same one as the
    scheduler's: `traceur schedule` enqueues one job per source pass, and any number of
    workers, on any machines, run them. Each pass is collected exactly as `traceur run`
    does (a crawl in a child process, into the configured store, recorded in this data
    directory's run history and sent to the scheduler's). Two workers never collect one
    source at once, and a host's crawl delay holds across all of them. A worker killed
    in the middle of a pass loses nothing: another one takes the job again within
    queue_lease seconds. SIGTERM or Ctrl-C stops it after its current pass; Redis
    restarted, it reconnects by itself. Log: DATA_DIR/worker.log.

    \b
    Examples:
      TRACEUR_QUEUE=redis://queue.example.org:6379/0 traceur worker
      traceur --config prod.yaml worker --burst      # empty the queue, then stop
    """
    from traceur.orchestra.queue.worker import serve_worker
    from traceur.orchestra.scheduler import configure_logging

    settings = settings_of(ctx)
    if not settings.queue:
        raise QueueError(
            "`traceur worker` needs a work queue; set queue: redis://host:6379/0 in the"
            " configuration (or TRACEUR_QUEUE), the same as the scheduler's"
        )
    require_writable_data_dir(settings)
    configure_logging(settings, WORKER_LOG)
    sys.exit(serve_worker(settings, burst=burst))
