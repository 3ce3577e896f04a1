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


# Characters of a long query shown on each side of the column an error points at.
_CARET_CONTEXT = 40


class TriageConflict(StoreError):
    """A triage change was based on a revision someone else has changed since; the front
    end shows the current triage and lets the user apply the change again."""

    def __init__(self, doc_id: str, expected_revision: int, stored_revision: int) -> None:
        self.doc_id = doc_id
        self.expected_revision = expected_revision
        self.stored_revision = stored_revision
        super().__init__(
            f"triage of document {doc_id} was changed by someone else (revision"
            f" {stored_revision}, the change was based on {expected_revision});"
            " reload the triage and apply the change again"
        )


class QueryError(TraceurError):
    """A query (``traceur search``, a topic's ``query:``) cannot be parsed.

    ``column`` is 1-based; ``expected`` and ``found`` describe the tokens, ``hint`` is an
    optional fix. ``caret()`` shows the query with a caret under the column.
    """

    exit_code = 2

    def __init__(self, query: str, column: int, expected: str, found: str, hint: str = "") -> None:
        self.query = query
        self.column = column
        self.expected = expected
        self.found = found
        self.hint = hint
        message = f"column {column}: expected {expected}, found {found}"
        super().__init__(f"{message}; {hint}" if hint else message)

    def quoted(self) -> str:
        """The query in quotes for a one-line message, cut when it is long."""
        if len(self.query) <= 2 * _CARET_CONTEXT:
            return repr(self.query)
        return repr(self.query[: 2 * _CARET_CONTEXT]) + f"... ({len(self.query)} characters)"

    def caret(self) -> str:
        """Two lines: the query, and a caret under ``column``."""
        # Tabs and line breaks (a query folded over lines in YAML) would shift the caret.
        shown = "".join(" " if ch.isspace() else ch for ch in self.query)
        column = self.column
        if len(shown) > 2 * _CARET_CONTEXT:
            # A hostile query can be thousands of characters long: show the part around the
            # column, marked as cut, and keep the line readable.
            start = max(0, column - 1 - _CARET_CONTEXT)
            end = column - 1 + _CARET_CONTEXT
            before = "…" if start else ""
            shown = before + shown[start:end] + ("…" if end < len(shown) else "")
            column = column - start + len(before)
        return f"{shown}\n{' ' * (column - 1)}^"


class NetworkPolicyError(TraceurError):
    """A URL or address is refused by the network guard."""


class AlertError(TraceurError):
    """An alert could not be evaluated or sent."""


class CrawlError(TraceurError):
    """A collection pass could not run at all (not a per-page failure)."""


class AccountError(TraceurError):
    """A web account or API token cannot be created, found or changed (``traceur users``)."""

    exit_code = 2


class QueueError(TraceurError):
    """The work queue (Redis, ``queue: redis://…``) is unreachable or refuses a command."""
