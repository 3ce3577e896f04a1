"""What every CLI command shares: the settings, loaded once when first needed, and the
help text of the options several commands take."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import click

from traceur.config import Settings, load_settings
from traceur.errors import ConfigError

WATCHLIST_HELP = "Watchlist file (default: the `watchlist` setting)."
# Watchlist and settings paths are declared click.Path(readable=False) in every command:
# the loaders themselves say that a file cannot be read, on one line, with the fix.


@dataclass
class CliContext:
    config_file: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file)
        return self._settings


def settings_of(ctx: click.Context) -> Settings:
    """The settings of the ``traceur`` invocation ``ctx`` belongs to."""
    found = ctx.find_object(CliContext)
    if found is None:
        raise click.UsageError("no Traceur context; run these commands through `traceur`")
    return found.settings


def data_dir_problem(settings: Settings) -> str:
    """Why this user cannot keep state in ``data_dir`` (created if missing), or ``""``."""
    folder = Path(settings.data_dir)
    fix = "set data_dir (or TRACEUR_DATA_DIR) to a folder this user may write in"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"data_dir: cannot create {folder} ({exc.strerror or exc}); {fix}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"data_dir: this user may not write in {folder}; {fix}"
    return ""


def require_writable_data_dir(settings: Settings) -> None:
    """Refuse, on one line, to start a command that keeps state (run, schedule, retag,
    alerts run) in a data directory it cannot write: checked before any work is done."""
    problem = data_dir_problem(settings)
    if problem:
        raise ConfigError(problem)
