"""Alert channels through Apprise: webhooks (``json://``), ntfy and a Matrix webhook bridge,
each a real HTTP receiver on 127.0.0.1 (``tests/chatsink.py``).

What is pinned: one message per alert and channel, with candidate names and links to the
web app; a channel that fails is retried with backoff and receives each message once,
across a restart and a ten-minute outage (the outbox's clock is moved, nothing sleeps
but the restart test); secrets only from the environment, checked by ``traceur check``
with file:line; email goes on as before beside the channels.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.chatsink import ChatSink
from tests.mailsink import MailSink
from traceur.alerts.channels import MESSAGE_ID_HEADER, deliver_outbox
from traceur.alerts.evaluate import Evaluator, SourceProblem
from traceur.alerts.outbox import AlertState
from traceur.cli import main
from traceur.config import Settings
from traceur.enrich.tagging import Tagger
from traceur.watchlist.loader import load_watchlist

from .test_alerts import HEALTH, NOW, SPIKE, WATCHLIST, Bench, part, write_watchlist

pytestmark = pytest.mark.integration

WEB = "https://veille.campagne.example"
SLACK_IN_CLEAR = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#veille"


@pytest.fixture
def chat() -> Iterator[ChatSink]:
    with ChatSink() as sink:
        yield sink


def channel_settings(make_settings: Callable[..., Settings], **changes: object) -> Settings:
    # Delivery without pacing (batches, cooldowns, hourly limit): tests/test_alert_pacing.py
    # pins those; here each alert goes at once.
    unpaced = {"alert_batch_seconds": 0, "alert_cluster_cooldown_seconds": 0}
    return make_settings(
        **{"web_base_url": WEB, "alert_retry_seconds": 30, **unpaced, "alert_max_per_hour": 0}
        | changes
    )


def rule(to: list[str], rule_id: str = "claire-partout") -> str:
    recipients = ", ".join(f'"{r}"' for r in to)
    return f"""\
  - id: {rule_id}
    kind: immediate
    name: Claire Martin partout
    to: [{recipients}]
    candidates: [claire-martin]
"""


def queue_alerts(bench: Bench, rule_id: str, titles: list[str]) -> list[str]:
    """One immediate alert per title (each evaluated on its own); their document ids."""
    bench.evaluate(rule_id, NOW - dt.timedelta(minutes=5))
    ids = []
    for n, title in enumerate(titles):
        doc = bench.document(title, f"{title}. Claire Martin a répondu aux habitants du quartier.")
        bench.store_docs(doc)
        bench.evaluate(rule_id, NOW - dt.timedelta(seconds=len(titles) - n))
        ids.append(doc.id)
    return ids


def test_webhook_and_ntfy_receive_one_message_per_alert_with_names_and_links(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    webhook, ntfy = chat.url("json", "/crochets/veille"), chat.url("ntfy", "/equipe-numerique")
    with MailSink() as mail:
        settings = channel_settings(
            make_settings,
            smtp_host=mail.host,
            smtp_port=mail.port,
            smtp_security="none",
            smtp_from="Veille Traceur <veille@example.org>",
        )
        bench = Bench(tmp_path, settings, rule(["equipe-numerique@example.org", webhook, ntfy]))
        titles = ["Claire Martin inaugure la médiathèque", "Claire Martin et le tramway"]
        ids = queue_alerts(bench, "claire-partout", titles)

        delivery = deliver_outbox(settings, bench.state, NOW)
        # Twice the same pass later: nothing goes twice.
        again = deliver_outbox(settings, bench.state, NOW + dt.timedelta(hours=1))
        emails = mail.wait_for(2)
        bench.close()

    assert len(delivery.sent) == 6 and delivery.failed == {} and delivery.remaining == 0
    assert again.sent == []
    hooks = chat.accepted("/crochets/veille")
    assert len(hooks) == 2
    assert len({h.headers[MESSAGE_ID_HEADER.lower()] for h in hooks}) == 2
    for hook, title, doc_id in zip(hooks, titles, ids, strict=True):
        payload = hook.json()
        assert payload["title"] == "Claire Martin — nouvelle mention"
        assert f"• {title} — Actu du Val" in payload["message"]
        assert f"{WEB}/document/{doc_id}" in payload["message"]
        assert "claire-martin" not in hook.text() and doc_id not in payload["title"]
    pushed = [r.json() for r in chat.accepted("/") if r.path == "/"]
    assert [p["topic"] for p in pushed] == ["equipe-numerique", "equipe-numerique"]
    assert [p["title"] for p in pushed] == ["Claire Martin — nouvelle mention"] * 2
    assert titles[1] in pushed[1]["message"] and f"{WEB}/document/{ids[1]}" in pushed[1]["message"]
    # The email is the email it always was: to the address only, the URLs in no header.
    assert len(emails) == 2
    assert {m.message["To"] for m in emails} == {"equipe-numerique@example.org"}
    assert all(m.recipients == ("equipe-numerique@example.org",) for m in emails)


def test_matrix_bridge_failing_then_recovering_gets_the_message_once_after_backoff(
    tmp_path: Path,
    make_settings: Callable[..., Settings],
    chat: ChatSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Matrix webhook bridge's token is a secret: it comes from the environment.
    monkeypatch.setenv(
        "TRACEUR_MATRIX_URL", chat.url("matrix", "/?mode=slack").replace("://", "://jeton-9f3@")
    )
    settings = channel_settings(make_settings)
    bench = Bench(tmp_path, settings, rule(["env:TRACEUR_MATRIX_URL"]))
    queue_alerts(bench, "claire-partout", ["Claire Martin défend le budget des écoles"])
    chat.status = 500

    first = deliver_outbox(settings, bench.state, NOW)
    assert first.sent == [] and first.remaining == 1
    (error,) = first.failed.values()
    assert "env:TRACEUR_MATRIX_URL did not take the message" in error and "500" in error
    assert "jeton-9f3" not in error
    assert deliver_outbox(settings, bench.state, NOW + dt.timedelta(seconds=29)).failed == {}
    second = deliver_outbox(settings, bench.state, NOW + dt.timedelta(seconds=31))
    assert len(second.failed) == 1  # retried after 30 s, then waits 60 s
    assert deliver_outbox(settings, bench.state, NOW + dt.timedelta(seconds=80)).failed == {}
    assert len(chat.requests()) == 2

    chat.status = 200
    back = deliver_outbox(settings, bench.state, NOW + dt.timedelta(seconds=92))
    later = deliver_outbox(settings, bench.state, NOW + dt.timedelta(hours=3))
    bench.close()

    assert len(back.sent) == 1 and back.remaining == 0 and later.sent == []
    (received,) = chat.accepted()
    assert received.path == "/api/v1/matrix/hook/jeton-9f3"
    attachment = received.json()["attachments"][0]
    assert attachment["title"] == "Claire Martin — nouvelle mention"
    assert "Claire Martin défend le budget des écoles" in attachment["text"]
    assert received.json()["username"] == "Traceur"
    assert len(chat.requests()) == 3


def test_a_channel_down_for_ten_minutes_loses_and_doubles_nothing(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    settings = channel_settings(make_settings)
    webhook = chat.url("json", "/veille")
    bench = Bench(tmp_path, settings, rule([webhook]))
    titles = [
        "Claire Martin au marché de Noël",
        "Claire Martin répond sur la ligne de bus",
        "Claire Martin visite le lycée Descartes",
    ]
    queue_alerts(bench, "claire-partout", titles)
    chat.status = 503
    clock = NOW
    failures = 0
    while clock < NOW + dt.timedelta(minutes=10):
        delivery = deliver_outbox(settings, bench.state, clock)
        assert delivery.sent == []
        failures += len(delivery.failed)
        clock += dt.timedelta(seconds=5)
    # Backoff from 30 s, doubling: tried at 0, 30, 90, 210 and 450 s, not every 5 s.
    assert len(chat.requests()) == 5
    assert failures == 15  # the two others wait with the first, without a request each
    assert bench.state.queued_count() == 3

    chat.status = 200
    while clock < NOW + dt.timedelta(minutes=30):
        deliver_outbox(settings, bench.state, clock)
        clock += dt.timedelta(seconds=5)
    statuses = Counter(status for _, status, _, _ in bench.state.messages())
    bench.close()

    received = chat.accepted()
    assert sorted(r.json()["message"].split(" — ")[0].lstrip("• ") for r in received) == sorted(
        titles
    )
    assert Counter(r.headers[MESSAGE_ID_HEADER.lower()] for r in received).most_common(1)[0][1] == 1
    assert statuses == Counter({"sent": 3})


def test_a_webhook_that_times_out_after_receiving_gets_the_retry_with_the_same_message_id(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    # The receiver takes the message but answers after the client stopped waiting: the
    # sender cannot know, so it retries, as email does; the id lets the receiver drop it.
    settings = channel_settings(make_settings)
    bench = Bench(tmp_path, settings, rule([chat.url("json", "/veille?rto=0.5")]))
    queue_alerts(bench, "claire-partout", ["Claire Martin à la fête de quartier"])
    chat.delay = 1.5
    timed_out = deliver_outbox(settings, bench.state, NOW)
    assert timed_out.sent == [] and timed_out.remaining == 1
    chat.delay = 0.0
    back = deliver_outbox(settings, bench.state, NOW + dt.timedelta(seconds=31))
    bench.close()
    assert len(back.sent) == 1 and back.remaining == 0
    first, second = chat.requests("/veille")
    assert first.headers[MESSAGE_ID_HEADER.lower()] == second.headers[MESSAGE_ID_HEADER.lower()]
    assert first.json()["message"] == second.json()["message"]


def test_an_env_channel_unset_at_send_time_is_a_counted_failure_kept_for_retry(
    tmp_path: Path,
    make_settings: Callable[..., Settings],
    chat: ChatSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRACEUR_WEBHOOK_VEILLE", raising=False)
    settings = channel_settings(make_settings)
    bench = Bench(tmp_path, settings, rule(["env:TRACEUR_WEBHOOK_VEILLE"]))
    queue_alerts(bench, "claire-partout", ["Claire Martin et les logements sociaux"])

    unset = deliver_outbox(settings, bench.state, NOW)
    assert unset.remaining == 1
    (error,) = unset.failed.values()
    assert "TRACEUR_WEBHOOK_VEILLE is not set" in error
    assert bench.state.activity("claire-partout").last_error == error

    monkeypatch.setenv("TRACEUR_WEBHOOK_VEILLE", chat.url("json", "/veille"))
    back = deliver_outbox(settings, bench.state, NOW + dt.timedelta(seconds=31))
    bench.close()
    assert len(back.sent) == 1 and back.remaining == 0
    assert len(chat.accepted("/veille")) == 1


def test_the_outbox_survives_a_restart_between_failure_and_recovery(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    # The processes below find the Bench's store and alert state through these settings.
    settings = channel_settings(
        make_settings,
        alert_retry_seconds=1,
        store=f"sqlite:///{tmp_path / 'docs.db'}",
        data_dir=tmp_path,
    )
    webhook = chat.url("json", "/veille")
    bench = Bench(tmp_path, settings, rule([webhook]))
    queue_alerts(bench, "claire-partout", ["Claire Martin signe la charte des associations"])
    bench.close()
    env = {
        **os.environ,
        **settings.to_env(),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    command = [
        sys.executable,
        "-m",
        "traceur",
        "alerts",
        "run",
        "--watchlist",
        str(tmp_path / "veille.yaml"),
    ]
    chat.status = 500
    down = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert down.returncode != 0 and "did not take the message" in down.stderr
    assert "Traceback" not in down.stderr
    assert len(chat.requests()) == 1

    chat.status = 200
    time.sleep(1.2)  # the 1 s backoff, in a new process: its clock is the real one
    up = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    assert again.returncode == 0, again.stderr
    (received,) = chat.accepted()
    assert "Claire Martin signe la charte des associations" in received.json()["message"]
    with AlertState(tmp_path / "alerts.db") as state:
        assert [(status, attempts) for _, status, _, attempts in state.messages()] == [("sent", 2)]


def test_check_refuses_a_secret_in_clear_and_an_unknown_scheme_with_file_and_line(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    path = write_watchlist(
        tmp_path,
        f"""\
  - id: claire-partout
    kind: immediate
    to:
      - equipe-numerique@example.org
      - "{SLACK_IN_CLEAR}"
      - "gopher://veille.example.org/alertes"
      - "env:TRACEUR-SLACK"
    candidates: [claire-martin]
""",
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    slack_line = next(n for n, text in enumerate(lines, 1) if "slack://" in text)
    settings = make_settings()
    result = CliRunner().invoke(main, ["check", str(path)], env=settings.to_env())
    assert result.exit_code == 2
    output = result.output
    assert (
        f"{path}:{slack_line}: alerts[0].to[1]: this slack:// URL carries a secret"
        " (token or password) written in clear; put the URL in an environment variable"
    ) in output
    assert 'e.g. to: ["env:TRACEUR_SLACK_URL"]' in output
    assert f"{path}:{slack_line + 1}: alerts[0].to[2]: unknown scheme gopher://" in output
    assert f"{path}:{slack_line + 2}: alerts[0].to[3]: 'env:TRACEUR-SLACK' does not name" in output
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in output  # the secret is not repeated
    assert "Traceback" not in output


def test_check_accepts_env_channels_and_warns_about_an_unset_variable(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    path = write_watchlist(
        tmp_path,
        rule(
            [
                "env:TRACEUR_SLACK_URL",
                "env:TRACEUR_NTFY_URL",
                "ntfy://ntfy.campagne.example/veille",
                "json://crochets.campagne.example/veille",
            ]
        ),
    )
    env = {
        **make_settings().to_env(),
        "TRACEUR_SLACK_URL": SLACK_IN_CLEAR,  # a secret is at home in the environment
        "TRACEUR_NTFY_URL": "",
    }
    result = CliRunner().invoke(main, ["check", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 alert rules" in result.output
    assert (
        "warning: env:TRACEUR_NTFY_URL: the environment variable TRACEUR_NTFY_URL is not set"
        in result.output
    )
    assert "TRACEUR_SLACK_URL" not in result.output
    # Only chat recipients: no mail server is needed, so no warning about one.
    assert "no mail server" not in result.output


NAMELESS_SOURCE = """\
  - id: gn-politique
    kind: site
    url: "http://www.gazette-du-nord.example/politique/"
    every: 1h
"""


def test_people_read_names_not_ids_in_subjects_digests_and_chat(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    settings = channel_settings(make_settings)
    alerts = f"""\
  - id: synthese-elus
    kind: digest
    name: Synthèse des élus
    to: [equipe@example.org, "{chat.url("json", "/synthese")}"]
    candidates: [jean-baptiste-lefort, claire-martin]
    every: 1h
  - id: lefort-direct
    kind: immediate
    to: [equipe@example.org, "{chat.url("json", "/direct")}"]
    candidates: [jean-baptiste-lefort]
"""
    bench = Bench(tmp_path, settings, alerts)
    # A source without a name, as many watchlists have them.
    bench.watchlist = load_watchlist(write_watchlist(tmp_path, alerts, WATCHLIST + NAMELESS_SOURCE))
    bench.tagger = Tagger(bench.watchlist)
    bench.evaluator = Evaluator(settings, bench.watchlist, bench.store, bench.state, bench.runs)
    for rule_id in ("synthese-elus", "lefort-direct"):
        bench.evaluate(rule_id, NOW - dt.timedelta(hours=1))
    bench.store_docs(
        bench.document(
            "Jean-Baptiste Lefort présente son programme pour le port",
            "Jean-Baptiste Lefort a détaillé ses propositions devant les pêcheurs.",
            source="gn-politique",
            url="http://www.gazette-du-nord.example/politique/lefort-port.html",
        ),
        bench.document(
            "Claire Martin et Jean-Baptiste Lefort débattent du tramway",
            "Le débat entre Claire Martin et Jean-Baptiste Lefort a porté sur le tramway.",
            source="gn-politique",
            url="http://www.gazette-du-nord.example/politique/debat-tramway.html",
        ),
    )
    for rule_id in ("synthese-elus", "lefort-direct"):
        bench.evaluate(rule_id, NOW)
    emails = [
        message_from_bytes(row[0], policy=default)
        for row in bench.state._db.execute(
            "SELECT message FROM outbox WHERE channel = 'email' ORDER BY rowid"
        )
    ]
    deliver_outbox(settings, bench.state, NOW)
    bench.close()

    read = [m["Subject"] + part(m, "plain") + part(m, "html") for m in emails]
    read += [r.text() for r in chat.accepted()]
    assert len(emails) == 2 and len(chat.accepted()) == 2
    for text in read:
        for ident in ("gn-politique", "jean-baptiste-lefort", "claire-martin", "synthese-elus"):
            assert ident not in text
        assert "Jean-Baptiste Lefort" in text
        assert "gazette-du-nord.example" in text
    (digest,) = chat.accepted("/synthese")
    assert digest.json()["title"] == "Synthèse « Synthèse des élus » — 2 nouveaux documents"
    assert "Jean-Baptiste Lefort : 2 documents" in digest.json()["message"]


def test_spike_and_source_health_read_short_in_chat(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    bench = Bench(tmp_path, channel_settings(make_settings), SPIKE + HEALTH)
    bench.store_docs(
        *[
            bench.document(
                f"Polémique sur la piscine ({n})",
                "Claire Martin accusée d'avoir promis la fermeture de la piscine municipale.",
                source="forum",
                kind="forum_post",
                published=NOW - dt.timedelta(minutes=5 + n),
                cluster="piscine",
            )
            for n in range(6)
        ]
    )
    spike = bench.evaluator.render_spike(
        bench.rule("pic-claire"), "candidate", "claire-martin", 6, 1.0, NOW
    )
    health = bench.evaluator.render_health(
        bench.rule("sante-sources"),
        [
            SourceProblem(
                "forum",
                "Forum des citoyens du Val",
                "forum",
                "http://forum.val.example/",
                "http://forum.val.example/",
                "failing",
                "12",
                "3 échecs de suite",
                "Les dernières collectes ont échoué : http_500 ×3.",
            )
        ],
    )
    bench.close()

    assert spike.chat is not None and health.chat is not None
    title, body = spike.chat
    assert title == "Pic de mentions : Claire Martin — 6 documents en 1 h (6,0 fois la normale)"
    assert "• Polémique sur la piscine (" in body and "(6)\n  http://forum.val.example/" in body
    assert "Sources : Forum des citoyens du Val (6)" in body
    assert health.chat == (
        "Source Forum des citoyens du Val : 3 échecs de suite",
        "• Forum des citoyens du Val — 3 échecs de suite\n"
        "  Les dernières collectes ont échoué : http_500 ×3.",
    )
    assert len(body.splitlines()) <= 8  # short: the email has the rest


def test_alerts_test_sends_the_chat_preview_to_each_channel(
    tmp_path: Path, make_settings: Callable[..., Settings], chat: ChatSink
) -> None:
    settings = channel_settings(
        make_settings, store=f"sqlite:///{tmp_path / 'docs.db'}", data_dir=tmp_path
    )
    bench = Bench(tmp_path, settings, rule([chat.url("json", "/apercu")]))
    bench.store_docs(
        bench.document(
            "Claire Martin au conseil de quartier",
            "Claire Martin a écouté les habitants du quartier des Tanneurs.",
        )
    )
    bench.close()
    path = str(tmp_path / "veille.yaml")
    runner = CliRunner()
    dry = runner.invoke(
        main,
        ["alerts", "test", "claire-partout", "--watchlist", path, "--dry-run"],
        env=settings.to_env(),
    )
    assert dry.exit_code == 0, dry.output
    assert "--- chat ---\n[TEST] Claire Martin — nouvelle mention" in dry.output
    assert chat.requests() == []
    sent = runner.invoke(
        main, ["alerts", "test", "claire-partout", "--watchlist", path], env=settings.to_env()
    )
    assert sent.exit_code == 0, sent.output
    (received,) = chat.accepted("/apercu")
    assert received.json()["title"] == "[TEST] Claire Martin — nouvelle mention"
    assert "Claire Martin au conseil de quartier" in received.json()["message"]
