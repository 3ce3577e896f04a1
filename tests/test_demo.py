"""`traceur demo` end to end: the bundled mini-web, served locally, crawled in a child
process, checked against the hand-labelled ground truth of tests/demo_truth.yaml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from traceur.document import Document
from traceur.store.sqlite import SqliteStore

pytestmark = pytest.mark.integration

TRUTH = yaml.safe_load((Path(__file__).parent / "demo_truth.yaml").read_text(encoding="utf-8"))


def run_demo(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TRACEUR_STORE": f"sqlite:///{tmp_path / 'demo.db'}",
        "TRACEUR_DATA_DIR": str(tmp_path / "data"),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "traceur", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


def documents(tmp_path: Path) -> dict[str, Document]:
    store = SqliteStore(tmp_path / "demo.db")
    try:
        return {doc.url: doc for doc in store.iter_documents()}
    finally:
        store.close()


def test_demo_finds_exactly_the_labelled_documents_and_candidates(tmp_path: Path) -> None:
    completed = run_demo(tmp_path)
    docs = documents(tmp_path)

    assert set(docs) == {entry["url"] for entry in TRUTH["documents"]}
    for entry in TRUTH["documents"]:
        doc = docs[entry["url"]]
        assert sorted(doc.candidates) == sorted(entry["candidates"]), entry["url"]
        assert sorted(doc.topics) == sorted(entry.get("topics") or []), entry["url"]
        assert doc.kind == entry["kind"], entry["url"]
        assert doc.title == entry["title"], entry["url"]
        if entry.get("author"):
            assert doc.author == entry["author"], entry["url"]
        if entry.get("published"):
            assert doc.published_at is not None and doc.published_at.date().isoformat() == str(
                entry["published"]
            )

    # The printed per-candidate counts are the ground truth's.
    for candidate_id, count in TRUTH["counts"].items():
        line = next(line for line in completed.stdout.splitlines() if f"({candidate_id})" in line)
        assert int(line.split()[-2]) == count, line
    assert "Try next:" in completed.stdout


def test_demo_run_twice_adds_no_duplicate(tmp_path: Path) -> None:
    run_demo(tmp_path)
    first = documents(tmp_path)
    second_run = run_demo(tmp_path)
    second = documents(tmp_path)

    assert set(second) == set(first)
    assert {doc.id for doc in second.values()} == {doc.id for doc in first.values()}
    assert "0 new documents" in second_run.stdout
