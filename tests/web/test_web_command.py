"""`traceur web` serves the app from the command line, on 127.0.0.1 by default."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.web.conftest import _free_port


def test_traceur_web_serves_the_login_page_on_the_loopback_address(tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "traceur.yaml"
    config.write_text(
        f"store: sqlite:///{tmp_path / 'traceur.db'}\ndata_dir: {tmp_path / 'data'}\n"
        f"web_port: {port}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "TRACEUR_WEB_SECRET": "cle-de-test-" + "x" * 40}
    process = subprocess.Popen(
        [sys.executable, "-m", "traceur", "--config", str(config), "web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion") as answer:
                    body = answer.read().decode("utf-8")
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert "Se connecter" in body, process.stdout.read() if process.poll() is not None else ""
        # The key came from the environment: none was written to the data directory.
        assert not (tmp_path / "data" / "web-secret").exists()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in output
