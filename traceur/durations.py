"""Human durations used in watchlists and on the command line: ``90s``, ``10m``, ``2h``, ``7d``."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
# Ten years: longer than any polling interval, retention or search window Traceur needs, and
# small enough for timedelta, datetime arithmetic and the scheduler's timers (a 20-digit
# `every:` once overflowed them and killed the daemon).
MAX_DURATION_SECONDS = 3650 * 86400
# More digits than any duration within the bound needs; checked before int() so a
# thousand-digit number costs nothing (and never meets Python's int-string limit).
_MAX_DIGITS = len(str(MAX_DURATION_SECONDS))


def parse_duration(text: str) -> int:
    """Return the number of seconds in ``text``; raise ``ValueError`` with the accepted forms.

    A duration is between 1 second and ``MAX_DURATION_SECONDS`` (3650d)."""
    match = _DURATION.match(text)
    digits = match.group(1).lstrip("0") if match else ""
    if not match or not digits:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise ValueError(
            f"{shown!r} is not a duration; write a positive whole number and a unit, "
            "s, m, h, d or w (for example 90s, 10m, 2h, 7d)"
        )
    seconds = int(digits) * _UNITS[match.group(2)] if len(digits) <= _MAX_DIGITS else None
    if seconds is None or seconds > MAX_DURATION_SECONDS:
        shown = f"{digits[:12]}...{match.group(2)}" if len(digits) > 15 else text.strip()
        raise ValueError(
            f"{shown!r} is too long; a duration goes from 1s to"
            f" {format_duration(MAX_DURATION_SECONDS)} (ten years)"
        )
    return seconds


def format_duration(seconds: int) -> str:
    """The shortest exact form of ``seconds`` (``600`` → ``10m``)."""
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"
