"""Loading a watchlist from YAML into typed objects.

Loading validates everything before any crawl starts and reports every problem at
once, each with the file, the line, what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from traceur.durations import parse_duration
from traceur.enrich.language import LANGUAGE_NAMES, LANGUAGES
from traceur.enrich.query import parse as parse_query
from traceur.errors import QueryError, WatchlistError
from traceur.watchlist.model import (
    ALIAS_CASES,
    GENDERS,
    MIN_INTERVAL_SECONDS,
    SOURCE_KINDS,
    Alias,
    Candidate,
    Source,
    SourceLimits,
    Topic,
    Watchlist,
)
from traceur.watchlist.problems import IDENTIFIER, Problems
from traceur.watchlist.rules import AlertRule, parse_alert_rules
from traceur.yamlfile import LineDict, LineList, YamlSyntaxError, did_you_mean, load_yaml

_TOP_KEYS = ("candidates", "topics", "sources", "alerts")
_CANDIDATE_KEYS = ("id", "name", "aliases", "exclude", "cues", "gender", "variants")
_ALIAS_KEYS = ("alias", "ambiguous", "case")
_TOPIC_KEYS = ("id", "name", "keywords", "exclude", "lang", "query")
_SOURCE_KEYS = (
    "id",
    "kind",
    "url",
    "every",
    "name",
    "match",
    "follow",
    "sitemap",
    "lang",
    "enabled",
    "limits",
    "max_age",
)
_LIMIT_KEYS = ("max_pages", "max_depth", "max_entries")


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    hint = did_you_mean(key, allowed)
    return f"{hint}allowed keys: {', '.join(allowed)}"


def _check_keys(node: LineDict, allowed: tuple[str, ...], where: str, problems: Problems) -> None:
    for key in node:
        if key not in allowed:
            problems.add(node.lines[key], where, f"unknown key {key!r}; {_suggest(key, allowed)}")


def _line_of(node: LineDict, key: str) -> int:
    return node.lines.get(key, node.line)


def _text(
    node: LineDict, key: str, where: str, problems: Problems, required: bool = True
) -> str | None:
    value = node.get(key)
    if value is None:
        if required:
            problems.add(node.line, where, f"missing {key!r}; add `{key}: ...` to this entry")
        return None
    if isinstance(value, (LineDict, LineList, bool)):
        problems.add(_line_of(node, key), f"{where}.{key}", "must be a plain text value")
        return None
    text = str(value).strip()
    if not text and required:
        problems.add(_line_of(node, key), f"{where}.{key}", "is empty; give it a value")
        return None
    return text


def _text_list(node: LineDict, key: str, where: str, problems: Problems) -> tuple[str, ...]:
    value = node.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        # A lone string is a common slip for a one-item list; accept it.
        value = [value]
    if not isinstance(value, list):
        problems.add(
            _line_of(node, key),
            f"{where}.{key}",
            f'must be a list of texts, e.g. {key}: ["...", "..."]',
        )
        return ()
    items: list[str] = []
    for index, item in enumerate(value):
        if (
            not isinstance(item, (str, int, float))
            or isinstance(item, bool)
            or not str(item).strip()
        ):
            line = value.lines[index] if isinstance(value, LineList) else _line_of(node, key)
            problems.add(line, f"{where}.{key}[{index}]", "must be a non-empty text")
            continue
        items.append(str(item).strip())
    return tuple(items)


def _identifier(node: LineDict, where: str, seen: dict[str, int], problems: Problems) -> str | None:
    ident = _text(node, "id", where, problems)
    if ident is None:
        return None
    line = _line_of(node, "id")
    if not IDENTIFIER.match(ident):
        problems.add(
            line,
            f"{where}.id",
            f"{ident!r} is not a valid id; use lower-case letters, digits and '-'"
            " (e.g. claire-martin)",
        )
        return None
    if ident in seen:
        problems.add(
            line,
            f"{where}.id",
            f"duplicate id {ident!r} (first used on line {seen[ident]});"
            " give each entry its own id",
        )
        return None
    seen[ident] = line
    return ident


def _entries(root: LineDict, key: str, problems: Problems) -> list[tuple[int, LineDict]]:
    value = root.get(key)
    if value is None:
        return []
    if not isinstance(value, LineList):
        problems.add(_line_of(root, key), key, "must be a list of entries, each starting with '- '")
        return []
    entries: list[tuple[int, LineDict]] = []
    for index, item in enumerate(value):
        if not isinstance(item, LineDict):
            problems.add(
                value.lines[index],
                f"{key}[{index}]",
                "must be a mapping (`- id: ...` followed by its keys)",
            )
            continue
        entries.append((index, item))
    return entries


def _alias_list(
    node: LineDict, where: str, problems: Problems
) -> tuple[tuple[str, ...], tuple[Alias, ...]]:
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
                problems.add(
                    _line_of(item, "ambiguous"), f"{at}.ambiguous", "must be true or false"
                )
                ambiguous = False
            case = _text(item, "case", at, problems, required=False) or "auto"
            if case not in ALIAS_CASES:
                hint = did_you_mean(case, ALIAS_CASES)
                problems.add(
                    _line_of(item, "case"),
                    f"{at}.case",
                    f"unknown case {case!r}; {hint}use one of {', '.join(ALIAS_CASES)}",
                )
                case = "auto"
            if text:
                texts.append(text)
                options.append(Alias(text, ambiguous, case))
            continue
        if (
            not isinstance(item, (str, int, float))
            or isinstance(item, bool)
            or not str(item).strip()
        ):
            problems.add(
                value.lines[index],
                at,
                'must be a non-empty text, or a mapping such as {alias: "Martin", ambiguous: true}',
            )
            continue
        texts.append(str(item).strip())
    return tuple(texts), tuple(options)


def _languages(node: LineDict, where: str, problems: Problems) -> tuple[str, ...]:
    """``lang: fr`` or ``lang: [fr, en]``: languages Traceur can recognise, lower-cased."""
    codes = _text_list(node, "lang", where, problems)
    result: list[str] = []
    for item in codes:
        for code in item.replace(",", " ").split():
            code = code.lower()
            if code not in LANGUAGES:
                known = ", ".join(f"{c} ({LANGUAGE_NAMES[c]})" for c in LANGUAGES)
                problems.add(
                    _line_of(node, "lang"),
                    f"{where}.lang",
                    f"{code!r} is not a language Traceur recognises;"
                    f" use ISO 639-1 codes among {known}",
                )
                continue
            if code not in result:
                result.append(code)
    return tuple(result)


def _candidates(root: LineDict, problems: Problems) -> list[Candidate]:
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
                problems.add(
                    _line_of(node, "gender"),
                    f"{where}.gender",
                    f"{gender!r} is not a gender Traceur uses; write f or m (or leave it out)",
                )
                gender = None
        variants = node.get("variants", True)
        if not isinstance(variants, bool):
            problems.add(_line_of(node, "variants"), f"{where}.variants", "must be true or false")
            variants = True
        if ident and name:
            result.append(
                Candidate(ident, name, aliases, exclude, alias_options, cues, gender, variants)
            )
    return result


def _topic_query(node: LineDict, where: str, problems: Problems) -> str | None:
    """``query:``, a boolean query parsed now, so a typo stops the load and not a crawl."""
    if "query" not in node:
        return None
    text = _text(node, "query", where, problems, required=False)
    if text is None and node.get("query") is not None:
        return None  # not a text: _text said so
    if not text:
        problems.add(
            _line_of(node, "query"),
            f"{where}.query",
            'is empty; write a query such as "tramway NEAR/5 Martin", or remove the key',
        )
        return None
    try:
        parse_query(text)
    except QueryError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        problems.add(
            _line_of(node, "query"),
            f"{where}.query",
            f"column {exc.column} of {exc.quoted()}: expected {exc.expected},"
            f" found {exc.found}{hint}",
        )
        return None
    return text


def _topics(root: LineDict, problems: Problems) -> list[Topic]:
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
            problems.add(
                node.line,
                where,
                'missing "keywords"; add keywords: ["...", "..."] (or a query: ...)',
            )
        exclude = _text_list(node, "exclude", where, problems)
        lang = _languages(node, where, problems)
        if ident and (keywords or query):
            result.append(Topic(ident, name or ident, keywords, exclude, lang, query))
    return result


def _check_url(url: str, line: int, where: str, problems: Problems) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.add(
            line, where, f"{url!r} is not a web address; write a full http:// or https:// URL"
        )
        return False
    if any(ch.isspace() for ch in url):
        problems.add(line, where, f"{url!r} contains spaces; encode them as %20")
        return False
    return True


def _positive_int(node: LineDict, key: str, where: str, problems: Problems) -> int | None:
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        problems.add(
            _line_of(node, key), f"{where}.{key}", f"{value!r} must be a positive whole number"
        )
        return None
    return value


def _regex(node: LineDict, key: str, where: str, problems: Problems) -> str | None:
    pattern = _text(node, key, where, problems, required=False)
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except re.error as exc:
        problems.add(
            _line_of(node, key),
            f"{where}.{key}",
            f"{pattern!r} is not a valid regular expression ({exc});"
            " quote it with single quotes and escape special characters",
        )
        return None
    return pattern


def _sources(root: LineDict, problems: Problems) -> list[Source]:
    result: list[Source] = []
    seen: dict[str, int] = {}
    for index, node in _entries(root, "sources", problems):
        where = f"sources[{index}]"
        _check_keys(node, _SOURCE_KEYS, where, problems)
        ident = _identifier(node, where, seen, problems)
        kind = _text(node, "kind", where, problems)
        if kind is not None and kind not in SOURCE_KINDS:
            hint = did_you_mean(kind, SOURCE_KINDS)
            problems.add(
                _line_of(node, "kind"),
                f"{where}.kind",
                f"unknown kind {kind!r}; {hint}use one of {', '.join(SOURCE_KINDS)}",
            )
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
                    problems.add(
                        _line_of(node, "every"),
                        f"{where}.every",
                        f"{every_text!r} is too often; poll at most every {MIN_INTERVAL_SECONDS}s",
                    )
                    every = None
        sitemap = _text(node, "sitemap", where, problems, required=False)
        if sitemap is not None and not _check_url(
            sitemap, _line_of(node, "sitemap"), f"{where}.sitemap", problems
        ):
            sitemap = None
        enabled = node.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.add(_line_of(node, "enabled"), f"{where}.enabled", "must be true or false")
            enabled = True
        limits = SourceLimits()
        limits_node = node.get("limits")
        if limits_node is not None:
            if not isinstance(limits_node, LineDict):
                problems.add(
                    _line_of(node, "limits"),
                    f"{where}.limits",
                    "must be a mapping, e.g. limits: {max_pages: 50, max_depth: 2}",
                )
            else:
                _check_keys(limits_node, _LIMIT_KEYS, f"{where}.limits", problems)
                limits = SourceLimits(
                    max_pages=_positive_int(limits_node, "max_pages", f"{where}.limits", problems),
                    max_depth=_positive_int(limits_node, "max_depth", f"{where}.limits", problems),
                    max_entries=_positive_int(
                        limits_node, "max_entries", f"{where}.limits", problems
                    ),
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
            result.append(
                Source(
                    ident,
                    kind,
                    url,
                    every,
                    name,
                    match,
                    follow,
                    sitemap,
                    lang,
                    enabled,
                    limits,
                    max_age,
                )
            )
    return result


def _alerts(root: LineDict, problems: Problems) -> list[AlertRule]:
    return parse_alert_rules(root, problems, SOURCE_KINDS)


def load_watchlist(path: str | Path) -> Watchlist:
    """Read and validate a watchlist; raise ``WatchlistError`` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise WatchlistError(
            [
                f"{path}: no such watchlist file; give the path of a YAML watchlist"
                " (see watchlists/example.yaml)"
            ]
        )
    try:
        root = load_yaml(path)
    except YamlSyntaxError as exc:
        raise WatchlistError([str(exc)]) from exc
    problems = Problems(path)
    if root is None:
        raise WatchlistError(
            [
                f"{path}:1: the watchlist is empty; add at least `candidates:` and `sources:`"
                " (see watchlists/example.yaml)"
            ]
        )
    if not isinstance(root, LineDict):
        raise WatchlistError(
            [f"{path}:1: a watchlist is a mapping with the keys {', '.join(_TOP_KEYS)}"]
        )
    _check_keys(root, _TOP_KEYS, "watchlist", problems)
    candidates = _candidates(root, problems)
    topics = _topics(root, problems)
    sources = _sources(root, problems)
    alerts = _alerts(root, problems)
    if problems.items:
        raise WatchlistError(problems.items)
    return Watchlist(path, tuple(candidates), tuple(topics), tuple(sources), tuple(alerts))
