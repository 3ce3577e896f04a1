"""The ``traceur`` command: the group, its options, and the one place where Traceur's
errors become a message and an exit code. Each command's docstring is its ``--help``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from traceur import __version__
from traceur.cli.collect import check, run
from traceur.cli.context import CliContext
from traceur.cli.demo import demo
from traceur.cli.es import es, kibana
from traceur.cli.retag import retag
from traceur.cli.schedule import alerts, schedule, status
from traceur.cli.search import export, search
from traceur.cli.trypage import try_page
from traceur.cli.web import users, web
from traceur.errors import QueryError, TraceurError, WatchlistError


class _Group(click.Group):
    """Turns Traceur's errors into one clear message and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WatchlistError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(exc.exit_code)
        except QueryError as exc:
            click.echo(f"error: {exc}", err=True)
            for line in exc.caret().splitlines():
                click.echo(f"  {line}", err=True)
            sys.exit(exc.exit_code)
        except TraceurError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "A YAML file of settings on top of config/traceur.yaml"
        " (environment TRACEUR_* wins over both)."
    ),
)
@click.version_option(__version__, prog_name="traceur")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None) -> None:
    """Traceur: find what the web says about your candidates.

    Polls feeds and crawls news sites, forums and blogs listed in a watchlist, keeps every
    page that mentions a watched candidate or topic, and lets you search it.

    \b
    Start here:
      traceur demo                      # the whole pipeline on the bundled demo web
      traceur check watchlists/example.yaml
      traceur run --watchlist watchlists/example.yaml
      traceur search "tramway" --candidate claire-martin --since 7d
    """
    ctx.obj = CliContext(config_file)


for _command in (
    check,
    run,
    try_page,
    search,
    export,
    demo,
    retag,
    schedule,
    status,
    alerts,
    es,
    kibana,
    web,
    users,
):
    main.add_command(_command)
