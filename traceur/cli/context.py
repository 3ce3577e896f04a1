"""What every CLI command shares: the settings, loaded once when first needed, and the
help text of the options several commands take."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from traceur.config import Settings, load_settings

WATCHLIST_HELP = "Watchlist file (default: the `watchlist` setting)."


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
