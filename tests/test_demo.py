"""`traceur demo` end to end: the bundled mini-web, served locally, crawled in a child
process, checked against the hand-labelled ground truth of tests/demo_truth.yaml."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from traceur.config import load_settings
from traceur.document import Document
from traceur.privacy.pseudonyms import pseudonyms_for
from traceur.store.sqlite import SqliteStore
from traceur.web.accounts import authenticate, open_accounts

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
    # Forum and comment authors are stored pseudonymised (the default), with the key the
    # demo made in its data directory.
    stored = pseudonyms_for(
        load_settings(environ={"TRACEUR_DATA_DIR": str(tmp_path / "data")})
    ).stored_author

    assert set(docs) == {entry["url"] for entry in TRUTH["documents"]}
    for entry in TRUTH["documents"]:
        doc = docs[entry["url"]]
        assert sorted(doc.candidates) == sorted(entry["candidates"]), entry["url"]
        assert sorted(doc.topics) == sorted(entry.get("topics") or []), entry["url"]
        assert doc.kind == entry["kind"], entry["url"]
        assert doc.title == entry["title"], entry["url"]
        if entry.get("author"):
            assert doc.author == stored(doc.kind, entry["author"]), entry["url"]
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
    # The demo account exists already: its password is not shown (nor changed) again.
    assert "with the password the first demo printed" in second_run.stdout
    assert "shown this once" not in second_run.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_ends_with_the_web_command_and_a_demo_account_that_logs_in(tmp_path: Path) -> None:
    completed = run_demo(tmp_path)
    out = completed.stdout
    tail = out[out.index("The volunteers' web app on these documents:") :].splitlines()
    command, url = tail[1].strip(), tail[2].strip()
    assert command.endswith(" traceur web")
    assert url == "then open http://127.0.0.1:8080/"
    found = re.search(r"log in as demo \(role coordination\) with the password (\S+)", out)
    assert found, out
    password = found.group(1)
    db = open_accounts(tmp_path / "data")
    try:
        user = authenticate(db, "demo", password)
        assert user is not None and user.role == "coordination"
    finally:
        db.close()

    # The printed command, run as printed (on a free port instead of 8080), serves the demo
    # documents to the demo account.
    words = shlex.split(command)
    env = {**os.environ}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert env["TRACEUR_STORE"] == f"sqlite:///{tmp_path / 'demo.db'}"
    port = _free_port()
    assert words == ["traceur", "web"]
    server = subprocess.Popen(
        [sys.executable, "-m", "traceur", "web", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 60
        while True:
            try:
                form = browser.open(f"{base}/connexion", timeout=10).read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "traceur web did not start"
                time.sleep(0.2)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, form
        fields = {
            "csrf_token": token.group(1),
            "nom": "demo",
            "mot_de_passe": password,
            "suivant": "/recherche",
        }
        with browser.open(
            f"{base}/connexion", data=urllib.parse.urlencode(fields).encode(), timeout=30
        ) as answer:
            page = answer.read().decode("utf-8")
            assert answer.status == 200 and answer.url == f"{base}/recherche"
        # A title of the demo web among the documents listed.
        titles = {entry["title"] for entry in TRUTH["documents"]}
        assert any(title.replace("'", "&#39;") in page or title in page for title in titles)
    finally:
        server.terminate()
        server.wait(timeout=30)
