"""A feed entry already past its kind's retention is not collected (README, "Données
personnelles": a page `traceur purge` removed must not come back at the next pass)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_crawl import HOST, paths, stored, write_watchlist
from traceur.cli.collect import _print_summary
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import DEMO_WATCHLIST
from traceur.orchestra.launch import PassSummary, SourceSummary
from traceur.orchestra.passes import run_pass
from traceur.privacy.retention import parse_policy
from traceur.watchlist import load_watchlist

pytestmark = pytest.mark.integration

# tests/sites/www.actu-val.example/feeds/politique.xml dates its three entries on 5, 7 and
# 8 November 2026 (18:40, 07:15 and 09:00 UTC).
# (the feed links it with tracking parameters: the request path starts with it).
OLDEST_ENTRY = "/articles/conseil-municipal-houleux.html"


def test_a_feed_entry_older_than_its_kind_retention_is_neither_fetched_nor_stored(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # An article period ending on 6 November (a whole number of days before now, so the
    # cutoff falls between the first entry and the second, whatever today is).
    days = (datetime.now(UTC) - datetime(2026, 11, 6, tzinfo=UTC)).days
    base = make_settings(sites_web)
    settings = base.replace(
        retention=parse_policy(f"article={days}d", base.retention, from_env=True)
    )
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: actu, kind: feed, url: 'http://{HOST}/feeds/politique.xml', every: 10m}}\n",
    )

    summary = run_pass(settings, watchlist, quiet=True)

    assert summary.total("new") == 2
    assert summary.total("too_old") == 1
    assert not any(path.startswith(OLDEST_ENTRY) for path in paths(sites_web))
    assert not any(url.endswith(OLDEST_ENTRY) for url in stored(settings))
    # With the campaign's 24 months, the same entry is collected.
    again = run_pass(make_settings(sites_web), watchlist, quiet=True)
    assert again.total("new") == 1
    assert again.total("too_old") == 0
    assert any(path.startswith(OLDEST_ENTRY) for path in paths(sites_web))


def test_the_pass_summary_says_how_many_entries_retention_and_erasures_kept_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = PassSummary(
        sources={
            "actu": SourceSummary(new=2, too_old=3),
            "forum": SourceSummary(new=1, privacy_skipped=2),
        },
        seconds=4.2,
    )

    _print_summary(summary, load_watchlist(DEMO_WATCHLIST))

    out = capsys.readouterr().out
    assert "past their retention period, not collected: 3" in out
    assert "an erasure request forgot them: 2" in out
