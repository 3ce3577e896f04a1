"""The shape of the house (CONTRIBUTING.md): which package may import which, no import
cycle between modules, and no module too long to read.

Imports are read from the source (every ``import`` and ``from … import``, at module level
or inside a function, ``TYPE_CHECKING`` blocks included), so a lazy import does not hide an
arrow that the layering forbids.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("traceur", "crawler", "spiders", "pipelines")
MAX_LINES = 700

# (importer prefix, imported prefix, why it is forbidden). A prefix names a module and
# everything below it.
FORBIDDEN: tuple[tuple[str, str, str], ...] = (
    ("traceur", "scrapy", "the core never imports Scrapy: it is testable and reusable alone"),
    (
        "traceur",
        "twisted",
        "the core never imports Twisted: only crawler/process.py owns a reactor",
    ),
    ("traceur", "crawler", "the core knows nothing of the Scrapy edge"),
    ("traceur", "spiders", "the core knows nothing of the Scrapy edge"),
    ("traceur", "pipelines", "the core knows nothing of the Scrapy edge"),
    ("traceur.parse", "traceur.store", "parsers are pure: bytes and text in, records out"),
    ("traceur.parse", "traceur.alerts", "parsers are pure: bytes and text in, records out"),
    (
        "traceur.parse",
        "traceur.enrich",
        "parsers read pages; deciding about documents is enrich's job",
    ),
    ("traceur.parse", "traceur.orchestra", "parsers are pure: bytes and text in, records out"),
    ("traceur.parse", "traceur.watchlist", "parsers read pages, whoever watches them"),
    ("spiders", "traceur.store", "spiders fetch and parse; they never store"),
    ("spiders", "traceur.alerts", "spiders fetch and parse; they never alert"),
    ("spiders", "traceur.enrich", "spiders fetch and parse; they never tag"),
    ("spiders", "pipelines", "spiders hand items over; the pipelines are Scrapy's to call"),
    ("pipelines", "spiders", "pipelines adapt items, whichever spider made them"),
    ("traceur.alerts", "spiders", "alerts read the store, not the crawl"),
    ("traceur.alerts", "pipelines", "alerts read the store, not the crawl"),
    ("traceur.alerts", "crawler", "alerts read the store, not the crawl"),
    ("traceur.store", "traceur.alerts", "a store stores; alerts read it"),
    ("traceur.store", "traceur.orchestra", "a store stores; it runs no job"),
    (
        "traceur.watchlist",
        "traceur.alerts",
        "the watchlist owns the rule model; alerts evaluate it",
    ),
    ("traceur.watchlist", "traceur.store", "a watchlist is configuration, valid without a store"),
    (
        "traceur.enrich",
        "traceur.store",
        "enrichment works on one document; jobs over the store live in orchestra",
    ),
    ("traceur.enrich", "traceur.alerts", "enrichment works on one document"),
)
# Only the command line may import the command line.
CLI = "traceur.cli"


@dataclass(frozen=True)
class Arrow:
    importer: str
    imported: str
    path: Path
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files(root: Path, packages: Iterable[str]) -> Iterator[Path]:
    for package in packages:
        yield from sorted((root / package).rglob("*.py"))


def arrows(root: Path, packages: Iterable[str]) -> list[Arrow]:
    """Every import of every module of ``packages`` under ``root``."""
    found: list[Arrow] = []
    for path in source_files(root, packages):
        importer = module_name(path, root)
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.extend(Arrow(importer, alias.name, path, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                found.append(Arrow(importer, target, path, node.lineno))
                # `from traceur.parse import forums` imports the module traceur.parse.forums.
                found.extend(
                    Arrow(importer, f"{target}.{alias.name}", path, node.lineno)
                    for alias in node.names
                )
    return found


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden_arrows(found: Iterable[Arrow]) -> list[str]:
    problems: list[str] = []
    for arrow in found:
        for importer, imported, why in FORBIDDEN:
            if under(arrow.importer, importer) and under(arrow.imported, imported):
                shown = (
                    arrow.path.relative_to(ROOT) if arrow.path.is_relative_to(ROOT) else arrow.path
                )
                where = f"{shown}:{arrow.line}"
                problems.append(f"{where}: {arrow.importer} imports {arrow.imported}: {why}")
        if (
            under(arrow.imported, CLI)
            and not under(arrow.importer, CLI)
            and arrow.importer != "traceur.__main__"
        ):
            problems.append(
                f"{arrow.path}:{arrow.line}: {arrow.importer} imports "
                f"{arrow.imported}: only the CLI calls the CLI"
            )
    return problems


def import_cycles(found: Iterable[Arrow], modules: set[str]) -> list[list[str]]:
    """Cycles between the project's own modules (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for arrow in found:
        if arrow.imported in modules and arrow.imported != arrow.importer:
            graph[arrow.importer].add(arrow.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def project_modules(root: Path, packages: Iterable[str]) -> set[str]:
    return {module_name(path, root) for path in source_files(root, packages)}


def test_no_import_crosses_a_forbidden_arrow() -> None:
    problems = forbidden_arrows(arrows(ROOT, PACKAGES))
    assert problems == [], "\n".join(problems)


def test_no_two_modules_import_each_other_even_through_others() -> None:
    cycles = import_cycles(arrows(ROOT, PACKAGES), project_modules(ROOT, PACKAGES))
    assert cycles == [], "\n".join(" → ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize("directory", [*PACKAGES, "bench"])
def test_no_module_outside_tests_is_longer_than_700_lines(directory: str) -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in sorted((ROOT / directory).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by role: {long}"


def test_the_checks_catch_a_forbidden_import_and_a_cycle(tmp_path: Path) -> None:
    # A miniature house with one of each fault, so the checks above are known to bite.
    (tmp_path / "traceur" / "parse").mkdir(parents=True)
    (tmp_path / "traceur" / "store").mkdir()
    for package in ("traceur", "traceur/parse", "traceur/store"):
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "traceur" / "parse" / "pages.py").write_text(
        "def read():\n    from traceur.store.sqlite import save\n    return save\n"
    )
    (tmp_path / "traceur" / "store" / "sqlite.py").write_text("from traceur.store import helpers\n")
    (tmp_path / "traceur" / "store" / "helpers.py").write_text(
        "import scrapy\nfrom . import sqlite\n"
    )

    found = arrows(tmp_path, ["traceur"])
    problems = forbidden_arrows(found)
    cycles = import_cycles(found, project_modules(tmp_path, ["traceur"]))

    assert any("traceur.parse.pages imports traceur.store.sqlite" in p for p in problems), problems
    assert any("traceur.store.helpers imports scrapy" in p for p in problems), problems
    assert cycles == [["traceur.store.helpers", "traceur.store.sqlite"]]
