"""The ``traceur`` command line: click commands that parse their options, call the core
and print what it returns. Nothing below this package decides anything."""

from traceur.cli.app import main

__all__ = ["main"]
