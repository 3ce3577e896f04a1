"""A robots.txt that cannot be fetched is one warning line in the crawl log, counted in the
run summary (not as an error: the pages are still fetched), never a traceback (Scrapy
logs one per site, with the whole stack, at ERROR)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass

pytestmark = pytest.mark.integration

HOST = "www.actu-val.example"
WATCHLIST = """\
candidates:
  - id: claire-martin
    name: Claire Martin
sources:
  - {{id: refusee, kind: site, url: 'http://localhost:{port}/articles/', every: 1h}}
"""


def test_a_refused_robots_txt_is_one_counted_line_without_traceback(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    with LocalWeb(Path(__file__).parent / "sites", default_host=HOST) as web:
        watchlist = tmp_path / "veille.yaml"
        watchlist.write_text(WATCHLIST.format(port=web.port), encoding="utf-8")
        # Loopback is forbidden this time: "localhost" and its robots.txt are refused.
        settings = make_settings(allow_networks=())
        summary = run_pass(settings, watchlist, quiet=True)

    log = (settings.data_dir / "crawl.log").read_text(encoding="utf-8")
    robots_lines = [line for line in log.splitlines() if "robots.txt" in line]
    assert len(robots_lines) == 1, robots_lines
    assert "WARNING" in robots_lines[0] and "[refusee]" in robots_lines[0]
    assert "not fetched" in robots_lines[0] and "crawled as if it had none" in robots_lines[0]
    assert "Traceback" not in log
    assert summary.sources["refusee"].robots_unreachable == 1
    assert "robots_txt" not in summary.sources["refusee"].errors
