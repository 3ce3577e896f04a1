"""Dates as pages write them: ISO 8601, unix timestamps, and the French (or English)
forms forums and bylines print ("sam. 21 nov. 2026 09:30", "Hier à 18:05",
"il y a 3 heures"). Everything comes out as an aware UTC datetime, or None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import lxml.html

from traceur.document import to_utc
from traceur.parse.html import spaced_text, squash

# The repeated-block finder's building blocks; see _post_chain for why the finder
# itself (which keeps only the innermost level) is not enough here.
from traceur.textnorm import fold_plain

PARIS = ZoneInfo("Europe/Paris")


_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "january": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "feb": 2,
    "february": 2,
    "mars": 3,
    "mar": 3,
    "march": 3,
    "avril": 4,
    "avr": 4,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "jun": 6,
    "june": 6,
    "juillet": 7,
    "juil": 7,
    "jul": 7,
    "july": 7,
    "aout": 8,
    "aou": 8,
    "aug": 8,
    "august": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "september": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Matched on folded text (lower case, no accents, straight apostrophes).
# "il y a 3 heures": seconds per unit (a month as 30 days, a year as 365: these are
# the rounded ages engines print, never exact dates).
_AGO_SECONDS = {
    "seconde": 1,
    "minute": 60,
    "min": 60,
    "heure": 3600,
    "h": 3600,
    "jour": 86400,
    "semaine": 604800,
    "mois": 2592000,
    "an": 31536000,
    "annee": 31536000,
}
_AGO_UNITS = "|".join(sorted(_AGO_SECONDS, key=len, reverse=True))


def _ago_amount(word: str) -> int:
    return {"un": 1, "une": 1, "quelques": 2}.get(word) or int(word)


_DATE_PATTERNS = (
    (
        "iso",
        re.compile(
            r"\b(\d{4})-(\d{2})-(\d{2})"
            r"(?:[t ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(z|[+-]\d{2}:?\d{2})?"
        ),
    ),
    ("numeric", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")),
    ("text", re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\b\.?,?\s+(\d{{4}})\b")),
    # "21 nov. à 18:42": the current year is implied (XenForo, Discourse).
    (
        "text_no_year",
        re.compile(
            rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\b\.?(?!\.?,?\s*\d{{4}})(?=\s*(?:,|a|-)?\s*\d{{1,2}}\s*[h:])"
        ),
    ),
    ("relative", re.compile(r"\b(aujourd'hui|avant-hier|hier|today|yesterday)\b")),
    # "Jeudi à 18:42": the last such day of the past week (only with a time, so that
    # "sam. 21 nov. 2026" stays a full date).
    (
        "weekday",
        re.compile(
            r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s*(?=(?:,|a)\s*\d{1,2}\s*[h:])"
        ),
    ),
    (
        "ago",
        re.compile(
            # bbPress and WordPress add a second unit: "il y a 1 semaine et 3 jours"
            # (Kunena without the "et").
            rf"\bil y a\s+(\d+|une?|quelques)\s+({_AGO_UNITS})s?\b"
            rf"(?:\s*(?:et|,)?\s*(\d+|une?)\s+({_AGO_UNITS})s?\b)?"
        ),
    ),
)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_TIME = re.compile(
    # "12 mars 2026 • 14:05", "… | 14h05": bylines set the time apart with a bullet or a bar.
    r"^\s*(?:,|a|-|@|at|vers|\u2022|\u00b7|\|)?\s*,?\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?"
    r"(?:\s*:\s*(\d{2}))?(?!\d)"
)
_ISO_START = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")


def parse_iso(value: str | None, tz: tzinfo = PARIS) -> datetime | None:
    """ISO 8601 → aware UTC; a value without zone is local time in ``tz`` (the site's)."""
    if not value or not _ISO_START.match(value):
        return None
    # "2026-03-12 14:05:00 +0100": no space may stand before the offset for fromisoformat.
    text = re.sub(r"\s+(?=[+-]\d\d:?\d\d$|[Zz]$)", "", value.strip()).replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz))


def parse_iso_utc(value: str | None) -> datetime | None:
    """An ISO 8601 metadata value; without a zone, it is taken as UTC."""
    return parse_iso(value, UTC)


def from_timestamp(value: str | int | float | None) -> datetime | None:
    """Unix time in seconds (or milliseconds, as Blogger writes it) → aware UTC."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e11:
        number /= 1000
    if number < 1e8:  # before 1973: not a post date, a number that happens to be there
        return None
    return to_utc(datetime.fromtimestamp(number, tz=UTC))


def parse_french_date(
    text: str | None, now: datetime | None = None, tz: ZoneInfo = PARIS
) -> datetime | None:
    """A date as a French (or English) forum prints it → aware UTC, else None.

    "sam. 21 nov. 2026 09:30", "21/11/2026, 09h30", "5 novembre 2026 à 22 h 40",
    "Hier à 18:05", "Aujourd'hui, 08h12", "il y a 3 heures", "2026-11-21 09:30".
    The local time is in ``tz`` (Europe/Paris unless the site says otherwise);
    relative dates count from ``now`` (default: the current time). The first date
    in ``text`` wins."""
    found = find_french_dates(text, now, tz)
    return found[0] if found else None


# An RFC 822 date written through a French locale ("mar., 17 nov. 2026 14:05:00 +0100"):
# homemade feeds print it so, and feedparser reads English names only.
_LOCALISED_822 = re.compile(
    r"^\s*(?:[a-z]+\.?,?\s+)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:([+-])(\d{2}):?(\d{2})|(gmt|ut|utc|z)|(cet|cest))?\s*$"
)


def parse_feed_date(text: str | None, tz: ZoneInfo = PARIS) -> datetime | None:
    """A feed entry's date that feedparser could not read → aware UTC, else None: RFC 822
    with French day and month names and its offset (a zone name: GMT/UTC, or CET/CEST
    read as Paris time), else any date :func:`parse_french_date` reads, in ``tz``."""
    if not text:
        return None
    match = _LOCALISED_822.match(fold_plain(squash(text)).lower())
    if match is None or match.group(2) not in _MONTHS:
        return parse_french_date(text, tz=tz)
    day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    hour, minute, second = int(match.group(4)), int(match.group(5)), int(match.group(6) or 0)
    try:
        local = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if match.group(7):
        offset = timedelta(hours=int(match.group(8)), minutes=int(match.group(9)))
        return (local - offset if match.group(7) == "+" else local + offset).replace(tzinfo=UTC)
    if match.group(10):
        return local.replace(tzinfo=UTC)
    return to_utc(local.replace(tzinfo=tz))


def find_french_dates(
    text: str | None, now: datetime | None = None, tz: ZoneInfo = PARIS
) -> list[datetime]:
    """Every date :func:`parse_french_date` understands in ``text``, in reading order."""
    return [found.when for found in scan_french_dates(text, now, tz)[1]]


@dataclass(frozen=True)
class FoundDate:
    """One date read in a text: when, where it starts in the folded text, and whether
    the text gave its time of day (a bare "12 mars 2026" does not)."""

    when: datetime
    start: int
    has_time: bool


def scan_french_dates(
    text: str | None, now: datetime | None = None, tz: ZoneInfo = PARIS
) -> tuple[str, list[FoundDate]]:
    """The folded text (lower case, no accents) and every date read in it, in reading
    order, with its offset there: a caller can read the words before each date
    ("publié le", "mis à jour le")."""
    if not text:
        return "", []
    folded = fold_plain(squash(text))
    matches: list[tuple[int, str, re.Match[str]]] = []
    for kind, pattern in _DATE_PATTERNS:
        matches.extend((match.start(), kind, match) for match in pattern.finditer(folded))
    matches.sort(key=lambda item: item[0])
    dates: list[FoundDate] = []
    covered = -1
    for start, kind, match in matches:
        if start < covered:  # "2026-11-21" is also "11-21"…: one reading per span
            continue
        covered = match.end()
        read = _date_from(folded, kind, match, now, tz)
        if read is not None:
            dates.append(FoundDate(read[0], start, read[1]))
    return folded, dates


def _date_from(
    folded: str, kind: str, match: re.Match[str], now: datetime | None, tz: ZoneInfo
) -> tuple[datetime, bool] | None:
    """The date ``match`` reads, and whether it carries a time of day."""
    if kind == "iso":
        stamp = parse_iso(match.group(0), tz)
        return (stamp, match.group(4) is not None) if stamp else None
    local_now = (now or datetime.now(UTC)).astimezone(tz)
    if kind == "ago":
        parts = [(match.group(1), match.group(2))]
        if match.group(3):
            parts.append((match.group(3), match.group(4)))
        back = sum(_ago_amount(amount) * _AGO_SECONDS[unit] for amount, unit in parts)
        smallest = min(_AGO_SECONDS[unit] for _, unit in parts)
        return to_utc(local_now - timedelta(seconds=back)), smallest < 86400
    if kind == "relative":
        back = {"aujourd'hui": 0, "today": 0, "hier": 1, "yesterday": 1, "avant-hier": 2}[
            match.group(1)
        ]
        day = (local_now - timedelta(days=back)).date()
        year, month, dom = day.year, day.month, day.day
    elif kind == "weekday":
        back = (local_now.weekday() - _WEEKDAYS.index(match.group(1))) % 7
        day = (local_now - timedelta(days=back)).date()
        year, month, dom = day.year, day.month, day.day
    elif kind == "text_no_year":
        dom, month, year = int(match.group(1)), _MONTHS[match.group(2)], local_now.year
        if (month, dom) > (local_now.month, local_now.day):
            year -= 1  # "28 déc." read in January is last year's
    elif kind == "numeric":
        dom, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if year < 100:
            year += 2000
    else:
        dom, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    hour = minute = second = 0
    clock = _TIME.match(folded[match.end() :])
    if clock and int(clock.group(1)) < 24:
        hour, minute, second = (
            int(clock.group(1)),
            int(clock.group(2) or 0),
            int(clock.group(3) or 0),
        )
    try:
        local = datetime(year, month, dom, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None
    return to_utc(local), bool(clock and int(clock.group(1)) < 24)


TIMESTAMP_ATTRS = ("data-timestamp", "data-time", "data-unix", "data-epoch")
_ISO_ATTRS = ("datetime", "content", "title", "data-datetime", "data-date")


def machine_date(element: lxml.html.HtmlElement) -> datetime | None:
    """The first machine-readable date on ``element`` or inside it: unix timestamps
    (``data-time`` in XenForo 2.1, ``data-timestamp``), then ISO attributes
    (``<time datetime>``, ``<abbr title>``, ``<meta content>``)."""
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in TIMESTAMP_ATTRS:
            value = (node.get(attr) or "").strip()
            # XenForo 2.2 reuses data-time for "18:42"; only long digit runs are unix times.
            if len(value) >= 9 and value.isdigit():
                stamp = from_timestamp(value)
                if stamp:
                    return stamp
        for attr in _ISO_ATTRS:
            stamp = parse_iso(node.get(attr))
            if stamp:
                return stamp
    return None


def element_date(
    elements: Iterable[lxml.html.HtmlElement], now: datetime | None = None
) -> datetime | None:
    """Machine-readable date first, then the printed French date, over ``elements``."""
    elements = list(elements)
    for element in elements:
        stamp = machine_date(element)
        if stamp:
            return stamp
    for element in elements:
        stamp = parse_french_date(spaced_text(element), now)
        if stamp:
            return stamp
    return None
