"""When the store cannot answer, volunteers get a French page and API clients JSON, never a
traceback; the operator gets the reason in the log."""

from __future__ import annotations

import json
import logging
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import isolated_settings
from tests.web.conftest import PASSWORD, WebServer, login, serve
from traceur.web.accounts import new_token, open_accounts
from traceur.web.app import create_app


def test_an_unreachable_store_shows_a_french_503_page_and_a_json_503(
    es_url: str,
    tmp_path: Path,
    accounts_file: Path,
    new_page: Callable[..., Page],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An Elasticsearch store whose indices were never set up: every read is refused.
    settings = isolated_settings(tmp_path).replace(
        store=f"es+{es_url}", es_index_prefix="web-jamais-installe"
    )
    settings.data_dir.mkdir(parents=True)
    shutil.copyfile(accounts_file, settings.data_dir / "web.db")
    db = open_accounts(settings.data_dir)
    token = new_token(db, "lea")
    db.close()
    app = create_app(settings)
    with serve(app) as url, caplog.at_level(logging.ERROR, logger="traceur.web.app"):
        page = new_page()
        login(page, WebServer(url, settings, app.state.store, []), "lea", PASSWORD)
        response = page.goto(url + "/recherche")
        assert response is not None and response.status == 503
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Service momentanément indisponible"
        )
        assert "Traceback" not in page.content() and "Elasticsearch" not in page.content()
        request = urllib.request.Request(url + "/api/search?q=tramway")
        request.add_header("Authorization", f"Bearer {token}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 503
        assert json.loads(refused.value.read()) == {"erreur": "stockage des documents injoignable"}
    assert any("es setup" in record.getMessage() for record in caplog.records)
