"""``traceur forget`` in the corners of the data directory: the web app's saved searches,
rotated logs an operator's logrotate compressed, and the crash log (in the data directory,
or in the temporary folder when the data directory could not be used)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from traceur.config import Settings
from traceur.privacy import logfiles
from traceur.privacy.forget import ForgetTarget, forget
from traceur.privacy.logfiles import CRASH_LOG_NAME, write_crash_log
from traceur.web.accounts import (
    add_user,
    get_user,
    open_accounts,
    save_search,
    saved_searches,
)

AUTHOR = "Yannick Le Goff"
HIS_LINE = (
    "2026-11-20 08:02:11 [pipelines.store] DEBUG: stored forum_post by Yannick Le Goff:"
    " « la déchetterie de Kerhuel ferme trop tôt le samedi »\n"
)
OTHER_LINE = "2026-11-20 08:02:12 [crawler.progress] INFO: forum-kerhuel: 14 pages, 0 erreur\n"


def _save(data_dir: Path) -> None:
    db = open_accounts(data_dir)
    try:
        camille = add_user(db, "camille", "coordination", "mot-de-passe-solide")
        # The web app keeps a search as its query string: the name is percent-encoded.
        save_search(db, camille, "Suivi Le Goff", urlencode({"auteur": AUTHOR}), shared=True)
        save_search(db, camille, "Déchetterie", urlencode({"q": "Yannick Le Goff déchetterie"}))
        save_search(db, camille, "Budget municipal", urlencode({"q": "budget", "type": "article"}))
    finally:
        db.close()


def _names(data_dir: Path) -> list[str]:
    db = open_accounts(data_dir)
    try:
        return sorted(s.name for s in saved_searches(db, get_user(db, "camille")))
    finally:
        db.close()


def test_saved_searches_naming_the_author_are_forgotten_and_the_others_kept(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    _save(data_dir)

    dry = forget(settings, ForgetTarget("author", AUTHOR), by="dpo", dry_run=True)
    assert dry.removed["saved_searches"] == 2
    assert len(_names(data_dir)) == 3
    report = forget(settings, ForgetTarget("author", AUTHOR), by="dpo", dry_run=False)

    assert report.removed["saved_searches"] == 2
    assert _names(data_dir) == ["Budget municipal"]
    raw = b"".join(p.read_bytes() for p in data_dir.glob("web.db*"))
    assert b"Goff" not in raw  # compacted: not even in a freed page


def test_compressed_rotated_logs_and_both_crash_logs_lose_the_author_s_lines(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("crawl.log.2.gz", "schedule.log-20261121.gz"):
        (data_dir / name).write_bytes(gzip.compress((HIS_LINE + OTHER_LINE).encode()))
    # A crash while searching his name: the command line names him, in both crash logs.
    argv = ["search", "--author", AUTHOR]
    assert write_crash_log(ZeroDivisionError("panne"), argv, data_dir) == data_dir / CRASH_LOG_NAME
    assert write_crash_log(ZeroDivisionError("panne"), argv, None) == logfiles.fallback_crash_log()

    report = forget(settings, ForgetTarget("author", AUTHOR), by="dpo", dry_run=False)

    assert report.removed["log_lines"] == 4
    for name in ("crawl.log.2.gz", "schedule.log-20261121.gz"):
        assert gzip.decompress((data_dir / name).read_bytes()).decode() == OTHER_LINE
    for crash in (data_dir / CRASH_LOG_NAME, logfiles.fallback_crash_log()):
        text = crash.read_text(encoding="utf-8")
        assert "Le Goff" not in text and "ZeroDivisionError: panne" in text
    assert not list(data_dir.glob("*.tmp"))
