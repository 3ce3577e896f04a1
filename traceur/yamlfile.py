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


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
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
    """The file is not valid YAML; ``line`` is 1-based."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        super().__init__(f"{path}:{line}: {message}")


def load_yaml(path: Path) -> Any:
    """Parse ``path``; mappings become ``LineDict`` and sequences ``LineList``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(
            path, 1, f"the file is not UTF-8 ({exc.reason}); save it as UTF-8"
        ) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
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
