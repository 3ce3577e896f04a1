"""A feed crawl of a site whose pages print no date but carry years in their stylesheet,
script and image URLs and a "© 2009-2026" footer: the stored publication dates are
the feed entries' minutes, not a year guessed from the page. The crawl runs in its own
process, as in production. A second, homemade feed of the same site prints its dates
through a French locale ("mar., 17 nov. 2026 14:05:00 +0100"), in windows-1252."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass
from traceur.store import open_store

pytestmark = pytest.mark.integration

HOST = "www.gazette-des-marais.example"
WATCHLIST = f"""\
candidates:
  - id: octave-bouju
    name: Octave Bouju
topics:
  - id: digues
    keywords: ["digue", "submersion"]
sources:
  - {{id: gazette, kind: feed, url: 'http://{HOST}/rss/politique.xml', every: 10m}}
"""


def stored_dates(settings: Settings) -> dict[str, datetime | None]:
    """Each stored page's publication date, by the last part of its address."""
    store = open_store(settings)
    try:
        return {
            doc.canonical_url.rsplit("/", 1)[-1]: doc.published_at for doc in store.iter_documents()
        }
    finally:
        store.close()


def test_feed_minutes_are_stored_over_years_read_in_asset_urls(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")

    summary = run_pass(settings, watchlist, quiet=True)

    assert summary.total("new") == 3
    assert stored_dates(settings) == {
        # pubDate "Tue, 17 Nov 2026 14:05:00 +0100" and so on, in UTC.
        "digues-du-lay-emprunt.html": datetime(2026, 11, 17, 13, 5, tzinfo=UTC),
        "liste-octave-bouju.html": datetime(2026, 11, 16, 6, 42, tzinfo=UTC),
        "college-vix-renovation.html": datetime(2026, 11, 14, 22, 58, tzinfo=UTC),
    }


def test_feed_dates_printed_with_french_day_and_month_names_are_the_entries_minutes(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(sites_web)
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(WATCHLIST.replace("rss/politique.xml", "rss/agenda.xml"), encoding="utf-8")

    summary = run_pass(settings, watchlist, quiet=True)

    assert summary.total("new") == 3
    assert stored_dates(settings) == {
        # "+0100"; no zone at all (Paris time); "CET".
        "digues-du-lay-emprunt.html": datetime(2026, 11, 17, 13, 5, tzinfo=UTC),
        "liste-octave-bouju.html": datetime(2026, 11, 16, 6, 42, tzinfo=UTC),
        "college-vix-renovation.html": datetime(2026, 11, 14, 22, 58, tzinfo=UTC),
    }
