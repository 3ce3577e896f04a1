"""The ``traceur`` command: the group, its options, and the one place where Traceur's
errors become a message and an exit code. Each command's docstring is its ``--help``.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from traceur import __version__
from traceur.cli.collect import check, run
from traceur.cli.context import CliContext
from traceur.cli.demo import demo
from traceur.cli.es import es, kibana
from traceur.cli.forget import forget_command
from traceur.cli.gdpr import gdpr
from traceur.cli.privacy import purge_command
from traceur.cli.retag import retag
from traceur.cli.schedule import alerts, schedule, status
from traceur.cli.search import export, search
from traceur.cli.trypage import try_page
from traceur.cli.web import users, web
from traceur.cli.worker import worker
from traceur.errors import QueryError, TraceurError, WatchlistError
from traceur.privacy.logfiles import write_crash_log

# Problems of an invalid watchlist printed: the first ones say what to fix, and a hostile
# file could otherwise print one line per value.
_SHOWN_PROBLEMS = 50


def _crash_log(exc: BaseException, ctx: click.Context) -> str:
    """Append ``exc``'s traceback to the crash log (``traceur.privacy.logfiles``: the data
    directory's when the settings can be read); return where it went, for the user."""
    found = ctx.find_object(CliContext)
    data_dir: Path | None = None
    try:
        if found is not None:
            data_dir = Path(found.settings.data_dir)
    except Exception:  # noqa: BLE001 - reading them may be what failed: the fallback then
        data_dir = None
    try:
        path = write_crash_log(exc, sys.argv[1:], data_dir)
    except OSError:
        return "rerun with TRACEUR_LOG_LEVEL=DEBUG to see the details"
    return f"see the log {path} for the details"


def _debugging() -> bool:
    # Read from the environment, not the settings: loading them may be what failed.
    return os.environ.get("TRACEUR_LOG_LEVEL", "").upper() == "DEBUG"


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class _Group(click.Group):
    """Turns Traceur's errors into one clear message and the error's exit code, and anything
    unexpected into one line pointing at the log (the traceback is for the log, not the user).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.exceptions.NoArgsIsHelpError):
            raise
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "traceur"
            click.echo(
                f"error: {_one_line(exc.format_message())} (see `{command} --help`)", err=True
            )
            sys.exit(exc.exit_code)
        except click.ClickException:
            raise
        except WatchlistError as exc:
            for problem in exc.problems[:_SHOWN_PROBLEMS]:
                click.echo(f"error: {problem}", err=True)
            more = len(exc.problems) - _SHOWN_PROBLEMS
            if more > 0:
                click.echo(f"error: ... and {more} more problems; fix these first", err=True)
            sys.exit(exc.exit_code)
        except QueryError as exc:
            click.echo(f"error: {exc}", err=True)
            for line in exc.caret().splitlines():
                click.echo(f"  {line}", err=True)
            sys.exit(exc.exit_code)
        except TraceurError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            # A file or folder the command needed (most are checked where they are used;
            # this is the net under the rest).
            where = f" {exc.filename}" if exc.filename else ""
            reason = exc.strerror or _one_line(str(exc))
            click.echo(
                f"error: cannot use{where} ({reason}); check that the path exists and that"
                f" this user may read and write it ({_crash_log(exc, ctx)})",
                err=True,
            )
            if _debugging():
                traceback.print_exception(exc)
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - the last resort: never a traceback for users
            click.echo(
                f"error: unexpected {type(exc).__name__}: {_one_line(str(exc), 200)};"
                f" this is a bug in Traceur, {_crash_log(exc, ctx)}",
                err=True,
            )
            if _debugging():
                traceback.print_exception(exc)
            sys.exit(1)


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path, readable=False),
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
    worker,
    alerts,
    es,
    kibana,
    web,
    users,
    purge_command,
    gdpr,
    forget_command,
):
    main.add_command(_command)
