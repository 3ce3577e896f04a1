"""What rules hold back: ``traceur status`` shows it (counts and Paris times, no content);
held matches and messages of a rule taken out of the watchlist are dropped, never sent;
a message held through quiet hours reaches a chat channel in its chat version.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from tests.chatsink import ChatSink
from tests.mailsink import MailSink
from traceur.alerts.channels import deliver_outbox
from traceur.cli import main
from traceur.config import Settings

from .test_alert_channels import channel_settings
from .test_alert_pacing import BRIEFS
from .test_alerts import Bench

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def chat() -> Iterator[ChatSink]:
    with ChatSink() as sink:
        yield sink


def brief(bench: Bench, n: int) -> str:
    source, title, text = BRIEFS[n]
    bench.store_docs(bench.document(title, text, source=source))
    return title


def around(now: dt.datetime) -> str:
    """Quiet hours from an hour before ``now`` to two hours after, Paris time."""
    local = now.astimezone(PARIS)
    start, end = local - dt.timedelta(hours=1), local + dt.timedelta(hours=2)
    return f"{start:%H:%M}-{end:%H:%M}"


def test_status_shows_what_each_rule_holds_with_paris_times_and_no_content(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    now = dt.datetime.now(dt.UTC)
    quiet = around(now)
    alerts = f"""\
  - id: lot
    kind: immediate
    name: Claire Martin par lots
    to: [equipe@example.org]
    candidates: [claire-martin]
    batch: 10m
  - id: nuit
    kind: immediate
    name: Claire Martin sans réveil
    to: [equipe@example.org]
    candidates: [claire-martin]
    batch: 0s
    quiet: "{quiet}"
  - id: synthese-nuit
    kind: digest
    name: Synthèse au calme
    to: [equipe@example.org]
    every: 1h
    quiet: "{quiet}"
  - id: plafond
    kind: immediate
    name: Claire Martin une fois l'heure
    to: [equipe@example.org]
    candidates: [claire-martin]
    batch: 0s
    cooldown: 0s
    max_per_hour: 1
  - id: rien
    kind: immediate
    name: Élodie Arnaud
    to: [equipe@example.org]
    candidates: [elodie-arnaud]
"""
    settings = make_settings(store=f"sqlite:///{tmp_path / 'docs.db'}", data_dir=tmp_path)
    bench = Bench(tmp_path, settings, alerts)
    for rule_id in ("lot", "nuit", "synthese-nuit", "plafond", "rien"):
        bench.evaluate(rule_id, now - dt.timedelta(hours=2))
    titles = [brief(bench, 0)]
    assert len(bench.evaluate("plafond", now - dt.timedelta(minutes=20)).queued) == 1
    titles.append(brief(bench, 1))
    for rule_id in ("lot", "nuit", "synthese-nuit", "plafond", "rien"):
        bench.evaluate(rule_id, now)
    bench.close()

    runner = CliRunner()
    path = str(tmp_path / "veille.yaml")
    shown = runner.invoke(main, ["status", "--watchlist", path], env=settings.to_env())
    as_json = runner.invoke(main, ["status", "--watchlist", path, "--json"], env=settings.to_env())
    assert shown.exit_code == 0, shown.output
    assert as_json.exit_code == 0, as_json.output

    def paris(moment: dt.datetime) -> str:
        return f"{moment.astimezone(PARIS):%Y-%m-%d %H:%M} Europe/Paris"

    quiet_end = dt.datetime.combine(
        now.astimezone(PARIS).date(), dt.time.fromisoformat(quiet[-5:]), tzinfo=PARIS
    )
    if quiet_end < now:
        quiet_end += dt.timedelta(days=1)
    lines = shown.output.splitlines()
    # Each "held" line sits under its own rule; the rule holding nothing has none.
    under = {
        next(lines[j].split()[0] for j in range(i, -1, -1) if not lines[j].startswith(" ")): line
        for i, line in enumerate(lines)
        if "↳ held:" in line
    }
    assert sorted(under) == ["lot", "nuit", "plafond", "synthese-nuit"]
    assert "gathering" in under["lot"] and "hourly limit" in under["plafond"]
    text = shown.output
    assert f"2 matches gathering in a batch until {paris(now + dt.timedelta(minutes=10))}" in text
    assert f"2 matches held for quiet hours until {paris(quiet_end)}" in text
    assert f"1 message held for quiet hours until {paris(quiet_end)}" in text
    assert (
        "1 match past the hourly limit, waiting until"
        f" {paris(now - dt.timedelta(minutes=20) + dt.timedelta(hours=1))}" in text
    )
    for title in titles:  # no content: counts and times only
        assert title not in text and title not in as_json.output

    report = {rule["id"]: rule for rule in json.loads(as_json.output)["alerts"]}
    lot = report["lot"]["held"]
    assert lot["timezone"] == "Europe/Paris" and lot["gathering"] == 2
    until = dt.datetime.fromisoformat(lot["gathering_until"])
    assert until.utcoffset() == (now + dt.timedelta(minutes=10)).astimezone(PARIS).utcoffset()
    assert abs(until - (now + dt.timedelta(minutes=10))) < dt.timedelta(seconds=1)
    assert report["nuit"]["held"]["quiet_matches"] == 2
    assert dt.datetime.fromisoformat(report["nuit"]["held"]["quiet_until"]) == quiet_end
    assert report["synthese-nuit"]["held"]["quiet_messages"] == 1
    assert report["plafond"]["held"]["limit"] == 1 and report["plafond"]["held"]["gathering"] == 0
    assert report["rien"]["held"]["gathering"] == 0 and report["rien"]["held"]["limit"] == 0
    assert report["rien"]["title"] == "Élodie Arnaud"


GATHERING = """\
  - id: claire-lots
    kind: immediate
    name: Claire Martin par lots
    to: [equipe@example.org]
    candidates: [claire-martin]
    batch: 30m
"""
NIGHT_DIGEST = """\
  - id: synthese-soir
    kind: digest
    name: Synthèse du soir
    to: [equipe@example.org]
    at: ["23:00"]
    quiet: "22:00-07:00"
"""
KEPT = """\
  - id: elodie-direct
    kind: immediate
    name: Élodie Arnaud en direct
    to: [equipe@example.org]
    candidates: [elodie-arnaud]
    batch: 0s
"""


def test_holds_of_a_rule_removed_from_the_watchlist_are_dropped_once_and_never_sent(
    tmp_path: Path, make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    settings = channel_settings(make_settings)
    bench = Bench(tmp_path, settings, GATHERING + NIGHT_DIGEST + KEPT)
    evening = dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)  # 23:00 in Paris
    for rule_id in ("claire-lots", "synthese-soir", "elodie-direct"):
        bench.evaluate(rule_id, evening - dt.timedelta(hours=10))
    brief(bench, 0)
    brief(bench, 2)
    bench.evaluate("claire-lots", evening)
    assert len(bench.evaluate("synthese-soir", evening).queued) == 1  # rendered, then held
    assert bench.queued() == []
    bench.close()

    # The team deletes both rules overnight; the scheduler reloads the watchlist.
    bench = Bench(tmp_path, settings, KEPT)
    morning = dt.datetime(2026, 11, 21, 7, 0, tzinfo=dt.UTC)
    with caplog.at_level(logging.WARNING, logger="traceur.alerts.holds"):
        bench.evaluate("elodie-direct", morning)
        bench.evaluate("elodie-direct", morning + dt.timedelta(minutes=1))
    assert bench.evaluator.dropped == {"claire-lots": (2, 0), "synthese-soir": (0, 1)}
    dropped = [r.getMessage() for r in caplog.records if "no longer in the watchlist" in r.message]
    assert dropped == [
        "alert rule claire-lots is no longer in the watchlist:"
        " dropped 2 held match(es) and 0 held message(s), never sent",
        "alert rule synthese-soir is no longer in the watchlist:"
        " dropped 0 held match(es) and 1 held message(s), never sent",
    ]
    bench.close()

    # Put back under the same ids, the rules start afresh: the old holds are gone.
    bench = Bench(tmp_path, settings, GATHERING + NIGHT_DIGEST + KEPT)
    later = morning + dt.timedelta(hours=2)
    bench.evaluate("claire-lots", later)
    bench.evaluate("synthese-soir", later)
    assert bench.evaluator.dropped == {}
    assert bench.queued() == []
    assert bench.state.rows("SELECT COUNT(*) FROM held_matches") == [(0,)]
    assert bench.state.rows("SELECT COUNT(*) FROM held_messages") == [(0,)]
    bench.close()


def test_a_digest_held_overnight_reaches_the_chat_in_its_chat_version_in_the_morning(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    hook = chat.url("json", "/crochets/veille")
    alerts = NIGHT_DIGEST.replace("to: [equipe@example.org]", f'to: [equipe@example.org, "{hook}"]')
    with MailSink() as mail:
        settings = channel_settings(
            make_settings,
            smtp_host=mail.host,
            smtp_port=mail.port,
            smtp_security="none",
            smtp_from="Veille Traceur <veille@example.org>",
        )
        bench = Bench(tmp_path, settings, alerts)
        evening = dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)  # 23:00 in Paris
        bench.evaluate("synthese-soir", evening - dt.timedelta(hours=10))
        title = brief(bench, 3)
        assert len(bench.evaluate("synthese-soir", evening).queued) == 1
        assert deliver_outbox(settings, bench.state, evening).sent == []
        bench.close()  # a restart overnight: the held message is read back from alerts.db

        bench = Bench(tmp_path, settings, alerts)
        morning = dt.datetime(2026, 11, 21, 6, 1, tzinfo=dt.UTC)  # 07:01 in Paris
        bench.evaluate("synthese-soir", morning)
        delivery = deliver_outbox(settings, bench.state, morning)
        (email,) = mail.wait_for(1)
        bench.close()

    assert len(delivery.sent) == 2 and delivery.failed == {}
    (received,) = chat.accepted("/crochets/veille")
    payload = received.json()
    assert payload["title"] == "Synthèse « Synthèse du soir » — 1 nouveau document"
    assert f"• {title} — Actu du Val" in payload["message"]
    assert "Claire Martin : 1 document" in payload["message"]
    # Not the email's text: its subject, its footer and its layout stay in the email.
    plain = email.part("plain")
    assert "Règle « Synthèse du soir »" in plain
    assert "Règle «" not in payload["message"]
    assert payload["title"] != email.subject and payload["message"] != plain.strip()
