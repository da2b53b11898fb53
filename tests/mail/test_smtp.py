"""Mail as production sends it: STARTTLS or TLS, a login, and a mail server that misbehaves.

The app is set up as deploy/campaign.env.example sets it (SMTP_TLS, SMTP_USER, MAIL_FROM...),
with only the server's address changed and SMTP_CA_FILE naming the CA of the test server's
certificate (tests/smtp_server.py, a real SMTP conversation over a real socket).
"""
from __future__ import annotations

import logging
import shlex
from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import update

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import OutboxMessage, OutboxStatus
from tests.certificates import make_certificates
from tests.helpers import REPO_ROOT, confirm_link, outbox_messages
from tests.mail.test_outbox import deliver, queue
from tests.smtp_server import SmtpServer

Report = outbox.DeliveryReport
WRONG_PASSWORD = "an-old-password"


def example_settings() -> dict[str, str]:
    """The settings the production example sets (not those commented out), as a shell reads them."""
    settings = {}
    for line in (REPO_ROOT / "deploy" / "campaign.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings[key] = shlex.split(value)[0] if value else ""
    return settings


EXAMPLE = example_settings()
USER, PASSWORD = EXAMPLE["SMTP_USER"], EXAMPLE["SMTP_PASSWORD"]


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def relay(certificates):
    """A submission server as the example expects: STARTTLS first, then a login, then mail."""
    with SmtpServer(tls=certificates, login=(USER, PASSWORD)) as server:
        yield server


def use_production_mail(app, server: SmtpServer, certificates, **settings) -> None:
    """The example's mail settings, pointed at the test server and trusting its CA."""
    app.config.update(
        {key: EXAMPLE[key] for key in ("MAIL_BACKEND", "MAIL_FROM", "SMTP_TLS", "SMTP_USER",
                                       "SMTP_PASSWORD")},
        SMTP_HOST="localhost", SMTP_PORT=server.port, SMTP_TIMEOUT=5,
        SMTP_CA_FILE=str(certificates.ca_file),
    )
    app.config.update(settings)


def stored(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = outbox_messages()
        db.session.expunge_all()
    return messages


def when_due(app) -> timedelta:
    """How far ahead every waiting message is due."""
    latest = max(m.next_attempt_at for m in stored(app) if m.status == OutboxStatus.PENDING)
    return latest - utcnow() + timedelta(seconds=1)


def verbs(server: SmtpServer) -> list[str]:
    return [command.split(" ", 1)[0].upper() for command in server.commands]


def test_the_env_example_sends_over_starttls_with_its_login(app, client, make_campaign, signer,
                                                             relay, certificates):
    assert (EXAMPLE["SMTP_TLS"], EXAMPLE["SMTP_PORT"], EXAMPLE["MAIL_BACKEND"]) == ("starttls", "587", "smtp")
    use_production_mail(app, relay, certificates)
    assert client.post(f"/c/{make_campaign()}/sign", data=signer()).status_code == 303
    assert deliver(app) == Report(sent=1)
    [received] = relay.messages
    assert (received.tls, received.user) == (True, USER)
    assert received.recipients == ("ada@example.org",)
    assert received.mail_from == parseaddr(EXAMPLE["MAIL_FROM"])[1] == "petitions@example.org"
    assert relay.logins == [(USER, "PLAIN")]
    # The login and the mail went only over the encrypted connection.
    assert verbs(relay)[:4] == ["EHLO", "STARTTLS", "EHLO", "AUTH"] and "MAIL" in verbs(relay)
    page = client.get(confirm_link(received.message.get_content()))
    assert page.status_code == 200 and "Confirm my signature" in page.text
    assert [m.status for m in stored(app)] == [OutboxStatus.SENT]


@pytest.mark.parametrize(("mechanisms", "used"), [(("LOGIN",), "LOGIN"), (("PLAIN",), "PLAIN")])
def test_tls_from_the_first_byte_and_either_login(app, certificates, mechanisms, used):
    """SMTP_TLS=ssl, port 465: the same, with TLS before the greeting."""
    with SmtpServer(tls=certificates, implicit_tls=True, login=(USER, PASSWORD),
                    auth_mechanisms=mechanisms) as server:
        use_production_mail(app, server, certificates, SMTP_TLS="ssl")
        queue(app, "ada@example.org")
        assert deliver(app) == Report(sent=1)
    [received] = server.messages
    assert (received.tls, received.user, received.recipients) == (True, USER, ("ada@example.org",))
    assert server.logins == [(USER, used)] and "STARTTLS" not in verbs(server)


def test_a_password_beyond_ascii_logs_in(app, certificates):
    """smtplib sends credentials as ASCII only: anything else went up as UnicodeEncodeError
    out of every delivery round. RFC 4616's PLAIN is UTF-8."""
    password = "Grüße-αβγ-密码"
    with SmtpServer(tls=certificates, login=(USER, password)) as server:
        use_production_mail(app, server, certificates, SMTP_PASSWORD=password)
        queue(app, "ada@example.org")
        assert deliver(app) == Report(sent=1)
    assert server.logins == [(USER, "PLAIN")]
    assert [m.user for m in server.messages] == [USER]


def test_a_certificate_the_system_does_not_trust_is_refused(app, relay, certificates, caplog):
    """Without SMTP_CA_FILE, as in production, the certificate is checked against the system's
    CAs: a self-made one is refused before anything is said, the password above all."""
    use_production_mail(app, relay, certificates, SMTP_CA_FILE=None)
    queue(app, "ada@example.org")
    with caplog.at_level(logging.INFO, logger="campaign.mail.outbox"):
        assert deliver(app) == Report(retried=1)
    [waiting] = stored(app)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    assert "certificate not trusted" in waiting.last_error
    assert relay.tls_failures == 1
    assert verbs(relay) == ["EHLO", "STARTTLS"] and relay.messages == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"cannot send mail (1 waiting): {waiting.last_error}"]


def test_a_server_without_starttls_gets_neither_the_password_nor_mail(app, certificates):
    """SMTP_TLS=starttls and a server (or someone in between) that does not offer it: nothing
    goes in the clear; the mail waits."""
    with SmtpServer(login=(USER, PASSWORD)) as server:  # offers AUTH without TLS
        use_production_mail(app, server, certificates)
        queue(app, "ada@example.org")
        assert deliver(app) == Report(retried=1)
    assert verbs(server) == ["EHLO"]  # then the client hung up
    assert server.messages == [] and server.logins == []
    assert stored(app)[0].status == OutboxStatus.PENDING


def test_a_wrong_password_is_reported_without_it_and_mail_waits(app, certificates, caplog):
    with SmtpServer(tls=certificates, login=(USER, PASSWORD)) as server:
        use_production_mail(app, server, certificates, SMTP_PASSWORD=WRONG_PASSWORD)
        queue(app, "ada@example.org", "grace@example.org")
        with caplog.at_level(logging.INFO):
            assert deliver(app) == Report(retried=2)
        assert server.refused_logins and set(server.refused_logins) == {USER}
        assert server.logins == [] and server.messages == [] and "MAIL" not in verbs(server)
        messages = stored(app)
        assert {(m.status, m.attempts) for m in messages} == {(OutboxStatus.PENDING, 1)}
        assert {m.last_error for m in messages} == {"mail server refused the login of SMTP_USER (535)"}
        [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert warning.getMessage() == ("cannot send mail (2 waiting): "
                                        "mail server refused the login of SMTP_USER (535)")
        assert WRONG_PASSWORD not in caplog.text and PASSWORD not in caplog.text

        app.config["SMTP_PASSWORD"] = PASSWORD  # the operator fixes the setting
        assert deliver(app, later=when_due(app)) == Report(sent=2)
        assert deliver(app, later=timedelta(days=1)) == Report()
    assert sorted(m.recipients for m in server.messages) == [("ada@example.org",), ("grace@example.org",)]


def test_a_connection_dropped_mid_batch_leaves_the_rest_pending(app, relay, certificates):
    use_production_mail(app, relay, certificates)
    relay.drop_after(1)  # hangs up when the second message begins
    addresses = ["first@example.org", "second@example.org", "third@example.org"]
    queue(app, *addresses)
    assert deliver(app) == Report(sent=1, retried=1)
    first, second, third = stored(app)
    assert first.status == OutboxStatus.SENT
    assert (second.status, second.attempts) == (OutboxStatus.PENDING, 1)
    assert "SMTPServerDisconnected" in second.last_error and second.next_attempt_at > utcnow()
    # Never offered to the server: no attempt spent, and due at once on a new connection.
    assert (third.status, third.attempts, third.locked_until) == (OutboxStatus.PENDING, 0, None)
    assert deliver(app) == Report(sent=1)
    assert deliver(app, later=when_due(app)) == Report(sent=1)
    assert deliver(app, later=timedelta(days=1)) == Report()
    assert [m.recipients for m in relay.messages] == [(a,) for a in ["first@example.org",
                                                                    "third@example.org",
                                                                    "second@example.org"]]
    assert all(m.tls and m.user == USER for m in relay.messages)
    assert {m.status for m in stored(app)} == {OutboxStatus.SENT}


def test_mail_after_a_hang_up_does_not_spend_its_last_attempt(app, relay, certificates):
    """A message on its last try, behind one the server hung up on, was marked failed for
    good without ever being offered to a server."""
    use_production_mail(app, relay, certificates, OUTBOX_MAX_ATTEMPTS=3)
    relay.drop_after(0)  # hangs up at the first message
    queue(app, "first@example.org", "last-try@example.org")
    with app.app_context():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.to_address == "last-try@example.org")
                           .values(attempts=2))
        db.session.commit()
    assert deliver(app) == Report(retried=1)
    first, last_try = stored(app)
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
    assert (last_try.status, last_try.attempts) == (OutboxStatus.PENDING, 2)
    assert deliver(app) == Report(sent=1)
    assert [m.recipients for m in relay.messages] == [("last-try@example.org",)]


@pytest.mark.parametrize("reply", ["550 5.7.1 Sender address rejected: not owned by user",
                                   "553 5.7.1 Sender address rejected",
                                   "451 4.3.0 Sender verification deferred"])
def test_a_refused_sender_is_retried_and_never_stops_the_round(app, runner, relay, certificates,
                                                               reply):
    """MAIL FROM refused is our own address refused: a setting to fix, not the signers' fault,
    so every message waits and is retried (backends.SmtpSender), whatever the code."""
    use_production_mail(app, relay, certificates)
    relay.script("mail", reply, times=2)
    queue(app, "ada@example.org", "grace@example.org")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "sent 0, to retry 2, failed 0, still queued 2"
    messages = stored(app)
    assert {(m.status, m.attempts) for m in messages} == {(OutboxStatus.PENDING, 1)}
    assert {m.last_error for m in messages} == {f"sender refused ({reply[:3]})"}
    assert relay.messages == [] and relay.rcpt_count("ada@example.org") == 0
    assert deliver(app, later=when_due(app)) == Report(sent=2)
    assert deliver(app, later=timedelta(days=1)) == Report()
    assert sorted(m.recipients for m in relay.messages) == [("ada@example.org",), ("grace@example.org",)]
