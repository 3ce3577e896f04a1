"""`traceur demo` on Elasticsearch and on SQLite: the same documents, the same tags, the
same answers to the same searches, and no duplicate on a second run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from traceur.config import Settings
from traceur.privacy.pseudonyms import KEY_FILE
from traceur.store import SearchQuery
from traceur.store.elasticsearch import ElasticsearchStore
from traceur.store.sqlite import SqliteStore

from .conftest import duplicated_ids

pytestmark = pytest.mark.integration

TRUTH = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "demo_truth.yaml").read_text(encoding="utf-8")
)
QUERIES = [
    "tramway",
    "Claire Martin",
    '"réunion publique"',
    "logement*",
    "budget OR caméras",
    "elodie NOT tramway",
    "Saint-Martin",
]


def run_demo(settings: Settings) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "traceur", "demo"],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_demo_indexes_the_same_documents_on_elasticsearch_as_on_sqlite(
    es_settings: Settings,
    es_store: ElasticsearchStore,
    es_client: Elasticsearch,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    sqlite_settings = make_settings(
        store=f"sqlite:///{tmp_path / 'lite.db'}", data_dir=tmp_path / "lite"
    )
    run_demo(sqlite_settings)
    run_demo(es_settings.replace(data_dir=tmp_path / "es"))
    es_store.refresh()

    lite = SqliteStore(tmp_path / "lite.db")
    try:
        on_lite = {doc.id: sorted(doc.candidates) for doc in lite.iter_documents()}
        on_es = {doc.id: sorted(doc.candidates) for doc in es_store.iter_documents()}
        assert len(on_lite) == len(TRUTH["documents"])
        assert on_es == on_lite

        for candidate in TRUTH["counts"]:
            query = SearchQuery(candidate=candidate, limit=100)
            assert {h.document.id for h in es_store.search(query)} == {
                h.document.id for h in lite.search(query)
            }
            assert es_store.count(query) == TRUTH["counts"][candidate]
        for text in QUERIES:
            query = SearchQuery(text=text, limit=100)
            assert {h.document.id for h in es_store.search(query)} == {
                h.document.id for h in lite.search(query)
            }, text
    finally:
        lite.close()

    # A second run (feeds and pages already seen, HTTP cache warm) adds nothing.
    second = run_demo(es_settings.replace(data_dir=tmp_path / "es"))
    es_store.refresh()
    assert "0 new documents" in second
    assert es_store.count() == len(on_lite)
    assert duplicated_ids(es_client, f"{es_settings.es_index_prefix}-docs") == {}

    # Even with every page fetched again (no seen entries, no HTTP cache), the stable ids
    # make it an update of nothing. The authors' pseudonym key goes with the store (README,
    # "Données personnelles"): a new key would store every member under a new pseudonym.
    (tmp_path / "es-fresh").mkdir()
    shutil.copy2(tmp_path / "es" / KEY_FILE, tmp_path / "es-fresh" / KEY_FILE)
    third = run_demo(es_settings.replace(data_dir=tmp_path / "es-fresh"))
    es_store.refresh()
    assert "0 new documents" in third and f"{len(on_lite)} unchanged" in third
    assert es_store.count() == len(on_lite)
    assert duplicated_ids(es_client, f"{es_settings.es_index_prefix}-docs") == {}
