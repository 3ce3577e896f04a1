"""An installed wheel works on its own: defaults, demo web, templates and Kibana objects are
package data, and nothing reads the repository's files. Built from this checkout,
installed with its dependencies into a fresh virtualenv, run from another directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TESTS

ROOT = TESTS.parent
pytestmark = pytest.mark.integration


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the wheel, the fresh virtualenv's bin directory)."""
    work = tmp_path_factory.mktemp("wheel")
    # Build from a copy: a build writes build/ and *.egg-info next to the sources.
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".cache", ".traceur", "build", "*.egg-info", "__pycache__"
        ),
    )
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(work / "dist"), str(source)],
        work,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = list((work / "dist").glob("traceur-*.whl"))
    venv = work / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], work)
    assert made.returncode == 0, made.stderr
    pip = run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], work)
    assert pip.returncode == 0, pip.stderr[-3000:]
    yield wheel, venv / "bin"


def test_the_wheel_carries_its_defaults_demo_web_templates_and_kibana_objects(
    installed: tuple[Path, Path],
) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())

    assert "traceur/defaults.yaml" in names
    assert "traceur/demo/watchlist.yaml" in names
    assert any(
        name.startswith("traceur/demo/sites/forum.citoyens-du-val.example/") for name in names
    )
    assert any(name.startswith("traceur/alerts/templates/") for name in names)
    # The web app's templates and stylesheet (`traceur web` from an installed wheel).
    assert {"traceur/web/templates/base.html", "traceur/web/static/style.css"} <= names
    assert any(
        name.startswith("traceur/kibana/saved_objects/") and name.endswith(".ndjson")
        for name in names
    )
    assert {"crawler/process.py", "spiders/forum.py", "pipelines/store.py"} <= names
    # Test helpers and fixtures stay out of what users install.
    assert not any(name.startswith("tests/") for name in names)


def test_installed_traceur_checks_a_watchlist_from_another_directory(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, bin_dir = installed
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    shutil.copy(ROOT / "watchlists" / "example.yaml", elsewhere / "veille.yaml")

    result = run(
        [str(bin_dir / "traceur"), "check", "veille.yaml"], elsewhere, env=_clean_env(elsewhere)
    )

    assert result.returncode == 0, result.stderr
    assert "veille.yaml: valid" in result.stdout


def test_installed_traceur_without_a_watchlist_says_which_file_it_wanted(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, bin_dir = installed

    result = run([str(bin_dir / "traceur"), "check"], tmp_path, env=_clean_env(tmp_path))

    assert result.returncode == 2
    assert result.stderr.startswith("error: watchlists/example.yaml: no such watchlist file")
    assert "Traceback" not in result.stderr


def test_installed_traceur_runs_the_demo_from_another_directory(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, bin_dir = installed

    result = run([str(bin_dir / "traceur"), "demo"], tmp_path, env=_clean_env(tmp_path))

    assert result.returncode == 0, result.stderr[-3000:]
    block = result.stdout.split("Documents in the store naming each candidate:\n", 1)[1].split(
        "\n\n", 1
    )[0]
    counts = {line.split()[-1]: int(line.split()[-2]) for line in block.splitlines()}
    assert set(counts) == {"(claire-martin)", "(jean-baptiste-lefort)", "(elodie-arnaud)"}, (
        result.stdout
    )
    assert all(count > 0 for count in counts.values()), result.stdout
    # The store went where the configuration said, relative to the working directory.
    assert (tmp_path / ".traceur" / "traceur.db").is_file()


def _clean_env(home: Path) -> dict[str, str]:
    """No TRACEUR_* setting of the test run's, and nothing of this checkout on the path."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TRACEUR_") and key != "PYTHONPATH"
    }
    env["HOME"] = str(home)
    return env
