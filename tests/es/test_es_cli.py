"""`traceur es setup|status|replay` and `traceur kibana import`, through click's test runner."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from traceur.cli.context import CliContext
from traceur.cli.es import es, kibana
from traceur.config import Settings
from traceur.store.elasticsearch import ElasticsearchStore

from .corpus import corpus
from .server import free_port

pytestmark = pytest.mark.integration


@click.group()
def cli() -> None:
    """Stands in for `traceur`: the groups are registered on it as traceur/cli.py does."""


cli.add_command(es)
cli.add_command(kibana)


def invoke(settings: Settings, *args: str) -> Result:
    # Errors stay in result.exception (the real main command prints them as "error: ...").
    return CliRunner().invoke(cli, list(args), obj=CliContext(_settings=settings))


def test_es_setup_then_status_shows_template_aliases_and_counts(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    first = invoke(es_settings, "es", "setup")
    assert first.exit_code == 0, first.output
    assert f"index template {es_settings.es_index_prefix}-docs: installed" in first.output
    assert f"{es_settings.es_index_prefix}-docs-write →" in first.output
    assert invoke(es_settings, "es", "setup").exit_code == 0

    store = open_store(es_settings)
    store.upsert(corpus(5))
    store.refresh()
    status = invoke(es_settings, "es", "status")
    assert status.exit_code == 0, status.output
    assert "health" in status.output and "template" in status.output and "present" in status.output
    assert "5 documents" in status.output
    assert "0 documents waiting" in status.output
    state = json.loads(invoke(es_settings, "es", "status", "--json").output)
    assert state["documents"] == 5 and state["template"]["present"] is True
    assert state["write_alias"]["index"] in state["read_alias"]["indices"]


def test_es_status_says_to_run_setup_when_the_template_is_missing(es_settings: Settings) -> None:
    status = invoke(es_settings, "es", "status")
    assert status.exit_code == 0, status.output
    assert "missing — run `traceur es setup`" in status.output


def test_es_replay_sends_the_spool_and_a_second_replay_has_nothing_to_do(
    es_settings: Settings, open_store: Callable[[Settings], ElasticsearchStore]
) -> None:
    down = open_store(es_settings.replace(store=f"es+http://127.0.0.1:{free_port()}"))
    down.upsert(corpus(4))
    down.close()
    assert invoke(es_settings, "es", "setup").exit_code == 0
    replayed = invoke(es_settings, "es", "replay")
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 4 of 4 spooled documents: 4 new" in replayed.output
    again = invoke(es_settings, "es", "replay")
    assert again.output.strip() == "spool empty: nothing to replay"


def test_es_commands_refuse_a_sqlite_store(make_settings: Callable[..., Settings]) -> None:
    result = invoke(make_settings(), "es", "status")
    assert result.exit_code != 0
    assert "is not Elasticsearch" in str(result.exception)


# -- kibana import --------------------------------------------------------------------------


class _FakeKibana(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    answer: dict[str, Any] = {}

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _FakeKibana.requests.append({"path": self.path, "headers": self.headers, "body": body})
        payload = json.dumps(_FakeKibana.answer).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_kibana() -> Iterator[str]:
    _FakeKibana.requests = []
    _FakeKibana.answer = {"success": True, "successCount": 0}
    server = HTTPServer(("127.0.0.1", 0), _FakeKibana)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _uploaded_objects(request: dict[str, Any]) -> list[dict[str, Any]]:
    raw = f"Content-Type: {request['headers']['Content-Type']}\r\n\r\n".encode() + request["body"]
    message = BytesParser(policy=HTTP).parsebytes(raw)
    [part] = list(message.iter_parts())
    assert part.get_param("name", header="content-disposition") == "file"
    text = part.get_payload(decode=True).decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_kibana_import_posts_the_saved_objects_with_the_xsrf_header(
    fake_kibana: str, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    watchlist = tmp_path / "veille.yaml"
    watchlist.write_text(
        "candidates:\n  - id: elodie-arnaud\n    name: Élodie Arnaud\n", encoding="utf-8"
    )
    settings = make_settings(es_index_prefix="veille", es_api_key="a2V5OnNlY3JldA==")
    _FakeKibana.answer = {"success": True, "successCount": 9}
    result = invoke(
        settings,
        "kibana",
        "import",
        "--url",
        fake_kibana,
        "--space",
        "campagne",
        "--watchlist",
        str(watchlist),
    )
    assert result.exit_code == 0, result.output
    assert "imported 9 saved objects" in result.output
    assert len(_uploaded_objects(_FakeKibana.requests[0])) == 9
    [request] = _FakeKibana.requests
    assert request["path"] == "/s/campagne/api/saved_objects/_import?overwrite=true"
    assert request["headers"]["kbn-xsrf"] == "true"
    assert request["headers"]["Authorization"] == "ApiKey a2V5OnNlY3JldA=="
    objects = _uploaded_objects(request)
    by_id = {item["id"]: item for item in objects}
    assert by_id["traceur-docs"]["attributes"]["title"] == "veille-docs"
    assert by_id["traceur-dashboard-overview"]["attributes"]["title"] == "Veille — vue d'ensemble"
    # One saved search per candidate of the watchlist, and no other candidate's.
    candidate_searches = sorted(i for i in by_id if i.startswith("traceur-search-candidate-"))
    assert candidate_searches == ["traceur-search-candidate-elodie-arnaud"]
    source = json.loads(
        by_id["traceur-search-candidate-elodie-arnaud"]["attributes"]["kibanaSavedObjectMeta"][
            "searchSourceJSON"
        ]
    )
    assert source["query"] == {"query": 'candidates : "elodie-arnaud"', "language": "kuery"}


def test_kibana_import_dry_run_prints_the_request_and_sends_nothing(
    fake_kibana: str, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(es_username="veille", es_password="s3cret")
    result = invoke(settings, "kibana", "import", "--url", fake_kibana, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"POST {fake_kibana}/api/saved_objects/_import?overwrite=true\n"
    )
    assert "kbn-xsrf: true" in result.output
    assert "Authorization: Basic (hidden)" in result.output and "s3cret" not in result.output
    assert '"type":"dashboard"' in result.output.replace(" ", "")
    assert _FakeKibana.requests == []


def test_kibana_import_reports_the_objects_kibana_refused(
    fake_kibana: str, make_settings: Callable[..., Settings]
) -> None:
    _FakeKibana.answer = {
        "success": False,
        "successCount": 5,
        "errors": [
            {
                "id": "traceur-dashboard-overview",
                "type": "dashboard",
                "error": {"type": "missing_references"},
            }
        ],
    }
    result = invoke(make_settings(), "kibana", "import", "--url", fake_kibana)
    assert result.exit_code != 0
    assert "dashboard traceur-dashboard-overview" in str(result.exception)
    assert "missing_references" in str(result.exception)
