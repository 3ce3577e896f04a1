"""How the watchlist loaders report what is wrong: every problem as
``file:line: where: what; fix``, all of them at once."""

from __future__ import annotations

import re
from pathlib import Path

# Ids of candidates, topics, sources and alert rules: what `--candidate` and the stores use.
IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class Problems:
    """Collects the problems of one watchlist file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, line: int, where: str, message: str) -> None:
        self.items.append(f"{self.path}:{line}: {where}: {message}")
