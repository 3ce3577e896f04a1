"""Traceur's exceptions. Only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class TraceurError(Exception):
    """Base class of every error Traceur raises on purpose."""

    exit_code = 1


class ConfigError(TraceurError):
    """The configuration (file or environment) is invalid."""

    exit_code = 2


class WatchlistError(TraceurError):
    """A watchlist is invalid. ``problems`` holds one line per problem."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class StoreError(TraceurError):
    """The document store cannot be opened, read or written."""


class NetworkPolicyError(TraceurError):
    """A URL or address is refused by the network guard."""


class AlertError(TraceurError):
    """An alert could not be evaluated or sent."""


class CrawlError(TraceurError):
    """A collection pass could not run at all (not a per-page failure)."""
