"""French formatting for the volunteers' pages: dates in Paris time with the zone, relative
times, numbers, plurals and the labels of document kinds and triage states.

Volunteers read French and live in Paris time; documents are stored in UTC. Every date a
page shows goes through ``date_paris`` so the zone is always written out (a volunteer in a
time zone other than Paris, or reading during the DST switch, must not guess).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# Thousands separator of French typography: a narrow no-break space (U+202F), which never
# lets "12 345" break across two lines.
NNBSP = "\u202f"

_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc.")  # fmt: skip
_MONTHS_LONG = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre")  # fmt: skip
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

KIND_LABELS = {
    "article": "Article",
    "forum_post": "Message de forum",
    "blog_post": "Billet de blog",
    "comment": "Commentaire",
    "video": "Vidéo",
}
KIND_PLURALS = {
    "article": "Articles",
    "forum_post": "Messages de forum",
    "blog_post": "Billets de blog",
    "comment": "Commentaires",
    "video": "Vidéos",
}
# Stored values (traceur.store TRIAGE_STATES) → what a volunteer reads.
TRIAGE_LABELS = {
    "nouveau": "nouveau",
    "vu": "vu",
    "a_traiter": "à traiter",
    "traite": "traité",
    "ignore": "ignoré",
}
TRIAGE_ORDER = tuple(TRIAGE_LABELS)


def paris(value: datetime) -> datetime:
    """``value`` in Paris time (a naive value is taken as UTC, as the store writes them)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS)


def zone_label(local: datetime) -> str:
    """``heure de Paris, UTC+1`` (winter) or ``UTC+2`` (summer) for a Paris datetime."""
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    shown = f"{hours}" if rest == 0 else f"{hours}:{rest:02d}"
    return f"heure de Paris, UTC{sign}{shown}"


def date_short(day: date) -> str:
    """``3 déc. 2026`` (``1er`` for the first of the month, as French writes it)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS[day.month - 1]} {day.year}"


def date_long(day: date) -> str:
    """``jeudi 3 décembre 2026``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{_WEEKDAYS[day.weekday()]} {number} {_MONTHS_LONG[day.month - 1]} {day.year}"


def date_paris(value: datetime | None, *, zone: bool = True) -> str:
    """``3 déc. 2026, 14:05 (heure de Paris, UTC+1)``; ``date inconnue`` for None."""
    if value is None:
        return "date inconnue"
    local = paris(value)
    text = f"{date_short(local.date())}, {local:%H:%M}"
    return f"{text} ({zone_label(local)})" if zone else text


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """``à l'instant``, ``il y a 5 min``, ``il y a 3 h``, ``hier``, ``il y a 4 jours``; a date
    further back than a month is written out (a relative "il y a 97 jours" says little)."""
    if value is None:
        return "date inconnue"
    now = now or datetime.now(UTC)
    delta = paris(now) - paris(value)
    seconds = int(delta.total_seconds())
    if seconds < 0:
        # A publication date slightly in the future (a site's clock, a scheduled post).
        return "à venir"
    if seconds < 60:
        return "à l'instant"
    if seconds < 3600:
        return f"il y a {seconds // 60} min"
    if seconds < 86400:
        return f"il y a {seconds // 3600} h"
    days = (paris(now).date() - paris(value).date()).days
    if days <= 1:
        return "hier"
    if days <= 31:
        return f"il y a {days} jours"
    return f"le {date_short(paris(value).date())}"


def number(value: int | float) -> str:
    """``12 345`` with a narrow no-break space; decimals with a comma (``3,5``)."""
    if isinstance(value, float) and not value.is_integer():
        whole, _, decimals = f"{value:,.1f}".partition(".")
        return whole.replace(",", NNBSP) + "," + decimals
    return f"{int(value):,}".replace(",", NNBSP)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``0 document``, ``1 document``, ``4 documents`` (French: 0 and 1 take the singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def triage_label(state: str) -> str:
    return TRIAGE_LABELS.get(state, state)


def duration(seconds: int | float | None) -> str:
    """A video's length: ``4 min 05 s``, ``1 h 02 min``; ``durée inconnue`` for None."""
    if seconds is None:
        return "durée inconnue"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
