"""The watchlist: who and what to watch, and where. Loaded from YAML into typed objects.

Loading validates everything before any crawl starts and reports every problem at
once, each with the file, the line, what is wrong and how to fix it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .alerts.rules import AlertRule, parse_alert_rules
from .durations import parse_duration
from .errors import QueryError, WatchlistError
from .language import LANGUAGE_NAMES, LANGUAGES
from .query import parse as parse_query
from .yamlfile import LineDict, LineList, YamlSyntaxError, load_yaml

SOURCE_KINDS = ("feed", "site", "sitemap", "forum", "blog", "video")
DOCUMENT_KIND_BY_SOURCE = {
    "feed": "article",
    "site": "article",
    "sitemap": "article",
    "forum": "forum_post",
    "blog": "blog_post",
    "video": "video",
}
MIN_INTERVAL_SECONDS = 10
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


# How an alias's letters must be written to count: "any" case; "capitalised" (each word
# starts with a capital: "Roy", "ROY", not "roy"); "exact" (as written in the watchlist:
# "JBR", not "Jbr"); "auto" picks "exact" for acronyms, "capitalised" for short and
# ambiguous aliases, "any" otherwise (see traceur.tagging).
ALIAS_CASES = ("auto", "any", "capitalised", "exact")
GENDERS = ("f", "m")


@dataclass(frozen=True)
class Alias:
    """An alias written with options in the watchlist (``{alias: Martin, ambiguous: true}``).

    An ambiguous alias (a surname that is also a common word, a town or another person's
    name) counts only with context: the candidate named without ambiguity elsewhere in
    the same document, or a cue right next to it ("Mme Martin", "la candidate Martin").
    """

    text: str
    ambiguous: bool = False
    case: str = "auto"


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    # Every alias's text, options or not, so code that only needs the spellings reads them here.
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # The aliases written as mappings, with their options.
    alias_options: tuple[Alias, ...] = ()
    # Words that, next to an ambiguous alias, say it is this candidate (party, list, office).
    cues: tuple[str, ...] = ()
    # "f" or "m": civilities and titles of the other gender are then no cue ("M. Martin"
    # is not Claire Martin). None: inferred from the aliases ("Mme Martin"), else unknown.
    gender: str | None = None
    # Spellings generated from the name (initials "J.-B. Roy", "ROY Jean-Baptiste").
    variants: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """The full name first, then the aliases."""
        return (self.name, *self.aliases)

    def alias(self, text: str) -> Alias:
        """The options of alias ``text`` (defaults when it was written as a plain string)."""
        for option in self.alias_options:
            if option.text == text:
                return option
        return Alias(text)


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    # Keywords are words of a language: "loyers" means rents in French only. Empty: any language.
    lang: tuple[str, ...] = ()
    # A boolean query (traceur.query, checked at load time): when given, a document is about
    # the topic when the query matches it (traceur.query.matches_topic); keywords then only
    # mark the snippets.
    query: str | None = None


@dataclass(frozen=True)
class SourceLimits:
    max_pages: int | None = None
    max_depth: int | None = None
    max_entries: int | None = None


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    url: str
    every: int
    name: str = ""
    match: str | None = None
    follow: str | None = None
    sitemap: str | None = None
    lang: str | None = None
    enabled: bool = True
    limits: SourceLimits = field(default_factory=SourceLimits)
    # Sitemaps: only entries published (or modified) within this many seconds are fetched.
    max_age: int | None = None

    @property
    def document_kind(self) -> str:
        return DOCUMENT_KIND_BY_SOURCE[self.kind]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this source keeps (``lang: fr`` or ``lang: [fr, en]``); empty: all."""
        return tuple(code for code in (self.lang or "").split(",") if code)


@dataclass(frozen=True)
class Watchlist:
    path: Path
    candidates: tuple[Candidate, ...]
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...]
    # Typed and validated by traceur.alerts.rules (immediate, digest, spike, source_health).
    alerts: tuple[AlertRule, ...] = ()

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise WatchlistError([f"{self.path}: no source has the id {source_id!r} (known: {known})"])

    def candidate(self, candidate_id: str) -> Candidate:
        for candidate in self.candidates:
            if candidate.id == candidate_id:
                return candidate
        known = ", ".join(c.id for c in self.candidates) or "none"
        raise WatchlistError([f"{self.path}: no candidate has the id {candidate_id!r} (known: {known})"])


_TOP_KEYS = ("candidates", "topics", "sources", "alerts")
_CANDIDATE_KEYS = ("id", "name", "aliases", "exclude", "cues", "gender", "variants")
_ALIAS_KEYS = ("alias", "ambiguous", "case")
_TOPIC_KEYS = ("id", "name", "keywords", "exclude", "lang", "query")
_SOURCE_KEYS = ("id", "kind", "url", "every", "name", "match", "follow", "sitemap", "lang", "enabled", "limits", "max_age")
_LIMIT_KEYS = ("max_pages", "max_depth", "max_entries")


class _Problems:
    """Collects problems as ``file:line: where: what; fix``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, line: int, where: str, message: str) -> None:
        self.items.append(f"{self.path}:{line}: {where}: {message}")


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}allowed keys: {', '.join(allowed)}"


def _check_keys(node: LineDict, allowed: tuple[str, ...], where: str, problems: _Problems) -> None:
    for key in node:
        if key not in allowed:
            problems.add(node.lines[key], where, f"unknown key {key!r}; {_suggest(key, allowed)}")


def _line_of(node: LineDict, key: str) -> int:
    return node.lines.get(key, node.line)


def _text(node: LineDict, key: str, where: str, problems: _Problems, required: bool = True) -> str | None:
    value = node.get(key)
    if value is None:
        if required:
            problems.add(node.line, where, f"missing {key!r}; add `{key}: ...` to this entry")
        return None
    if isinstance(value, (LineDict, LineList)) or isinstance(value, bool):
        problems.add(_line_of(node, key), f"{where}.{key}", "must be a plain text value")
        return None
    text = str(value).strip()
    if not text and required:
        problems.add(_line_of(node, key), f"{where}.{key}", "is empty; give it a value")
        return None
    return text


def _text_list(node: LineDict, key: str, where: str, problems: _Problems) -> tuple[str, ...]:
    value = node.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        # A lone string is a common slip for a one-item list; accept it.
        value = [value]
    if not isinstance(value, list):
        problems.add(_line_of(node, key), f"{where}.{key}", f'must be a list of texts, e.g. {key}: ["...", "..."]')
        return ()
    items: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
            line = value.lines[index] if isinstance(value, LineList) else _line_of(node, key)
            problems.add(line, f"{where}.{key}[{index}]", "must be a non-empty text")
            continue
        items.append(str(item).strip())
    return tuple(items)


def _identifier(node: LineDict, where: str, seen: dict[str, int], problems: _Problems) -> str | None:
    ident = _text(node, "id", where, problems)
    if ident is None:
        return None
    line = _line_of(node, "id")
    if not _ID.match(ident):
        problems.add(line, f"{where}.id", f"{ident!r} is not a valid id; use lower-case letters, digits and '-' (e.g. claire-martin)")
        return None
    if ident in seen:
        problems.add(line, f"{where}.id", f"duplicate id {ident!r} (first used on line {seen[ident]}); give each entry its own id")
        return None
    seen[ident] = line
    return ident


def _entries(root: LineDict, key: str, problems: _Problems) -> list[tuple[int, LineDict]]:
    value = root.get(key)
    if value is None:
        return []
    if not isinstance(value, LineList):
        problems.add(_line_of(root, key), key, f"must be a list of entries, each starting with '- '")
        return []
    entries: list[tuple[int, LineDict]] = []
    for index, item in enumerate(value):
        if not isinstance(item, LineDict):
            problems.add(value.lines[index], f"{key}[{index}]", "must be a mapping (`- id: ...` followed by its keys)")
            continue
        entries.append((index, item))
    return entries


def _alias_list(node: LineDict, where: str, problems: _Problems) -> tuple[tuple[str, ...], tuple[Alias, ...]]:
    """``aliases:`` items are texts or mappings ``{alias: ..., ambiguous: true, case: exact}``.

    Returns every alias's text, in order, and the options of those written as mappings.
    """
    value = node.get("aliases")
    if not isinstance(value, LineList):
        return _text_list(node, "aliases", where, problems), ()
    texts: list[str] = []
    options: list[Alias] = []
    for index, item in enumerate(value):
        at = f"{where}.aliases[{index}]"
        if isinstance(item, LineDict):
            _check_keys(item, _ALIAS_KEYS, at, problems)
            text = _text(item, "alias", at, problems)
            ambiguous = item.get("ambiguous", False)
            if not isinstance(ambiguous, bool):
                problems.add(_line_of(item, "ambiguous"), f"{at}.ambiguous", "must be true or false")
                ambiguous = False
            case = _text(item, "case", at, problems, required=False) or "auto"
            if case not in ALIAS_CASES:
                close = difflib.get_close_matches(case, ALIAS_CASES, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.add(_line_of(item, "case"), f"{at}.case", f"unknown case {case!r}; {hint}use one of {', '.join(ALIAS_CASES)}")
                case = "auto"
            if text:
                texts.append(text)
                options.append(Alias(text, ambiguous, case))
            continue
        if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
            problems.add(value.lines[index], at, 'must be a non-empty text, or a mapping such as {alias: "Martin", ambiguous: true}')
            continue
        texts.append(str(item).strip())
    return tuple(texts), tuple(options)


def _languages(node: LineDict, where: str, problems: _Problems) -> tuple[str, ...]:
    """``lang: fr`` or ``lang: [fr, en]``: languages Traceur can recognise, lower-cased."""
    codes = _text_list(node, "lang", where, problems)
    result: list[str] = []
    for item in codes:
        for code in item.replace(",", " ").split():
            code = code.lower()
            if code not in LANGUAGES:
                known = ", ".join(f"{c} ({LANGUAGE_NAMES[c]})" for c in LANGUAGES)
                problems.add(_line_of(node, "lang"), f"{where}.lang", f"{code!r} is not a language Traceur recognises; use ISO 639-1 codes among {known}")
                continue
            if code not in result:
                result.append(code)
    return tuple(result)


def _candidates(root: LineDict, problems: _Problems) -> list[Candidate]:
    result: list[Candidate] = []
    seen: dict[str, int] = {}
    for index, node in _entries(root, "candidates", problems):
        where = f"candidates[{index}]"
        _check_keys(node, _CANDIDATE_KEYS, where, problems)
        ident = _identifier(node, where, seen, problems)
        name = _text(node, "name", where, problems)
        aliases, alias_options = _alias_list(node, where, problems)
        exclude = _text_list(node, "exclude", where, problems)
        cues = _text_list(node, "cues", where, problems)
        gender = _text(node, "gender", where, problems, required=False)
        if gender is not None:
            gender = gender.lower()
            if gender not in GENDERS:
                problems.add(_line_of(node, "gender"), f"{where}.gender", f"{gender!r} is not a gender Traceur uses; write f or m (or leave it out)")
                gender = None
        variants = node.get("variants", True)
        if not isinstance(variants, bool):
            problems.add(_line_of(node, "variants"), f"{where}.variants", "must be true or false")
            variants = True
        if ident and name:
            result.append(Candidate(ident, name, aliases, exclude, alias_options, cues, gender, variants))
    return result


def _topic_query(node: LineDict, where: str, problems: _Problems) -> str | None:
    """``query:``, a boolean query parsed now, so a typo stops the load and not a crawl."""
    if "query" not in node:
        return None
    text = _text(node, "query", where, problems, required=False)
    if text is None and node.get("query") is not None:
        return None  # not a text: _text said so
    if not text:
        problems.add(_line_of(node, "query"), f"{where}.query", 'is empty; write a query such as "tramway NEAR/5 Martin", or remove the key')
        return None
    try:
        parse_query(text)
    except QueryError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        problems.add(_line_of(node, "query"), f"{where}.query", f"column {exc.column} of {text!r}: expected {exc.expected}, found {exc.found}{hint}")
        return None
    return text


def _topics(root: LineDict, problems: _Problems) -> list[Topic]:
    result: list[Topic] = []
    seen: dict[str, int] = {}
    for index, node in _entries(root, "topics", problems):
        where = f"topics[{index}]"
        _check_keys(node, _TOPIC_KEYS, where, problems)
        ident = _identifier(node, where, seen, problems)
        name = _text(node, "name", where, problems, required=False)
        keywords = _text_list(node, "keywords", where, problems)
        query = _topic_query(node, where, problems)
        if not keywords and "keywords" not in node and "query" not in node:
            problems.add(node.line, where, 'missing "keywords"; add keywords: ["...", "..."] (or a query: ...)')
        exclude = _text_list(node, "exclude", where, problems)
        lang = _languages(node, where, problems)
        if ident and (keywords or query):
            result.append(Topic(ident, name or ident, keywords, exclude, lang, query))
    return result


def _check_url(url: str, line: int, where: str, problems: _Problems) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.add(line, where, f"{url!r} is not a web address; write a full http:// or https:// URL")
        return False
    if any(ch.isspace() for ch in url):
        problems.add(line, where, f"{url!r} contains spaces; encode them as %20")
        return False
    return True


def _positive_int(node: LineDict, key: str, where: str, problems: _Problems) -> int | None:
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        problems.add(_line_of(node, key), f"{where}.{key}", f"{value!r} must be a positive whole number")
        return None
    return value


def _regex(node: LineDict, key: str, where: str, problems: _Problems) -> str | None:
    pattern = _text(node, key, where, problems, required=False)
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except re.error as exc:
        problems.add(_line_of(node, key), f"{where}.{key}", f"{pattern!r} is not a valid regular expression ({exc}); quote it with single quotes and escape special characters")
        return None
    return pattern


def _sources(root: LineDict, problems: _Problems) -> list[Source]:
    result: list[Source] = []
    seen: dict[str, int] = {}
    for index, node in _entries(root, "sources", problems):
        where = f"sources[{index}]"
        _check_keys(node, _SOURCE_KEYS, where, problems)
        ident = _identifier(node, where, seen, problems)
        kind = _text(node, "kind", where, problems)
        if kind is not None and kind not in SOURCE_KINDS:
            close = difflib.get_close_matches(kind, SOURCE_KINDS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.add(_line_of(node, "kind"), f"{where}.kind", f"unknown kind {kind!r}; {hint}use one of {', '.join(SOURCE_KINDS)}")
            kind = None
        url = _text(node, "url", where, problems)
        if url is not None and not _check_url(url, _line_of(node, "url"), f"{where}.url", problems):
            url = None
        every: int | None = None
        every_text = _text(node, "every", where, problems)
        if every_text is not None:
            try:
                every = parse_duration(every_text)
            except ValueError as exc:
                problems.add(_line_of(node, "every"), f"{where}.every", str(exc))
            else:
                if every < MIN_INTERVAL_SECONDS:
                    problems.add(_line_of(node, "every"), f"{where}.every", f"{every_text!r} is too often; poll at most every {MIN_INTERVAL_SECONDS}s")
                    every = None
        sitemap = _text(node, "sitemap", where, problems, required=False)
        if sitemap is not None and not _check_url(sitemap, _line_of(node, "sitemap"), f"{where}.sitemap", problems):
            sitemap = None
        enabled = node.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.add(_line_of(node, "enabled"), f"{where}.enabled", "must be true or false")
            enabled = True
        limits = SourceLimits()
        limits_node = node.get("limits")
        if limits_node is not None:
            if not isinstance(limits_node, LineDict):
                problems.add(_line_of(node, "limits"), f"{where}.limits", "must be a mapping, e.g. limits: {max_pages: 50, max_depth: 2}")
            else:
                _check_keys(limits_node, _LIMIT_KEYS, f"{where}.limits", problems)
                limits = SourceLimits(
                    max_pages=_positive_int(limits_node, "max_pages", f"{where}.limits", problems),
                    max_depth=_positive_int(limits_node, "max_depth", f"{where}.limits", problems),
                    max_entries=_positive_int(limits_node, "max_entries", f"{where}.limits", problems),
                )
        max_age: int | None = None
        max_age_text = _text(node, "max_age", where, problems, required=False)
        if max_age_text is not None:
            try:
                max_age = parse_duration(max_age_text)
            except ValueError as exc:
                problems.add(_line_of(node, "max_age"), f"{where}.max_age", str(exc))
        match = _regex(node, "match", where, problems)
        follow = _regex(node, "follow", where, problems)
        lang = ",".join(_languages(node, where, problems)) or None
        name = _text(node, "name", where, problems, required=False) or ""
        if ident and kind and url and every:
            result.append(Source(ident, kind, url, every, name, match, follow, sitemap, lang, enabled, limits, max_age))
    return result


def _alerts(root: LineDict, problems: _Problems) -> list[AlertRule]:
    return parse_alert_rules(root, problems, SOURCE_KINDS)


def load_watchlist(path: str | Path) -> Watchlist:
    """Read and validate a watchlist; raise ``WatchlistError`` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise WatchlistError([f"{path}: no such watchlist file; give the path of a YAML watchlist (see watchlists/example.yaml)"])
    try:
        root = load_yaml(path)
    except YamlSyntaxError as exc:
        raise WatchlistError([str(exc)]) from exc
    problems = _Problems(path)
    if root is None:
        raise WatchlistError([f"{path}:1: the watchlist is empty; add at least `candidates:` and `sources:` (see watchlists/example.yaml)"])
    if not isinstance(root, LineDict):
        raise WatchlistError([f"{path}:1: a watchlist is a mapping with the keys {', '.join(_TOP_KEYS)}"])
    _check_keys(root, _TOP_KEYS, "watchlist", problems)
    candidates = _candidates(root, problems)
    topics = _topics(root, problems)
    sources = _sources(root, problems)
    alerts = _alerts(root, problems)
    if problems.items:
        raise WatchlistError(problems.items)
    return Watchlist(path, tuple(candidates), tuple(topics), tuple(sources), tuple(alerts))
