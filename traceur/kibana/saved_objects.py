"""Kibana, the analysts' second interface: Traceur's saved objects (a data view on the
read alias, saved searches, the dashboard) and their import through Kibana's API.

The objects ship as package data (``traceur/kibana/saved_objects/*.ndjson``); one saved
search per candidate of the watchlist is made from the "latest mentions" one.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traceur.config import Settings
from traceur.errors import ConfigError, TraceurError
from traceur.store.es_template import IndexNames
from traceur.watchlist import load_watchlist

SAVED_OBJECTS_DIR = Path(__file__).resolve().parent / "saved_objects"
# Saved searches made per watchlist candidate from the "latest mentions" search.
LATEST_SEARCH_ID = "traceur-search-latest"
CANDIDATE_SEARCH_PREFIX = "traceur-search-candidate-"


def saved_objects(
    settings: Settings, watchlist: Path | None, explicit: bool
) -> list[dict[str, Any]]:
    """The saved objects, for this index prefix and the candidates of ``watchlist``."""
    objects: list[dict[str, Any]] = []
    for path in sorted(SAVED_OBJECTS_DIR.glob("*.ndjson")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    objects.append(json.loads(line))
                except ValueError as exc:
                    raise TraceurError(f"{path}:{number}: not a JSON object ({exc})") from exc
    names = IndexNames(settings.es_index_prefix)
    for item in objects:
        if item.get("type") == "index-pattern":
            # The data view reads the read alias of the configured prefix.
            item["attributes"]["title"] = names.read_alias
    candidates = watchlist_candidates(watchlist, explicit)
    if candidates is None:
        return objects
    template = next((item for item in objects if item.get("id") == LATEST_SEARCH_ID), None)
    if template is None:
        raise TraceurError(
            f"{SAVED_OBJECTS_DIR}: no saved search {LATEST_SEARCH_ID!r}"
            " to build the candidates' searches from"
        )
    objects = [
        item for item in objects if not str(item.get("id", "")).startswith(CANDIDATE_SEARCH_PREFIX)
    ]
    for ident, name in candidates:
        made = json.loads(json.dumps(template))
        made["id"] = CANDIDATE_SEARCH_PREFIX + ident
        made["attributes"]["title"] = f"Mentions — {name}"
        made["attributes"]["description"] = (
            f"Les dernières mentions de {name}, les plus récentes d'abord."
        )
        source = json.loads(made["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        source["query"] = {"query": f'candidates : "{ident}"', "language": "kuery"}
        made["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"] = json.dumps(
            source, ensure_ascii=False, separators=(",", ":")
        )
        objects.append(made)
    return objects


def watchlist_candidates(path: Path | None, explicit: bool) -> list[tuple[str, str]] | None:
    if path is None:
        return None
    if not path.is_file() and not explicit:
        # The default watchlist is missing: keep the shipped searches (the example's candidates).
        return None
    loaded = load_watchlist(path)
    return [(candidate.id, candidate.name) for candidate in loaded.candidates]


def multipart(ndjson: str) -> tuple[bytes, str]:
    boundary = f"traceur-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="traceur.ndjson"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
    )
    body = head.encode("utf-8") + ndjson.encode("utf-8") + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def auth_header(settings: Settings) -> str | None:
    if settings.es_api_key:
        return f"ApiKey {settings.es_api_key}"
    if settings.es_username and settings.es_password:
        token = base64.b64encode(f"{settings.es_username}:{settings.es_password}".encode()).decode(
            "ascii"
        )
        return f"Basic {token}"
    return None


@dataclass(frozen=True)
class ImportRequest:
    """The saved-objects import as it will be sent (``--dry-run`` prints it)."""

    endpoint: str
    headers: dict[str, str]
    body: bytes
    count: int


def import_request(
    settings: Settings, url: str, space: str | None, objects: list[dict[str, Any]]
) -> ImportRequest:
    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError(f"--url: {url!r} is not an http:// or https:// URL")
    ndjson = "".join(
        json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in objects
    )
    body, content_type = multipart(ndjson)
    endpoint = f"{base}{f'/s/{space}' if space else ''}/api/saved_objects/_import?overwrite=true"
    headers = {"kbn-xsrf": "true", "Content-Type": content_type}
    auth = auth_header(settings)
    if auth:
        headers["Authorization"] = auth
    return ImportRequest(endpoint, headers, body, len(objects))


def send_import(settings: Settings, request: ImportRequest) -> int:
    """Send the import; the number of objects Kibana took. ``TraceurError`` when it refused."""
    base = request.endpoint.split("/api/saved_objects/", 1)[0]
    http = urllib.request.Request(
        request.endpoint, data=request.body, headers=request.headers, method="POST"
    )
    context = None
    if base.startswith("https://"):
        context = ssl.create_default_context(cafile=settings.es_ca_certs)
        if not settings.es_verify_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(http, timeout=60, context=context) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise TraceurError(f"Kibana at {base} answered {exc.code} to the import: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TraceurError(f"cannot reach Kibana at {base}: {exc}") from exc
    except ValueError as exc:
        raise TraceurError(f"Kibana at {base} answered something that is not JSON: {exc}") from exc
    if not answer.get("success"):
        problems = [
            f"{error.get('type')} {error.get('id')}:"
            f" {json.dumps(error.get('error'), ensure_ascii=False)}"
            for error in answer.get("errors", [])
        ]
        raise TraceurError(
            "Kibana refused part of the import:\n  " + "\n  ".join(problems or [json.dumps(answer)])
        )
    return int(answer.get("successCount", request.count))
