"""The alert state follows the scheduler leadership (traceur.orchestra.queue.alertstate):
the leader publishes its alerts.db to Redis after every change, fenced by its lease; a new
leader on another machine restores it before it evaluates or sends anything. With a real
Redis, real schedulers killed with -9 and a real SMTP receiver.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage, Message
from pathlib import Path

import pytest

from tests.conftest import isolated_settings
from tests.mailsink import MailSink
from tests.queuekit import Fleet, stored, wait_for
from tests.redisserver import RedisServer
from traceur.alerts.outbox import AlertState
from traceur.alerts.service import run_once
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import DEMO_WATCHLIST
from traceur.errors import QueueError
from traceur.orchestra.queue.alertstate import SNAPSHOT_KEY, AlertSnapshots, leader_token
from traceur.orchestra.queue.connection import LEADER_KEY, connect
from traceur.orchestra.queue.leases import Lease
from traceur.privacy.forget import ForgetTarget, forget
from traceur.privacy.purge import purge
from traceur.store import open_store
from traceur.watchlist.loader import load_watchlist

pytestmark = pytest.mark.timeout(300)

LEASE = 3
FORUM = "forum-citoyens"
# Collected after the forum, by the same worker: what the first leader finds while the mail
# server refuses.
BLOG = "carnet-de-lucie"
TEAM = "equipe-numerique@example.org"
SENDER = "veille@traceur.example.org"


def _email(subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = TEAM
    message["Subject"] = subject
    message.set_content(body)
    return message


def _queue(state: AlertState, key: str, subject: str, body: str, watermark: str) -> None:
    with state.transaction() as txn:
        assert txn.enqueue(key, "forum-immediat", _email(subject, body), [TEAM])
        txn.mark_alerted("forum-immediat", f"doc-{key}", ["candidat:dupont"], key)
        txn.set_watermark("forum-immediat", watermark)


def _settings(tmp_path: Path, name: str, redis_server: RedisServer) -> Settings:
    return isolated_settings(tmp_path / name, queue=redis_server.url)


def test_a_deposed_leaders_late_publish_is_refused_and_it_sends_nothing_more(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = _settings(tmp_path, "machine-a", redis_server)
    client = connect(settings, binary=True)
    first = Lease(client, LEADER_KEY, 30, token="machine-a:101")
    assert first.try_acquire()
    state = AlertState.in_data_dir(settings.data_dir)
    state.share(AlertSnapshots(client, first.token).publish)
    _queue(
        state,
        "m1",
        "Forum : Mme Dupont citée",
        "« La médiathèque fermera l'été », écrit un habitant.",
        "2026-12-03T08:00:00Z",
    )
    # Published before it is claimed for sending, and again once marked sent.
    assert [q.key for q in state.claim_due()] == ["m1"]
    state.mark_sent("m1")
    published = client.get(SNAPSHOT_KEY)
    assert published is not None

    # The first leader stalls past its lease; another machine takes over.
    client.delete(LEADER_KEY)
    second = Lease(client, LEADER_KEY, 30, token="machine-b:202")
    assert second.try_acquire()
    with pytest.raises(QueueError, match="no longer leads"):
        AlertSnapshots(client, first.token).publish(b"une image plus ancienne")
    # Its evaluation in flight commits locally but reaches neither Redis nor the team.
    _queue(
        state,
        "m2",
        "Forum : M. Lefèvre cité",
        "Réunion publique jeudi à la salle des fêtes.",
        "2026-12-03T09:00:00Z",
    )
    assert client.get(SNAPSHOT_KEY) == published
    assert state.queued_count() == 1
    assert state.claim_due() == []
    state.close()

    successor = tmp_path / "machine-b" / "data"
    assert AlertSnapshots(client, second.token).restore(successor)
    with AlertState.in_data_dir(successor) as restored:
        assert [m[:2] for m in restored.messages()] == [("m1", "sent")]
        with restored.transaction() as txn:
            assert txn.watermark("forum-immediat")[1] == "2026-12-03T08:00:00Z"
            assert txn.alerted_tokens("forum-immediat", "doc-m1") == {"candidat:dupont"}
    client.close()


def test_a_new_leader_restores_the_state_over_its_own_file_and_sends_the_claimed_at_once(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = _settings(tmp_path, "machine-a", redis_server)
    client = connect(settings, binary=True)
    lease = Lease(client, LEADER_KEY, 30, token="machine-a:101")
    assert lease.try_acquire()
    with AlertState.in_data_dir(settings.data_dir) as state:
        state.share(AlertSnapshots(client, lease.token).publish)
        _queue(state, "m1", "Forum : Mme Dupont citée", "Fil « Budget 2027 ».", "w1")
        _queue(state, "m2", "Forum : le maire cité", "Fil « Voirie ».", "w2")
        # Both claimed for sending by the leader that is about to die; the first is sent,
        # and the image published then holds the second's claim.
        assert [q.key for q in state.claim_due()] == ["m1", "m2"]
        state.mark_sent("m1")

    # The standby's own, older file (it led once, long ago), with its write-ahead log.
    standby = tmp_path / "machine-b" / "data"
    with AlertState.in_data_dir(standby) as old:
        _queue(old, "ancien", "Ancienne alerte", "Message d'une autre époque.", "w0")
    (standby / "alerts.db-wal").write_bytes(b"journal perime")
    assert AlertSnapshots(client, lease.token).restore(standby)
    assert not (standby / "alerts.db-wal").exists()
    with AlertState.in_data_dir(standby) as restored:
        assert [m[:2] for m in restored.messages()] == [("m1", "sent"), ("m2", "queued")]
        # The dead leader's claim died with it: the second goes out now, not in five minutes.
        assert [q.key for q in restored.claim_due()] == ["m2"]
    client.close()


def test_no_snapshot_yet_leaves_the_first_leaders_own_file_alone(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = _settings(tmp_path, "machine-a", redis_server)
    with AlertState.in_data_dir(settings.data_dir) as state:
        _queue(state, "m1", "Forum : Mme Dupont citée", "Fil « Budget 2027 ».", "w1")
    client = connect(settings, binary=True)
    assert not AlertSnapshots(client, "machine-a:101").restore(Path(settings.data_dir))
    with AlertState.in_data_dir(settings.data_dir) as state:
        assert [m[0] for m in state.messages()] == ["m1"]
    client.close()


def test_forget_beside_the_leader_is_published_and_does_not_come_back_on_takeover(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = _settings(tmp_path, "machine-a", redis_server).replace(privacy_key=None)
    data_dir = Path(settings.data_dir)
    client = connect(settings, binary=True)
    # This machine's scheduler leads (as `traceur schedule` records it in scheduler.json).
    token = leader_token(os.getpid())
    lease = Lease(client, LEADER_KEY, 30, token=token)
    assert lease.try_acquire()
    data_dir.mkdir(parents=True)
    (data_dir / "scheduler.json").write_text(f'{{"leader_token": "{token}"}}', encoding="utf-8")
    with AlertState.in_data_dir(data_dir) as state:
        state.share(AlertSnapshots(client, token).publish)
        _queue(
            state,
            "m1",
            "Forum : Gérard Duchemin interpelle Mme Dupont",
            "Gérard Duchemin écrit : « Où en est le projet de piscine ? »",
            "w1",
        )
        _queue(state, "m2", "Forum : Mme Dupont citée", "Fil « Voirie » : rien de neuf.", "w2")
        assert len(state.claim_due()) == 2  # published before sending
        assert b"Duchemin" in _snapshot_text(client, tmp_path / "avant")

        report = forget(
            settings, ForgetTarget("author", "Gérard Duchemin"), by="dpo", dry_run=False
        )
        assert report.removed["alerts"] == 1

    # The leader dies at once, before any tick of its own: the standby restores the erasure.
    text = _snapshot_text(client, tmp_path / "apres")
    assert b"Duchemin" not in text
    assert b"Voirie" in text
    client.close()


def test_alerts_run_away_from_the_leader_evaluates_and_sends_nothing(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = _settings(tmp_path, "machine-c", redis_server)
    watchlist_path = tmp_path / "veille.yaml"
    watchlist_path.write_text(
        DEMO_WATCHLIST.read_text(encoding="utf-8").replace(
            "alerts: []",
            f"alerts:\n  - id: forum-immediat\n    kind: immediate\n    to: [{TEAM}]\n",
        ),
        encoding="utf-8",
    )
    client = connect(settings)
    assert Lease(client, LEADER_KEY, 30, token="machine-a:101").try_acquire()
    outcomes, delivery = run_once(settings, load_watchlist(watchlist_path))
    assert outcomes == []
    assert "leader" in delivery.note
    # No alert state of its own was started here (it would alert everything again).
    assert not (Path(settings.data_dir) / "alerts.db").exists()
    client.close()


def test_a_purge_beside_the_leader_is_published_so_old_messages_do_not_come_back(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = _settings(tmp_path, "machine-a", redis_server)
    data_dir = Path(settings.data_dir)
    client = connect(settings, binary=True)
    token = leader_token(os.getpid())
    assert Lease(client, LEADER_KEY, 30, token=token).try_acquire()
    data_dir.mkdir(parents=True)
    (data_dir / "scheduler.json").write_text(f'{{"leader_token": "{token}"}}', encoding="utf-8")
    with AlertState.in_data_dir(data_dir) as state:
        state.share(AlertSnapshots(client, token).publish)
        with state.transaction(datetime.now(UTC) - timedelta(days=120)) as txn:
            txn.enqueue("ancien", "forum-immediat", _email("Vieille alerte", "Hiver."), [TEAM])
        _queue(state, "recent", "Forum : Mme Dupont citée", "Fil « Voirie ».", "w2")
        assert len(state.claim_due()) == 2  # published before sending
    assert b"Vieille alerte" in _snapshot_text(client, tmp_path / "avant")

    store = open_store(settings)
    try:
        report = purge(settings, store)
    finally:
        store.close()
    assert (report.outbox_sent, report.outbox_unsent) == (0, 1)
    text = _snapshot_text(client, tmp_path / "apres")
    assert b"Vieille alerte" not in text
    assert b"Voirie" in text
    client.close()


def _snapshot_text(client: object, data_dir: Path) -> bytes:
    assert AlertSnapshots(client, "lecteur").restore(data_dir)
    with AlertState.in_data_dir(data_dir) as state:
        rows = state.rows("SELECT subject, message FROM outbox")
    return b"\n".join(subject.encode("utf-8") + bytes(message) for subject, message in rows)


def test_the_leader_killed_mid_alerts_hands_over_and_every_post_is_alerted_exactly_once(
    tmp_path: Path, demo_web: LocalWeb, redis_server: RedisServer
) -> None:
    watchlist = tmp_path / "avec-alerte.yaml"
    watchlist.write_text(
        DEMO_WATCHLIST.read_text(encoding="utf-8").replace(
            "alerts: []",
            "alerts:\n  - id: forum-immediat\n    kind: immediate\n"
            f"    to: [{TEAM}]\n    source_kinds: [forum, blog]\n    every: 10s\n"
            # Each evaluation its own email at once (no pacing), to count posts one by one.
            "    batch: 0s\n    cooldown: 0s\n    max_per_hour: 0\n",
        ),
        encoding="utf-8",
    )
    settings = isolated_settings(tmp_path / "workers", demo_web, queue=redis_server.url)
    fleet = Fleet(tmp_path, settings.replace(queue_lease=LEASE, download_delay=0.4))
    client = connect(fleet.settings)
    try:
        with MailSink() as sink:
            mail = {
                "smtp_host": sink.host,
                "smtp_port": sink.port,
                "smtp_security": "none",
                "alert_retry_seconds": 1,
                "smtp_from": SENDER,
            }
            first = fleet.scheduler("leader-1", watchlist, **mail)
            wait_for(lambda: str(first.pid) in (client.get(LEADER_KEY) or ""), 60, "first leads")
            second = fleet.scheduler("leader-2", watchlist, **mail)
            wait_for(lambda: "waiting to take over" in fleet.output("leader-2"), 60, "standby")
            fleet.worker("worker")

            # The first leader sends some alerts, then the mail server refuses for a while:
            # what it evaluates next stays queued in its outbox.
            sink.wait_for(1, timeout=150)
            assert sink.messages(), fleet.output("leader-1")
            sink.fail_with("451 4.3.0 Serveur surchargé, réessayez plus tard")
            first_db = tmp_path / "leader-1" / "alerts.db"

            def refused_to_first() -> set[str]:
                # Refused at least once: surely not sent (a message merely queued may be
                # in the middle of its sending).
                with AlertState(first_db, read_only=True) as state:
                    rows = state.rows(
                        "SELECT message FROM outbox WHERE status = 'queued' AND attempts > 0"
                    )
                return {_id(message_from_bytes(bytes(row[0]))) for row in rows}

            waiting = wait_for(refused_to_first, 150, "the first leader has alerts refused")
            sent_before = len(sink.messages())
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            sink.fail_with(None)

            wait_for(lambda: str(second.pid) in (client.get(LEADER_KEY) or ""), 30, "takeover")
            wait_for(lambda: "alert state restored" in fleet.output("leader-2"), 10, "restored")
            ids = waiting
            received = lambda: {_id(m.message) for m in sink.messages()}  # noqa: E731
            wait_for(lambda: ids <= received(), 60, "the dead leader's queued alerts sent")

            def all_done() -> bool:
                docs = [d for d in stored(fleet.settings).values() if d.source_id in (FORUM, BLOG)]
                texts = "\n".join(m.part("plain") for m in sink.messages())
                wanted = {d.url for d in docs if d.candidates or d.topics}
                return bool(wanted) and all(url in texts for url in wanted) and _pass_over(fleet)

            wait_for(all_done, 200, "every forum and blog post alerted")
            time.sleep(12)  # more evaluations of the rule, which must send nothing more
            messages = sink.messages()
    finally:
        fleet.stop_all()
        client.close()
    assert sent_before >= 1
    docs = [d for d in stored(fleet.settings).values() if d.source_id in (FORUM, BLOG)]
    wanted = {d.url for d in docs if d.candidates or d.topics}
    texts = [m.part("plain") for m in messages]
    for url in wanted:
        assert sum(url in text for text in texts) == 1, url
    # One message per key: none sent twice, by either leader.
    message_ids = [_id(m.message) for m in messages]
    assert len(message_ids) == len(set(message_ids))


def _id(message: Message) -> str:
    # A stored message folds its long Message-ID header onto a second line.
    return str(message["Message-ID"]).strip()


def _pass_over(fleet: Fleet) -> bool:
    return f"Successfully completed pass of {BLOG}" in fleet.output("worker")
