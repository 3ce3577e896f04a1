"""YAML loading that remembers where each key and item stands, for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[str, Any]):
    """A mapping read from YAML; ``line`` is its own line, ``lines[key]`` each key's (1-based)."""

    line: int = 0
    lines: dict[str, int]


class LineList(list[Any]):
    """A sequence read from YAML; ``line`` is its own line, ``lines[i]`` each item's (1-based)."""

    line: int = 0
    lines: list[int]


# Limits on what one YAML file (a watchlist, a settings file) may hold. A real watchlist is
# tens of kilobytes, a few thousand values, six levels deep, with a handful of aliases; the
# limits are far above that and below what hurts: the pure-Python parser needs several
# seconds per megabyte on a busy machine, nesting recurses once per level, and an alias is
# a reference that a later str() or comparison expands (nine levels of nine aliases are a
# billion values). Aliases count as many times as they are used, so an "alias bomb" stops
# at the first values past the limit it would expand to, whatever its size on disk.
MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 50_000  # scalars, lists and mappings, aliases expanded
MAX_DEPTH = 40  # nested lists and mappings
MAX_ALIASES = 1_000  # uses of `*name`


class YamlLimitError(yaml.MarkedYAMLError):
    """A file beyond one of the limits above; ``problem`` carries the fix."""


class _Loader(yaml.SafeLoader):
    """A SafeLoader that counts, while composing, the values (aliases expanded), the depth
    and the aliases, and stops at the first value past a limit, with its line."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._expanded = 0
        # Values each composed list or mapping stands for once its aliases are expanded.
        self._weights: dict[int, int] = {}

    def _limit(self, mark: Any, problem: str) -> YamlLimitError:
        return YamlLimitError(None, None, problem, mark)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise self._limit(
                    event.start_mark,
                    f"more than {MAX_ALIASES} aliases (*name); write the values out, or use"
                    " fewer anchors",
                )
            node = super().compose_node(parent, index)
            weight = self._weights.get(id(node))
            if weight is None:
                # The anchor's own list or mapping is not finished: a value containing itself.
                raise self._limit(
                    event.start_mark,
                    f"the alias *{event.anchor} is used inside the value it names;"
                    " a value cannot contain itself",
                )
            self._count(weight, event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._limit(
                event.start_mark,
                f"values nested more than {MAX_DEPTH} levels deep; a watchlist needs a few"
                " levels, remove the extra ones",
            )
        node = super().compose_node(parent, index)
        self._depth -= 1
        if isinstance(node, yaml.SequenceNode):
            weight = 1 + sum(self._weights.get(id(child), 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            weight = 1 + sum(
                self._weights.get(id(key), 1) + self._weights.get(id(value), 1)
                for key, value in node.value
            )
        else:
            weight = 1
        self._weights[id(node)] = weight
        # The children were counted as they were composed: this node adds itself.
        self._count(1, event.start_mark)
        return node

    def _count(self, values: int, mark: Any) -> None:
        self._expanded += values
        if self._expanded > MAX_VALUES:
            raise self._limit(
                mark,
                f"more than {MAX_VALUES} values (each alias counted as often as it is used);"
                " split the file, or remove the aliases that repeat large values",
            )


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            # A list or a mapping as a key is never meant, and would be expanded into text.
            raise YamlLimitError(
                None,
                None,
                "a key is a list or a mapping; write a plain name before the ':'",
                key_node.start_mark,
            )
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.MarkedYAMLError(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} appears twice; keep one of them",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlSyntaxError(Exception):
    """The file cannot be read, is not valid YAML or is past a limit; ``line`` is 1-based."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        super().__init__(f"{path}:{line}: {message}")


def load_yaml(path: Path) -> Any:
    """Parse ``path``; mappings become ``LineDict`` and sequences ``LineList``.

    Files past ``MAX_FILE_BYTES``, ``MAX_VALUES``, ``MAX_DEPTH`` or ``MAX_ALIASES`` are
    refused with the line where the limit was reached."""
    try:
        with path.open("rb") as handle:
            # Read one byte more than allowed: enough to know, whatever the file's size.
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise YamlSyntaxError(
            path,
            1,
            f"cannot read the file ({reason}); check that it exists and that this user may read it",
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise YamlSyntaxError(
            path,
            1,
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; a watchlist or"
            " settings file is far smaller: split it, or check that this is the right file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(
            path, 1, f"the file is not UTF-8 ({exc.reason}); save it as UTF-8"
        ) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except YamlLimitError as exc:
        mark = exc.problem_mark
        raise YamlSyntaxError(path, mark.line + 1 if mark else 1, str(exc.problem)) from exc
    except yaml.MarkedYAMLError as exc:
        # A scanner error ("while scanning a quoted scalar") points at the end of the
        # file; where the unclosed thing started is what the user needs.
        scanning = bool(exc.context and "scanning" in exc.context)
        mark = (exc.context_mark if scanning else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "invalid YAML"
        hint = (
            "check the indentation and quoting on that line (quote values that contain ': ' or '#')"
        )
        if "appears twice" in problem:
            hint = ""
        raise YamlSyntaxError(
            path, line, f"invalid YAML: {problem}" + (f"; {hint}" if hint else "")
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(path, 1, f"invalid YAML: {exc}") from exc


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` for the closest of ``choices`` to a mistyped ``value``, or
    ``""``."""
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f"did you mean {close[0]!r}? " if close else ""
