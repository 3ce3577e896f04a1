"""Sending alerts to a real SMTP server in-process (aiosmtpd on 127.0.0.1): outages,
refusals and retries lose nothing and duplicate nothing; STARTTLS, TLS and logins.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.mailsink import MailSink
from traceur.alerts.outbox import AlertState
from traceur.alerts.smtp import deliver_due, retry_delay, send_now
from traceur.cli import main
from traceur.config import Settings
from traceur.errors import AlertError

from .test_alerts import IMMEDIATE, NOW, Bench

pytestmark = pytest.mark.integration


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


# Delivery is what these tests pin: each evaluation's message at once, unpaced
# (tests/test_alert_pacing.py pins batches, cooldowns and the hourly limit).
UNPACED: dict[str, int] = {
    "alert_batch_seconds": 0,
    "alert_cluster_cooldown_seconds": 0,
    "alert_max_per_hour": 0,
}


def mail_settings(
    make_settings: Callable[..., Settings], server: MailSink, **changes: object
) -> Settings:
    return make_settings(
        smtp_host=server.host,
        smtp_port=server.port,
        smtp_security="none",
        smtp_from="Veille Traceur <veille@example.org>",
        alert_retry_seconds=30,
        **UNPACED,
        **changes,
    )


def queue_three(tmp_path: Path, settings: Settings) -> Bench:
    """Three separate immediate alerts in the outbox."""
    bench = Bench(tmp_path, settings, IMMEDIATE)
    bench.evaluate("claire-immediat")
    for n, title in enumerate(
        ("Claire Martin au marché", "Claire Martin à la gare", "Claire Martin au lycée")
    ):
        bench.store_docs(bench.document(title, f"{title}, ce matin, devant les habitants."))
        bench.evaluate("claire-immediat", NOW - dt.timedelta(seconds=3 - n))
    assert bench.state.queued_count() == 3
    return bench


def test_mail_server_down_for_a_while_loses_nothing_and_sends_each_message_once(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings = mail_settings(make_settings, sink)
    bench = queue_three(tmp_path, settings)
    sink.stop()
    down = deliver_due(settings, bench.state, NOW)
    assert down.sent == [] and len(down.failed) == 3 and down.remaining == 3
    assert "cannot reach the mail server" in next(iter(down.failed.values()))
    # Not due again before its backoff.
    assert deliver_due(settings, bench.state, NOW + dt.timedelta(seconds=10)).failed == {}

    sink.start()
    back = deliver_due(settings, bench.state, NOW + dt.timedelta(seconds=31))
    assert len(back.sent) == 3 and back.remaining == 0
    assert deliver_due(settings, bench.state, NOW + dt.timedelta(hours=2)).sent == []
    received = sink.wait_for(3)
    assert len(received) == 3
    assert Counter(m.message["Message-ID"] for m in received).most_common(1)[0][1] == 1
    assert sorted(m.subject.split(" : ")[-1] for m in received) == [
        "Claire Martin au lycée",
        "Claire Martin au marché",
        "Claire Martin à la gare",
    ]
    assert {m.recipients for m in received} == {
        ("equipe-numerique@example.org", "veille@example.org")
    }
    bench.close()


def test_mail_server_answering_4xx_keeps_messages_queued_with_growing_backoff(
    tmp_path: Path, make_settings: Callable[..., Settings], sink: MailSink
) -> None:
    settings = mail_settings(make_settings, sink)
    bench = queue_three(tmp_path, settings)
    sink.fail_with("451 4.3.0 Service momentanément indisponible, réessayez")
    first = deliver_due(settings, bench.state, NOW)
    assert len(first.failed) == 3 and all(
        error.startswith("451") for error in first.failed.values()
    )
    second = deliver_due(settings, bench.state, NOW + dt.timedelta(seconds=31))
    assert len(second.failed) == 3
    # Two failures: the next try waits 60 s, not 30.
    assert deliver_due(settings, bench.state, NOW + dt.timedelta(seconds=31 + 45)).failed == {}
    sink.fail_with(None)
    done = deliver_due(settings, bench.state, NOW + dt.timedelta(seconds=31 + 61))
    assert len(done.sent) == 3
    assert [attempts for _, status, _, attempts in bench.state.messages()] == [3, 3, 3]
    assert len(sink.wait_for(3)) == 3 and len(sink.messages()) == 3
    bench.close()


def test_retry_delay_doubles_from_the_setting_up_to_an_hour(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(alert_retry_seconds=30)
    assert [retry_delay(settings, n).total_seconds() for n in (1, 2, 3, 4, 10)] == [
        30,
        60,
        120,
        240,
        3600,
    ]


def test_without_a_mail_server_configured_messages_wait_in_the_outbox(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp_host=None, **UNPACED)
    bench = queue_three(tmp_path, settings)
    delivery = deliver_due(settings, bench.state, NOW)
    assert delivery.sent == [] and delivery.remaining == 3 and "smtp_host" in delivery.note
    bench.close()


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.traceur.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "mail.pem", tmp_path / "mail.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


MESSAGE = (
    b"From: veille@example.org\r\nTo: equipe@example.org\r\nSubject: essai\r\n\r\nBonjour.\r\n"
)


@pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS"
)  # that server is the point
def test_client_never_sends_credentials_to_a_server_that_hides_starttls(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server (or a man in the middle) that offers AUTH in clear and no STARTTLS.
    with MailSink(credentials=("veille", "secret")) as server:
        settings = make_settings(
            smtp_host=server.host,
            smtp_port=server.port,
            smtp_security="starttls",
            smtp_username="veille",
            smtp_password="secret",
        )
        with pytest.raises(
            AlertError, match="does not offer STARTTLS; nothing was sent and no password was given"
        ):
            send_now(settings, "veille@example.org", ["equipe@example.org"], MESSAGE)
        assert server.auth_attempts == [] and server.messages() == []


def test_starttls_with_login_delivers_and_a_wrong_password_is_refused(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    cert_file, key_file = _certificate(tmp_path)
    with MailSink(
        tls_context=_server_context(cert_file, key_file), credentials=("veille", "secret")
    ) as server:
        settings = make_settings(
            smtp_host=server.host,
            smtp_port=server.port,
            smtp_security="starttls",
            smtp_username="veille",
            smtp_password="secret",
            smtp_ca_certs=str(cert_file),
        )
        send_now(settings, "veille@example.org", ["equipe@example.org"], MESSAGE)
        assert [m.subject for m in server.wait_for(1)] == ["essai"]
        with pytest.raises(AlertError, match="535"):
            send_now(
                settings.replace(smtp_password="faux"),
                "veille@example.org",
                ["equipe@example.org"],
                MESSAGE,
            )
        assert server.auth_attempts[0] == "veille" and set(server.auth_attempts) == {"veille"}


def test_implicit_tls_verifies_the_server_certificate(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    cert_file, key_file = _certificate(tmp_path)
    with MailSink(tls_context=_server_context(cert_file, key_file), implicit_tls=True) as server:
        settings = make_settings(smtp_host=server.host, smtp_port=server.port, smtp_security="tls")
        with pytest.raises(AlertError, match="CERTIFICATE_VERIFY_FAILED"):
            send_now(settings, "veille@example.org", ["equipe@example.org"], MESSAGE)
        send_now(
            settings.replace(smtp_ca_certs=str(cert_file)),
            "veille@example.org",
            ["equipe@example.org"],
            MESSAGE,
        )
        assert len(server.wait_for(1)) == 1


# -- the commands ---------------------------------------------------------------------------


def test_alerts_commands_preview_without_state_and_run_sends_once(
    tmp_path: Path,
    make_settings: Callable[..., Settings],
    sink: MailSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = mail_settings(make_settings, sink)
    bench = Bench(tmp_path, settings, IMMEDIATE)
    bench.evaluate("claire-immediat")
    bench.store_docs(
        bench.document(
            "Claire Martin visite la caserne",
            "Claire Martin a visité la caserne des pompiers jeudi.",
        )
    )
    bench.close()
    for key, value in settings.to_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TRACEUR_DATA_DIR", str(tmp_path))  # where Bench keeps alerts.db
    monkeypatch.setenv("TRACEUR_STORE", f"sqlite:///{tmp_path / 'docs.db'}")
    watchlist = str(tmp_path / "veille.yaml")
    runner = CliRunner()

    preview = runner.invoke(
        main, ["alerts", "test", "claire-immediat", "--watchlist", watchlist, "--dry-run"]
    )
    assert preview.exit_code == 0, preview.output
    assert (
        "Subject: [TEST] [Traceur] Claire Martin — Actu du Val : Claire Martin visite la caserne"
        in preview.output
    )
    assert "«Claire Martin» a visité la caserne" in preview.output
    assert sink.messages() == []

    sent = runner.invoke(main, ["alerts", "run", "--watchlist", watchlist])
    assert sent.exit_code == 0, sent.output
    assert (
        "claire-immediat: 1 message queued" in sent.output
        and "Sent 1; not sent 0; waiting in the outbox 0" in sent.output
    )
    again = runner.invoke(main, ["alerts", "run", "--watchlist", watchlist])
    assert "claire-immediat: 0 messages queued" in again.output and "Sent 0" in again.output
    assert [m.subject for m in sink.wait_for(1)] == [
        "[Traceur] Claire Martin — Actu du Val : Claire Martin visite la caserne"
    ]

    unknown = runner.invoke(
        main, ["alerts", "test", "claire-immediate", "--watchlist", watchlist, "--dry-run"]
    )
    assert (
        unknown.exit_code == 2
        and "no alert rule has the id 'claire-immediate' (known: claire-immediat)" in unknown.output
    )

    with AlertState.in_data_dir(tmp_path) as state:
        assert [status for _, status, _, _ in state.messages()] == ["sent"]
