"""The read-only JSON API with bearer tokens, over the real app and store."""

from __future__ import annotations

import json
from urllib.parse import quote

from playwright.sync_api import Page

from tests.web.conftest import BOTH_STORES, WebServer, login
from tests.web.corpus import HOSTILE_AUTHOR, HOSTILE_ID, HOSTILE_TEXT, HOSTILE_TITLE, WIRE_TITLE
from traceur.web.accounts import open_accounts, set_disabled


def test_without_a_token_or_with_a_wrong_one_the_api_answers_401_in_json(web: WebServer) -> None:
    for token in (None, "trc_invente", "pas-un-jeton"):
        status, headers, body = web.get("/api/search?q=tramway", token=token)
        assert status == 401
        assert headers["www-authenticate"] == "Bearer"
        assert "jeton" in json.loads(body)["erreur"]
    status, _, _ = web.get(f"/api/documents/{HOSTILE_ID}")
    assert status == 401


def test_a_logged_in_browser_session_alone_does_not_open_the_api(
    web: WebServer, page: Page
) -> None:
    # Only the token counts: another site cannot make a volunteer's browser read the API.
    login(page, web, "camille")
    assert page.request.get(web.url + "/api/search?q=tramway").status == 401


@BOTH_STORES
def test_search_with_a_token_finds_documents_with_triage_and_highlights(
    web: WebServer, store_kind: str
) -> None:
    token = web.token("lea")
    status, found = web.get_json("/api/search?q=tramway&candidate=claire-martin", token)
    assert status == 200
    titles = [doc["title"] for doc in found["documents"]]
    assert titles.count(WIRE_TITLE) == 2
    assert found["total"] == len(found["documents"]) >= 3
    first = found["documents"][0]
    assert "text" not in first
    assert first["triage"] == {
        "state": "nouveau",
        "assignee": None,
        "revision": 0,
        "updated_at": None,
        "updated_by": None,
    }
    assert any("«tramway»" in h.lower() for doc in found["documents"] for h in doc["highlights"])


@BOTH_STORES
def test_search_filters_by_kind_and_since(web: WebServer, store_kind: str) -> None:
    token = web.token("sami")
    status, forum = web.get_json("/api/search?kind=forum_post&limit=100", token)
    assert status == 200
    assert {doc["kind"] for doc in forum["documents"]} == {"forum_post"}
    assert len(forum["documents"]) == 4
    status, recent = web.get_json("/api/search?since=6h", token)
    assert status == 200
    # Only the video (3 h ago) and the hostile post (2 h ago) are that recent.
    assert {doc["kind"] for doc in recent["documents"]} == {"video", "forum_post"}
    assert len(recent["documents"]) == 2


def test_a_malformed_query_or_parameter_is_a_400_saying_where_in_french(web: WebServer) -> None:
    token = web.token("lea")
    status, answer = web.get_json("/api/search?q=" + quote('tramway AND ("gare'), token)
    assert status == 400
    assert answer["erreur"].startswith("requête mal formée, colonne")
    assert isinstance(answer["colonne"], int)
    status, answer = web.get_json("/api/search?kind=tract", token)
    assert status == 400 and "kind" in answer["erreur"]
    status, answer = web.get_json("/api/search?since=la-semaine-derniere", token)
    assert status == 400 and "durée" in answer["erreur"]
    status, answer = web.get_json("/api/search?limit=100000", token)
    assert status == 400


@BOTH_STORES
def test_a_document_comes_with_every_exported_field_and_its_triage(
    web: WebServer, store_kind: str
) -> None:
    token = web.token("lea")
    wanted = next(doc for doc in web.docs if doc.kind == "video")
    status, found = web.get_json(f"/api/documents/{wanted.id}", token)
    assert status == 200
    exported = json.loads(json.dumps(web.store.get(wanted.id).to_dict()))  # type: ignore[union-attr]
    triage = found.pop("triage")
    assert found == exported
    assert found["video"]["channel"] == "Télé Val — politique"
    assert triage["state"] == "nouveau"
    status, missing = web.get_json("/api/documents/aucun-document-de-ce-nom", token)
    assert status == 404 and "aucun document" in missing["erreur"]


def test_the_hostile_document_comes_back_verbatim_as_json_text(web: WebServer) -> None:
    status, headers, body = web.get(f"/api/documents/{HOSTILE_ID}", web.token("lea"))
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    found = json.loads(body)
    assert found["title"] == HOSTILE_TITLE
    assert found["author"] == HOSTILE_AUTHOR
    assert found["text"] == HOSTILE_TEXT


def test_a_new_token_replaces_the_old_and_a_disabled_account_loses_api_access(
    web: WebServer,
) -> None:
    first = web.token("hugo")
    assert web.get("/api/search", first)[0] == 200
    web.tokens.pop("hugo")
    second = web.token("hugo")
    assert web.get("/api/search", first)[0] == 401
    assert web.get("/api/search", second)[0] == 200
    db = open_accounts(web.settings.data_dir)
    set_disabled(db, "hugo")
    db.close()
    assert web.get("/api/search", second)[0] == 401


@BOTH_STORES
def test_triage_set_by_a_volunteer_shows_in_the_api(web: WebServer, store_kind: str) -> None:
    wire = next(doc for doc in web.docs if doc.cluster_id)
    web.store.update_triage(
        wire.id, by="sami", expected_revision=0, state="a_traiter", assignee="lea"
    )
    token = web.token("lea")
    status, found = web.get_json(f"/api/documents/{wire.id}", token)
    assert status == 200
    triage = found["triage"]
    assert (triage["state"], triage["assignee"], triage["updated_by"]) == (
        "a_traiter",
        "lea",
        "sami",
    )
    assert triage["revision"] == 1 and triage["updated_at"].endswith("Z")
    status, listed = web.get_json("/api/search?q=tramway&limit=50", token)
    states = {doc["id"]: doc["triage"]["state"] for doc in listed["documents"]}
    assert states[wire.id] == "a_traiter"
    assert list(states.values()).count("nouveau") == len(states) - 1


def test_search_pages_through_results_with_offset(web: WebServer) -> None:
    token = web.token("lea")
    status, first = web.get_json("/api/search?limit=4", token)
    assert status == 200 and first["total"] == len(web.docs) == 10
    status, rest = web.get_json("/api/search?limit=4&offset=4", token)
    assert status == 200 and rest["offset"] == 4
    first_ids = [doc["id"] for doc in first["documents"]]
    rest_ids = [doc["id"] for doc in rest["documents"]]
    assert len(first_ids) == len(rest_ids) == 4 and not set(first_ids) & set(rest_ids)
    assert web.get_json("/api/search?offset=-1", token)[0] == 400
