"""Alert rules: the ``alerts:`` section of a watchlist, as typed objects.

Four kinds of rule, each with its recipients (``to``: email addresses, chat and webhook
URLs, ``env:NAME`` for a URL with a secret; see :mod:`traceur.watchlist.recipients`):

- ``immediate``: new documents matching a filter are emailed as soon as they are stored;
- ``digest``: at fixed local times (``at: ["08:00"]``) or every period (``every: 1h``),
  everything new since the previous digest, grouped by candidate and story cluster;
- ``spike``: mentions of a candidate or topic in a window against their baseline;
- ``source_health``: sources that fail repeatedly, fall silent, or suddenly extract empty.

Every rule may have quiet hours (``quiet: "22:00-07:00"`` in its ``timezone``) unless it is
``urgent``; immediate rules are paced by ``batch``, ``cooldown`` (per story cluster) and
``max_per_hour`` (see ``traceur.alerts.pacing``).

Parsing reports every problem with the file, the line and the fix, like the rest of the
watchlist (the loader calls ``parse_alert_rules``). The rules are a model only: the
``traceur.alerts`` package evaluates and delivers them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traceur.document import DOCUMENT_KINDS
from traceur.durations import parse_duration
from traceur.enrich.query import parse
from traceur.errors import QueryError
from traceur.watchlist.problems import IDENTIFIER, Problems
from traceur.watchlist.recipients import recipient_problem
from traceur.yamlfile import LineDict, LineList, did_you_mean

RULE_KINDS = ("immediate", "digest", "spike", "source_health")
MIN_EVERY_SECONDS = 10
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_QUIET = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")
# A message waits at most this long for its batch: past it, "immediate" would mislead.
MAX_BATCH_SECONDS = 3600

_COMMON_KEYS = ("id", "kind", "name", "to", "enabled", "quiet", "urgent", "timezone")
_FILTER_KEYS = ("candidates", "topics", "sources", "source_kinds", "kinds", "lang", "query")
_KEYS: dict[str, tuple[str, ...]] = {
    "immediate": _COMMON_KEYS + _FILTER_KEYS + ("every", "batch", "cooldown", "max_per_hour"),
    "digest": _COMMON_KEYS + _FILTER_KEYS + ("at", "every", "send_empty"),
    "spike": _COMMON_KEYS
    + ("candidates", "topics", "window", "baseline", "factor", "min_mentions", "every", "cooldown"),
    "source_health": _COMMON_KEYS
    + ("sources", "failures", "silent_factor", "min_silence", "empty_runs", "every"),
}


@dataclass(frozen=True)
class DocumentFilter:
    """Which documents a rule is about. Every condition given must hold; within one
    condition, any listed value will do. An empty filter takes every document."""

    candidates: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    source_kinds: tuple[str, ...] = ()  # watchlist source kinds: feed, site, forum, ...
    kinds: tuple[str, ...] = ()  # document kinds: article, forum_post, ...
    lang: tuple[str, ...] = ()
    query: str | None = None  # traceur search syntax: words, "phrases", prefix*, OR, NOT
    # (id, display name) of the candidates, topics and sources above: what describe()
    # shows, since people read names, not the watchlist's ids.
    labels: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def describe(self) -> str:
        names = dict(self.labels)
        parts = [
            f"{name}: {', '.join(names.get(value, value) for value in values)}"
            for name, values in (
                ("candidats", self.candidates),
                ("thèmes", self.topics),
                ("sources", self.sources),
                ("types de source", self.source_kinds),
                ("types", self.kinds),
                ("langue", self.lang),
            )
            if values
        ]
        if self.query:
            parts.append(f"requête: {self.query}")
        return "; ".join(parts) or "tous les documents"


@dataclass(frozen=True, kw_only=True)
class _Rule:
    id: str
    kind: str
    to: tuple[str, ...]
    name: str = ""
    enabled: bool = True
    line: int = 0
    # Quiet hours as (start, end) minutes of the local day, in ``timezone``; may cross
    # midnight. Messages other than urgent ones found then are held until the end.
    quiet: tuple[int, int] | None = None
    urgent: bool = False  # goes out even in quiet hours
    timezone: str | None = None  # None: the `timezone` setting
    # The title a rule without ``name`` gets from what it watches, in names (set when the
    # watchlist is read; see ``rule_title``).
    watched_title: str = field(default="", compare=False)

    @property
    def title(self) -> str:
        return rule_title(self)


# What a rule without a name is called, by kind: a person reads this, never the rule's id.
KIND_TITLES = {
    "immediate": "Alerte immédiate",
    "digest": "Synthèse",
    "spike": "Pic de mentions",
    "source_health": "Santé des sources",
}
# Names listed in a derived title before "et N autres".
_TITLE_NAMES = 3


def rule_title(rule: _Rule) -> str:
    """The title people read for ``rule`` (subjects, footers, chat, web dashboard): its
    ``name``, else the title derived from what it watches, else its kind in French."""
    return rule.name or rule.watched_title or KIND_TITLES.get(rule.kind, "Alerte")


def _listed(ids: Sequence[str], names: dict[str, str], everything: str) -> str:
    shown = [names.get(ident, ident) for ident in ids[:_TITLE_NAMES]]
    if not shown:
        return everything
    more = len(ids) - len(shown)
    return ", ".join(shown) + (f" et {more} autre{'s' if more > 1 else ''}" if more else "")


def _derived_title(rule: AlertRule, given: set[str], names: dict[str, str]) -> str:
    """A French title from what ``rule`` watches, in the watchlist's names; ``given``: the
    keys written in the rule (a spike or health rule without them watches everything)."""
    head = KIND_TITLES[rule.kind]
    if isinstance(rule, DigestRule):
        head = "Synthèse quotidienne" if rule.at else "Synthèse périodique"
    if isinstance(rule, ImmediateRule | DigestRule):
        flt = rule.filter
        for ids in (flt.candidates, flt.topics, flt.sources):
            if ids:
                return f"{head} — {_listed(ids, names, '')}"
        if flt.query:
            return f"{head} — « {flt.query} »"
        return f"{head} — tous les documents"
    if isinstance(rule, SpikeRule):
        if "topics" in given and "candidates" not in given:
            return f"{head} — {_listed(rule.topics, names, 'aucun thème')}"
        if "candidates" not in given:
            return f"{head} — tous les candidats"
        return f"{head} — {_listed(rule.candidates, names, 'aucun candidat')}"
    if "sources" not in given:
        return head
    return f"{head} — {_listed(rule.sources, names, 'aucune source')}"


@dataclass(frozen=True, kw_only=True)
class ImmediateRule(_Rule):
    filter: DocumentFilter = field(default_factory=DocumentFilter)
    # How often the store is checked besides right after each collection run.
    every: int = 60
    # None: the alert_batch_seconds / alert_cluster_cooldown_seconds / alert_max_per_hour
    # settings (the watchlist is read without settings, so the defaults are applied later).
    batch: int | None = None  # seconds matches are gathered into one message; 0: none
    cooldown: int | None = None  # seconds a story cluster stays alerted; 0: none
    max_per_hour: int | None = None  # messages in any hour; 0: no limit


@dataclass(frozen=True, kw_only=True)
class DigestRule(_Rule):
    filter: DocumentFilter = field(default_factory=DocumentFilter)
    at: tuple[str, ...] = ()  # local "HH:MM" times
    every: int | None = None  # or a period, aligned on local midnight (1h: every round hour)
    send_empty: bool = False


@dataclass(frozen=True, kw_only=True)
class SpikeRule(_Rule):
    candidates: tuple[str, ...] = ()  # neither candidates nor topics: every candidate
    topics: tuple[str, ...] = ()
    window: int = 3600
    baseline: int = 7 * 86400
    factor: float = 3.0
    min_mentions: int = 5
    every: int = 600
    cooldown: int = 6 * 3600


@dataclass(frozen=True, kw_only=True)
class SourceHealthRule(_Rule):
    sources: tuple[str, ...] = ()  # empty: every source
    failures: int = 3  # consecutive failed runs
    silent_factor: float = (
        4.0  # silent this many times longer than its usual gap between new documents
    )
    min_silence: int = 6 * 3600  # and at least this long
    empty_runs: int = 2  # consecutive runs whose pages all extracted empty
    every: int = 300


AlertRule = ImmediateRule | DigestRule | SpikeRule | SourceHealthRule


def _line(node: LineDict, key: str) -> int:
    return node.lines.get(key, node.line)


def _display_names(root: LineDict) -> dict[str, str]:
    """Display names of the candidates, topics and sources as written: the name, or a
    source's host name when it has none."""
    names: dict[str, str] = {}
    for key in ("candidates", "topics", "sources"):
        value = root.get(key)
        for item in value if isinstance(value, list) else ():
            if not isinstance(item, dict) or item.get("id") is None:
                continue
            name = str(item.get("name") or "").strip()
            if not name and key == "sources":
                try:
                    name = (urlsplit(str(item.get("url") or "")).hostname or "").removeprefix(
                        "www."
                    )
                except ValueError:
                    name = ""
            if name:
                names.setdefault(str(item["id"]), name)
    return names


def _known_ids(root: LineDict, key: str) -> set[str]:
    """Ids of a top-level section as written (the watchlist validates them itself)."""
    value = root.get(key)
    if not isinstance(value, list):
        return set()
    return {
        str(item["id"]) for item in value if isinstance(item, dict) and item.get("id") is not None
    }


class _Reader:
    """Reads one rule's keys, reporting problems as ``file:line: alerts[i].key: fix``."""

    def __init__(self, node: LineDict, where: str, problems: Problems) -> None:
        self.node = node
        self.where = where
        self.problems = problems
        self.ok = True

    def problem(self, key: str | None, message: str) -> None:
        self.ok = False
        line = _line(self.node, key) if key else self.node.line
        self.problems.add(line, f"{self.where}.{key}" if key else self.where, message)

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.node.get(key)
        if value is None:
            if required:
                self.problem(None, f"missing {key!r}; add `{key}: ...` to this rule")
            return None
        if isinstance(value, (dict, list, bool)):
            self.problem(key, "must be a plain text value")
            return None
        text = str(value).strip()
        if not text:
            if required:
                self.problem(key, "is empty; give it a value")
            return None
        return text

    def texts(
        self, key: str, allowed: Sequence[str] | None = None, what: str = ""
    ) -> tuple[str, ...]:
        value = self.node.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]  # a lone value is a common slip for a one-item list
        if not isinstance(value, list):
            self.problem(key, f'must be a list, e.g. {key}: ["...", "..."]')
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            line = value.lines[index] if isinstance(value, LineList) else _line(self.node, key)
            if isinstance(item, (dict, list, bool)) or item is None or not str(item).strip():
                self.ok = False
                self.problems.add(line, f"{self.where}.{key}[{index}]", "must be a non-empty text")
                continue
            text = str(item).strip()
            if allowed is not None and text not in allowed:
                hint = did_you_mean(text, list(allowed))
                known = ", ".join(sorted(allowed)) or "none"
                self.ok = False
                self.problems.add(
                    line,
                    f"{self.where}.{key}[{index}]",
                    f"unknown {what or key} {text!r}; {hint}known: {known}",
                )
                continue
            items.append(text)
        return tuple(items)

    def duration(self, key: str, default: int | None, minimum: int = 1) -> int | None:
        text = self.text(key)
        if text is None:
            return default
        try:
            seconds = parse_duration(text)
        except ValueError as exc:
            self.problem(key, str(exc))
            return default
        if seconds < minimum:
            self.problem(key, f"{text!r} is too short; use at least {minimum}s")
            return default
        return seconds

    def number(self, key: str, default: float, minimum: float, whole: bool = False) -> float:
        value = self.node.get(key)
        if value is None:
            return default
        kind = "a whole number" if whole else "a number"
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (whole and not isinstance(value, int))
        ):
            self.problem(key, f"{value!r} must be {kind} (at least {minimum:g})")
            return default
        if value < minimum:
            self.problem(key, f"{value!r} is too small; use at least {minimum:g}")
            return default
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.node.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return default
        return value


def _times(reader: _Reader) -> tuple[str, ...]:
    value = reader.node.get("at")
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    result: list[str] = []
    for index, item in enumerate(value):
        line = value.lines[index] if isinstance(value, LineList) else _line(reader.node, "at")
        if isinstance(item, int) and not isinstance(item, bool):
            # YAML 1.1 reads an unquoted 18:00 as the base-60 number 1080.
            item = f"{item // 60:02d}:{item % 60:02d}"
        match = _TIME.match(str(item).strip()) if isinstance(item, str) else None
        if match is None:
            reader.ok = False
            reader.problems.add(
                line,
                f"{reader.where}.at[{index}]",
                f"{item!r} is not a time of day;"
                ' write it quoted as "HH:MM", e.g. at: ["08:00", "18:30"]',
            )
            continue
        result.append(f"{int(match.group(1)):02d}:{match.group(2)}")
    return tuple(sorted(set(result)))


def _timezone(reader: _Reader) -> str | None:
    tz = reader.text("timezone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            reader.problem(
                "timezone", f"{tz!r} is not a time zone; write an IANA name such as Europe/Paris"
            )
            return None
    return tz


def _quiet(reader: _Reader) -> tuple[int, int] | None:
    """``quiet: "22:00-07:00"`` as (start, end) minutes of the day."""
    text = reader.text("quiet")
    if text is None:
        return None
    match = _QUIET.match(text)
    if match is None:
        reader.problem(
            "quiet",
            f"{text!r} is not a period of the day; write it quoted as"
            ' "HH:MM-HH:MM", e.g. quiet: "22:00-07:00"',
        )
        return None
    start = int(match.group(1)) * 60 + int(match.group(2))
    end = int(match.group(3)) * 60 + int(match.group(4))
    if start == end:
        reader.problem("quiet", f"{text!r} starts and ends at the same time; give two times")
        return None
    return start, end


def _optional_duration(reader: _Reader, key: str, maximum: int | None) -> int | None:
    """A duration that may be 0 (turned off), or None when the rule does not set it."""
    value = reader.node.get(key)
    if value is None:
        return None
    if value == 0 or (isinstance(value, str) and value.strip() in ("0", "0s", "0m")):
        return 0
    seconds = reader.duration(key, None)
    if seconds is not None and maximum is not None and seconds > maximum:
        reader.problem(
            key, f"{value!r} is too long; use at most {maximum // 60}m (or 0 to turn it off)"
        )
        return None
    return seconds


def _filter(
    reader: _Reader,
    known: dict[str, set[str]],
    source_kinds: Sequence[str],
    names: dict[str, str] | None = None,
) -> DocumentFilter:
    query = reader.text("query")
    if query is not None:
        try:
            parse(query)
        except QueryError as exc:
            reader.problem("query", f"{exc}; check quotes and parentheses")
            query = None
    candidates = reader.texts("candidates", sorted(known["candidates"]), "candidate")
    topics = reader.texts("topics", sorted(known["topics"]), "topic")
    sources = reader.texts("sources", sorted(known["sources"]), "source")
    names = names or {}
    return DocumentFilter(
        candidates=candidates,
        topics=topics,
        sources=sources,
        source_kinds=reader.texts("source_kinds", source_kinds, "source kind"),
        kinds=reader.texts("kinds", DOCUMENT_KINDS, "document kind"),
        lang=tuple(code.lower() for code in reader.texts("lang")),
        query=query,
        labels=tuple((i, names[i]) for i in (*candidates, *topics, *sources) if i in names),
    )


def _parse_one(
    reader: _Reader,
    ident: str,
    kind: str,
    known: dict[str, set[str]],
    source_kinds: Sequence[str],
    names: dict[str, str],
) -> AlertRule | None:
    node = reader.node
    to = reader.texts("to")
    if "to" not in node:
        reader.problem(None, 'missing "to"; add the recipients, e.g. to: ["veille@example.org"]')
    elif not to and reader.ok:
        reader.problem(
            "to", 'is empty; add at least one recipient, e.g. to: ["veille@example.org"]'
        )
    raw_to = node.get("to")
    for index, address in enumerate(to):
        wrong = recipient_problem(address)
        if wrong:
            line = (
                raw_to.lines[index]
                if isinstance(raw_to, LineList) and index < len(raw_to.lines)
                else _line(node, "to")
            )
            reader.ok = False
            reader.problems.add(line, f"{reader.where}.to[{index}]", wrong)
    common: dict[str, Any] = {
        "id": ident,
        "kind": kind,
        "to": to,
        "name": reader.text("name") or "",
        "enabled": reader.flag("enabled", True),
        "line": node.line,
        "quiet": _quiet(reader),
        "urgent": reader.flag("urgent", False),
        "timezone": _timezone(reader),
    }
    rule: AlertRule
    if kind == "immediate":
        rule = ImmediateRule(
            **common,
            filter=_filter(reader, known, source_kinds, names),
            every=reader.duration("every", 60, MIN_EVERY_SECONDS) or 60,
            batch=_optional_duration(reader, "batch", MAX_BATCH_SECONDS),
            cooldown=_optional_duration(reader, "cooldown", None),
            max_per_hour=(
                int(reader.number("max_per_hour", 0, 0, whole=True))
                if "max_per_hour" in node
                else None
            ),
        )
    elif kind == "digest":
        at = _times(reader)
        every = reader.duration("every", None, MIN_EVERY_SECONDS)
        if not at and every is None and reader.ok:
            reader.problem(
                None,
                "a digest needs its times or its period;"
                ' add at: ["08:00"] (local times) or every: 1h',
            )
        if at and every is not None:
            reader.problem(
                "every", "give either `at` (times of day) or `every` (a period), not both"
            )
        rule = DigestRule(
            **common,
            filter=_filter(reader, known, source_kinds, names),
            at=at,
            every=every,
            send_empty=reader.flag("send_empty", False),
        )
    elif kind == "spike":
        window = reader.duration("window", 3600, 60) or 3600
        baseline = reader.duration("baseline", 7 * 86400, 60) or 7 * 86400
        if baseline < 2 * window and reader.ok:
            reader.problem(
                "baseline",
                f"must cover at least two windows ({2 * window}s); a baseline of 7d is usual",
            )
        rule = SpikeRule(
            **common,
            candidates=reader.texts("candidates", sorted(known["candidates"]), "candidate"),
            topics=reader.texts("topics", sorted(known["topics"]), "topic"),
            window=window,
            baseline=baseline,
            factor=reader.number("factor", 3.0, 1.0),
            min_mentions=int(reader.number("min_mentions", 5, 1, whole=True)),
            every=reader.duration("every", 600, MIN_EVERY_SECONDS) or 600,
            cooldown=reader.duration("cooldown", 6 * 3600, 60) or 6 * 3600,
        )
    else:
        rule = SourceHealthRule(
            **common,
            sources=reader.texts("sources", sorted(known["sources"]), "source"),
            failures=int(reader.number("failures", 3, 1, whole=True)),
            silent_factor=reader.number("silent_factor", 4.0, 1.0),
            min_silence=reader.duration("min_silence", 6 * 3600, 60) or 6 * 3600,
            empty_runs=int(reader.number("empty_runs", 2, 1, whole=True)),
            every=reader.duration("every", 300, MIN_EVERY_SECONDS) or 300,
        )
    if not reader.ok:
        return None
    if rule.name:
        return rule
    return replace(rule, watched_title=_derived_title(rule, set(node), names))


def parse_alert_rules(
    root: LineDict, problems: Problems, source_kinds: Sequence[str]
) -> list[AlertRule]:
    """The typed rules of ``root["alerts"]``; problems go to ``problems``.

    Candidate, topic and source ids are checked against the watchlist's own sections.
    """
    value = root.get("alerts")
    if value is None:
        return []
    if not isinstance(value, LineList):
        problems.add(
            _line(root, "alerts"),
            "alerts",
            "must be a list of rules, each starting with '- id: ...'",
        )
        return []
    known = {key: _known_ids(root, key) for key in ("candidates", "topics", "sources")}
    names = _display_names(root)
    rules: list[AlertRule] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(value):
        where = f"alerts[{index}]"
        if not isinstance(node, LineDict):
            problems.add(
                value.lines[index], where, "must be a mapping (`- id: ...` followed by its keys)"
            )
            continue
        reader = _Reader(node, where, problems)
        ident = reader.text("id", required=True)
        if ident is not None and not IDENTIFIER.match(ident):
            reader.problem(
                "id",
                f"{ident!r} is not a valid id; use lower-case letters, digits and '-'"
                " (e.g. claire-immediat)",
            )
            ident = None
        if ident is not None:
            if ident in seen:
                reader.problem(
                    "id",
                    f"duplicate id {ident!r} (first used on line {seen[ident]});"
                    " give each rule its own id",
                )
                ident = None
            else:
                seen[ident] = _line(node, "id")
        kind = reader.text("kind", required=True)
        if kind is not None and kind not in RULE_KINDS:
            hint = did_you_mean(kind, RULE_KINDS)
            reader.problem(
                "kind", f"unknown kind {kind!r}; {hint}use one of {', '.join(RULE_KINDS)}"
            )
            kind = None
        allowed = _KEYS[kind] if kind else tuple(sorted(set().union(*_KEYS.values())))
        for key in node:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                for_kind = f" for a {kind} rule" if kind else ""
                reader.problem(
                    key, f"unknown key {key!r}{for_kind}; {hint}allowed keys: {', '.join(allowed)}"
                )
        if ident is None or kind is None:
            continue
        rule = _parse_one(reader, ident, kind, known, source_kinds, names)
        if rule is not None:
            rules.append(rule)
    return rules


def find_rule(rules: Sequence[AlertRule], rule_id: str) -> AlertRule:
    """The rule ``rule_id``; ``KeyError`` with the known ids otherwise."""
    for rule in rules:
        if rule.id == rule_id:
            return rule
    known = ", ".join(rule.id for rule in rules) or "none"
    raise KeyError(f"no alert rule has the id {rule_id!r} (known: {known})")
