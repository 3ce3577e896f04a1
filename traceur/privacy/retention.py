"""How long Traceur keeps what it collects: the ``retention:`` block of the settings.

Each kept thing has a period: documents per kind (``article``, ``forum_post``,
``blog_post``, ``comment``, ``video``), earlier ``versions`` of edited documents, the
``http_cache``, ``logs`` (rotated files, and the lines of live ones), the ``alert_outbox``
and the history of ``runs``. A period is a whole number and a
unit: ``d`` (days), ``w`` (weeks) or ``mo`` (calendar months); hours and minutes are
refused, so that ``6m`` (six minutes, in the watchlist's units) can never be mistaken for
six months and empty the store.

Which date a document's period counts from: the later of its publication date and the
moment Traceur collected it (``fetched_at``). The campaign answers for how long it has
*held* a text, and it began holding a 2019 forum post the day it collected it: counting
from the publication alone would keep nothing of an old thread and re-collect it at every
pass. Counting from collection alone would let a page dated ahead of its fetch (a clock
or time-zone error on the site) go sooner than its own date says. So a document expires
when both dates are past its cutoff; in both stores that is ``sort_at`` (the publication
date, else the collection date) and ``fetched_at`` both older than the cutoff.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from traceur.document import DOCUMENT_KINDS

# What the block holds besides the document kinds.
OTHER_KEYS = ("versions", "http_cache", "logs", "alert_outbox", "runs")
KEYS = DOCUMENT_KINDS + OTHER_KEYS
_PERIOD = re.compile(r"^\s*(\d{1,5})\s*(mo|d|w)\s*$")
# Ten years: as far as the durations of the watchlist go, and far past any defensible
# retention of political opinions.
MAX_DAYS = 3650


@dataclass(frozen=True)
class Period:
    """A retention period: ``months`` calendar months plus ``days`` days."""

    months: int = 0
    days: int = 0

    def cutoff(self, now: datetime) -> datetime:
        """The moment before which what this period keeps has expired."""
        return _months_before(now, self.months) - timedelta(days=self.days)

    def __str__(self) -> str:
        if self.months:
            return f"{self.months}mo"
        return f"{self.days}d"

    def french(self) -> str:
        """The period in words, for the French summary of ``traceur purge``."""
        if self.months:
            return f"{self.months} mois"
        return f"{self.days} jour{'s' if self.days > 1 else ''}"


def _months_before(moment: datetime, months: int) -> datetime:
    """``moment`` ``months`` calendar months earlier, on the same day of the month, or on
    the last day of a shorter month (31 March minus one month is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def parse_period(text: object) -> Period:
    """``"6mo"``, ``"30d"``, ``"2w"`` → a ``Period``; ``ValueError`` says what is accepted."""
    match = _PERIOD.match(str(text)) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"{text!r} is not a retention period; write a whole number and a unit:"
            " d (days), w (weeks) or mo (months), e.g. 30d or 6mo"
        )
    number, unit = int(match.group(1)), match.group(2)
    period = (
        Period(months=number) if unit == "mo" else Period(days=number * (7 if unit == "w" else 1))
    )
    if number < 1 or period.months * 31 + period.days > MAX_DAYS:
        raise ValueError(f"{text!r} is out of range; a retention period goes from 1d to 120mo")
    return period


@dataclass(frozen=True)
class RetentionPolicy:
    """One period per kept thing (see the module docstring)."""

    article: Period
    forum_post: Period
    blog_post: Period
    comment: Period
    video: Period
    versions: Period
    http_cache: Period
    logs: Period
    alert_outbox: Period
    runs: Period

    def for_kind(self, kind: str) -> Period:
        """The period of documents of ``kind`` (one of ``DOCUMENT_KINDS``)."""
        period: Period = getattr(self, kind)
        return period

    def to_text(self) -> str:
        """``article=24mo,forum_post=6mo,...``: the form of ``TRACEUR_RETENTION``."""
        return ",".join(f"{key}={getattr(self, key)}" for key in KEYS)


def parse_policy(
    raw: object, base: RetentionPolicy | None = None, *, from_env: bool = False
) -> RetentionPolicy:
    """A policy from a YAML mapping or (``from_env``) ``key=period,...`` text, on top of
    ``base`` (keys left out keep its periods). ``ValueError`` names the key and the fix."""
    if isinstance(raw, str) and from_env:
        items: dict[str, object] = {}
        for part in raw.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"{part.strip()!r}: write key=period, e.g. forum_post=6mo")
            items[key.strip()] = value.strip()
    elif isinstance(raw, dict):
        items = {str(key): value for key, value in raw.items()}
    else:
        raise ValueError(
            "must be a mapping of periods, one per line (article: 24mo, forum_post: 6mo, ...)"
        )
    periods: dict[str, Period] = {}
    for key, period_text in items.items():
        if key not in KEYS:
            raise ValueError(f"unknown key {key!r}; the keys are {', '.join(KEYS)}")
        try:
            periods[key] = parse_period(period_text)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    missing = [item.name for item in fields(RetentionPolicy) if item.name not in periods]
    if base is None and missing:
        raise ValueError(f"missing periods for {', '.join(missing)}")
    if base is not None:
        periods = {key: periods.get(key, getattr(base, key)) for key in KEYS}
    return RetentionPolicy(**periods)
