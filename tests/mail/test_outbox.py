"""The outbox: mail is stored with what caused it, then delivered once, with retries.

Delivery goes through a real SMTP conversation with the server in tests/smtp_server.py,
or through the file backend.
"""
from __future__ import annotations

import email
import email.policy
import hashlib
import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import ConfirmationToken, OutboxMessage, OutboxStatus, SignatureStatus
from tests.helpers import confirm_link, outbox_messages, signatures
from tests.smtp_server import SmtpServer

Report = outbox.DeliveryReport


def use_smtp(app, port: int) -> None:
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                      SMTP_TLS="none", SMTP_USER=None, SMTP_TIMEOUT=5)


def deliver(app, *, later: timedelta | None = None) -> outbox.DeliveryReport:
    """One delivery round, now or as if `later` had passed."""
    with app.app_context():
        return outbox.deliver_due(now=utcnow() + later if later else None)


def queue(app, *addresses: str) -> None:
    with app.app_context():
        for address in addresses:
            outbox.enqueue(kind="test", to_address=address, subject=f"For {address}", body="Hello")
        db.session.commit()


def only_message(app) -> OutboxMessage:
    with app.app_context():
        [message] = outbox_messages()
        db.session.expunge(message)
        return message


def sign(client, slug: str, data: dict) -> None:
    assert client.post(f"/c/{slug}/sign", data=data).status_code == 303


def assert_link_shows_button(client, body: str) -> None:
    page = client.get(confirm_link(body))
    assert page.status_code == 200
    assert "Confirm my signature" in page.text


def test_rolled_back_mail_is_never_sent_and_committed_mail_once(app, smtp_server):
    use_smtp(app, smtp_server.port)
    with app.app_context():
        outbox.enqueue(kind="test", to_address="gone@example.org", subject="Rolled back", body="x")
        db.session.rollback()
        outbox.enqueue(kind="test", to_address="kept@example.org", subject="Committed",
                       body="Hello")
        db.session.commit()
        assert [m.subject for m in outbox_messages()] == ["Committed"]
    assert deliver(app) == Report(sent=1)
    assert deliver(app, later=timedelta(days=1)) == Report()
    [received] = smtp_server.messages
    assert received.recipients == ("kept@example.org",)
    assert received.message["Subject"] == "Committed"
    assert received.message.get_content().strip() == "Hello"
    message = only_message(app)
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    assert received.message["Message-ID"] == message.message_id


def test_signing_while_mail_server_is_down_delivers_later(app, client, make_campaign, signer,
                                                         closed_port):
    use_smtp(app, closed_port.getsockname()[1])
    slug = make_campaign()
    sign(client, slug, signer())
    with app.app_context():
        assert [s.status for s in signatures()] == [SignatureStatus.PENDING]
    assert deliver(app) == Report(retried=1)
    waiting = only_message(app)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    assert waiting.next_attempt_at > utcnow()
    assert "cannot reach mail server" in waiting.last_error
    assert waiting.token_nonce is not None  # still needed to write the link
    assert deliver(app) == Report()  # not due yet
    with SmtpServer(sock=closed_port) as server:
        due = waiting.next_attempt_at - utcnow() + timedelta(seconds=1)
        assert deliver(app, later=due) == Report(sent=1)
        assert deliver(app, later=timedelta(days=1)) == Report()
    [received] = server.messages
    assert received.recipients == ("ada@example.org",)
    assert only_message(app).status == OutboxStatus.SENT
    assert_link_shows_button(client, received.message.get_content())


@pytest.mark.parametrize(
    ("stage", "reply"),
    [("rcpt", "451 4.7.1 Greylisted, try again later"), ("data", "452 4.3.1 Out of storage")],
)
def test_temporary_refusal_is_retried_and_delivered_once(app, smtp_server, stage, reply):
    use_smtp(app, smtp_server.port)
    smtp_server.script(stage, reply, times=1)
    queue(app, "ada@example.org")
    assert deliver(app) == Report(retried=1)
    waiting = only_message(app)
    assert waiting.attempts == 1 and reply[:3] in waiting.last_error
    assert smtp_server.messages == []
    due = waiting.next_attempt_at - utcnow() + timedelta(seconds=1)
    assert deliver(app, later=due) == Report(sent=1)
    assert deliver(app, later=timedelta(days=1)) == Report()
    assert len(smtp_server.messages) == 1
    assert only_message(app).status == OutboxStatus.SENT


@pytest.mark.parametrize(
    ("stage", "reply"),
    [("rcpt", "550 5.1.1 No such user"), ("data", "554 5.7.1 Rejected as spam")],
)
def test_permanent_refusal_fails_at_once_and_spares_other_mail(app, smtp_server, stage, reply):
    use_smtp(app, smtp_server.port)
    smtp_server.script(stage, reply, address="bad@example.org", times=None)
    queue(app, "bad@example.org", "good@example.org")
    assert deliver(app) == Report(sent=1, failed=1)
    with app.app_context():
        bad, good = outbox_messages()
        assert (bad.status, bad.attempts) == (OutboxStatus.FAILED, 1)
        assert reply[:3] in bad.last_error
        assert good.status == OutboxStatus.SENT
    assert deliver(app, later=timedelta(days=2)) == Report()
    assert smtp_server.rcpt_count("bad@example.org") == 1
    assert [m.recipients for m in smtp_server.messages] == [("good@example.org",)]


@pytest.mark.parametrize(
    ("subject", "nonce", "reason"),
    [("Please confirm: Save the\nriver", "ab" * 32, "Subject header"),
     ("Save the\rriver", "ab" * 32, "Subject header"),
     ("Save the\u2028river", None, "Subject header"),
     ("Save the river", "not hex", "confirmation link")],
)
def test_a_message_that_cannot_be_built_fails_alone_and_the_rest_go_out(app, smtp_server, caplog,
                                                                          subject, nonce, reason):
    """A line break in a subject (a title saved before titles were checked) makes the email
    impossible to build: that message fails for good, and never holds up the mail behind it."""
    use_smtp(app, smtp_server.port)
    with app.app_context():
        outbox.enqueue(kind="test", to_address="first@example.org", subject="First", body="1")
        outbox.enqueue(kind="confirm", to_address="poisoned@example.org", subject=subject,
                       body="Confirm here", token_nonce=nonce)
        outbox.enqueue(kind="test", to_address="last@example.org", subject="Last", body="3")
        db.session.commit()
    caplog.set_level("INFO", logger="campaign.mail.outbox")
    assert deliver(app) == Report(sent=2, failed=1)
    assert [m.recipients for m in smtp_server.messages] == [("first@example.org",),
                                                            ("last@example.org",)]
    with app.app_context():
        first, poisoned, last = outbox_messages()
        assert (first.status, last.status) == (OutboxStatus.SENT, OutboxStatus.SENT)
        assert (poisoned.status, poisoned.attempts) == (OutboxStatus.FAILED, 1)
        assert reason in poisoned.last_error
        assert (poisoned.body, poisoned.token_nonce) == ("", None)
    assert "poisoned@example.org" not in caplog.text and "river" not in caplog.text
    assert f"outbox message {poisoned.id} failed for good" in caplog.text
    assert deliver(app, later=timedelta(days=2)) == Report()  # never tried again
    assert smtp_server.rcpt_count("poisoned@example.org") == 0


def test_gives_up_after_max_attempts(app, client, make_campaign, signer, closed_port):
    use_smtp(app, closed_port.getsockname()[1])
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    sign(client, make_campaign(), signer())
    assert deliver(app) == Report(retried=1)
    due = only_message(app).next_attempt_at - utcnow() + timedelta(seconds=1)
    assert deliver(app, later=due) == Report(failed=1)
    failed = only_message(app)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 2)
    assert failed.token_nonce is None
    assert deliver(app, later=timedelta(days=2)) == Report()


@pytest.mark.parametrize("jitter", ["low", "high"])
def test_backoff_grows_up_to_about_an_hour(monkeypatch, jitter):
    monkeypatch.setattr(outbox.random, "uniform",
                        lambda low, high: low if jitter == "low" else high)
    waits = [outbox.backoff(attempts) for attempts in range(1, 13)]  # the default maximum
    assert timedelta(seconds=20) <= waits[0] <= timedelta(seconds=40)
    assert outbox.backoff(1) < outbox.backoff(4) <= timedelta(hours=1.2)
    assert waits == sorted(waits)
    assert max(waits) <= timedelta(hours=1.2)  # an hour, plus jitter


def test_backoff_stays_capped_for_any_attempt_count():
    """OUTBOX_MAX_ATTEMPTS is a setting: a long retry period must not crash delivery."""
    for attempts in [43, 44, 100, 10_000]:
        assert timedelta(minutes=45) <= outbox.backoff(attempts) <= timedelta(hours=1.2)


def eml_files(directory: str) -> list[bytes]:
    files = sorted(Path(directory).iterdir())
    assert all(f.suffix == ".eml" for f in files), files  # no half-written .tmp left over
    return [f.read_bytes() for f in files]


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def raw_header(data: bytes, name: str) -> str:
    """A header as written, unfolded and read as UTF-8 (RFC 6532), without decoding words."""
    head = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    unfolded = re.sub(rb"\n[ \t]+", b" ", head).decode("utf-8")
    values = [line.split(":", 1)[1].strip() for line in unfolded.split("\n")
              if line.lower().startswith(f"{name.lower()}:")]
    assert len(values) == 1, (name, unfolded)
    return values[0]


def test_file_backend_writes_one_eml_per_message_with_real_links(app, client, make_campaign,
                                                                 signer):
    app.config["MAIL_BACKEND"] = "file"
    slug = make_campaign()
    for address in ["ada@example.org", "bob@example.org"]:
        sign(client, slug, signer(email=address))
    assert deliver(app) == Report(sent=2)
    emails = [parse(data) for data in eml_files(app.config["MAIL_FILE_DIR"])]
    assert sorted(str(m["To"]) for m in emails) == ["ada@example.org", "bob@example.org"]
    for message in emails:
        body = message.get_content()
        assert outbox.TOKEN_PLACEHOLDER not in body
        assert_link_shows_button(client, body)


INTERNATIONAL = "josé@bücher.de"


def test_international_address_is_written_by_the_file_backend(app, client, make_campaign, signer):
    app.config["MAIL_BACKEND"] = "file"
    sign(client, make_campaign(), signer(email=INTERNATIONAL))
    assert deliver(app) == Report(sent=1)
    [data] = eml_files(app.config["MAIL_FILE_DIR"])
    # Encoded words (=?utf-8?q?...?=) are not allowed in an address (RFC 2047 section 5):
    # the address must be written as UTF-8 (RFC 6532), as SMTPUTF8 servers get it.
    assert raw_header(data, "To") == INTERNATIONAL
    assert_link_shows_button(client, parse(data).get_content())


def test_international_address_is_sent_over_smtputf8(app, client, make_campaign, signer,
                                                     smtp_server):
    use_smtp(app, smtp_server.port)
    sign(client, make_campaign(), signer(email=INTERNATIONAL))
    assert deliver(app) == Report(sent=1)
    [received] = smtp_server.messages
    assert received.recipients == (INTERNATIONAL,)
    assert raw_header(received.data, "To") == INTERNATIONAL
    assert_link_shows_button(client, received.message.get_content())


def test_international_address_fails_for_good_without_smtputf8(app, client, make_campaign, signer):
    """RFC 6531 section 3.2: a server without SMTPUTF8 never takes it, so bounce, do not retry."""
    with SmtpServer(smtputf8=False) as server:
        use_smtp(app, server.port)
        sign(client, make_campaign(), signer(email=INTERNATIONAL))
        assert deliver(app) == Report(failed=1)
    assert server.messages == []
    failed = only_message(app)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 1)


def _stored_text(token: str) -> list[str]:
    """Every stored value, in any table, that contains the token."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            found += [f"{table.name}: {value}" for value in row if token in str(value)]
    return found


def test_confirmation_token_is_never_stored(app, client, make_campaign, signer, smtp_server):
    use_smtp(app, smtp_server.port)
    sign(client, make_campaign(), signer())
    assert only_message(app).token_nonce
    assert deliver(app) == Report(sent=1)
    content = smtp_server.messages[0].message.get_content()
    token = confirm_link(content).rsplit("/", 1)[1]
    removal_token = re.search(r"/remove/([A-Za-z0-9._-]+)", content)[1]
    with app.app_context():
        assert _stored_text(token) == []
        assert _stored_text(removal_token) == []
        [message] = outbox_messages()
        assert message.token_nonce is None
        assert message.body == ""  # nor the removal link, once sent
        hashes = db.session.scalars(select(ConfirmationToken.token_hash)).all()
        assert hashes == [hashlib.sha256(token.encode()).hexdigest()]


def test_outbox_send_command_delivers_and_reports(app, smtp_server):
    use_smtp(app, smtp_server.port)
    smtp_server.script("rcpt", "550 5.1.1 No such user", address="bad@example.org", times=None)
    smtp_server.script("rcpt", "451 4.7.1 Later", address="later@example.org", times=1)
    queue(app, "ok@example.org", "bad@example.org", "later@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1, to retry 1, failed 1, still queued 1" in result.output
    assert [m.recipients for m in smtp_server.messages] == [("ok@example.org",)]
    again = runner.invoke(args=["outbox", "send"])  # the retry is not due yet
    assert "sent 0, to retry 0, failed 0, still queued 1" in again.output
    with app.app_context():
        assert [m.status for m in outbox_messages()] == ["sent", "failed", "pending"]
