"""The outbox: every email is a row written with its cause, then delivered with retries."""
from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, func, insert, or_, select, update
from sqlalchemy.orm import Session

from campaign import database, tokens
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import backends
from campaign.models import OutboxMessage, OutboxStatus
from campaign.ops import outages

log = logging.getLogger(__name__)

TOKEN_PLACEHOLDER = "__confirmation_token__"
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)
# The longest the worker waits between rounds while the database is away.
MAX_FAILURE_PAUSE_SECONDS = 60.0
FEEDERS = "campaign_outbox_feeders"  # app.extensions key: see add_feeder


def enqueue(
    *,
    kind: str,
    to_address: str,
    subject: str,
    body: str,
    campaign_id: int | None = None,
    recipient_key: str | None = None,
    token_nonce: str | None = None,
    list_unsubscribe: str | None = None,
    attachments: list[dict] | None = None,
) -> None:
    """Write a message in the caller's transaction; it is sent only if that commits.

    attachments: text files sent with it, each {"filename", "content_type" ("text/calendar"),
    "text", and optional "params" of the Content-Type ({"method": "REQUEST"})}.
    """
    now = utcnow()
    # A plain INSERT with parameters: the ORM unit of work cost more than the rest of signing.
    database.execute_plain(insert(OutboxMessage.__table__), {
        "kind": kind,
        "to_address": to_address,
        "subject": subject,
        "body": body,
        "message_id": f"<{uuid.uuid4().hex}@campaign>",
        "campaign_id": campaign_id,
        "recipient_key": recipient_key,
        "token_nonce": token_nonce,
        "list_unsubscribe": list_unsubscribe,
        "attachments": attachments or None,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    })
    wake_after_commit()


def wake_after_commit() -> None:
    """Wake the worker once the caller's transaction commits (mail queued, or due to be)."""
    db.session.info["outbox_wake"] = True


def add_feeder(app: Flask, feed: Callable[[datetime], None]) -> None:
    """Register a function that queues mail kept back elsewhere (updates' hourly batches);
    each delivery round calls it first, with the round's time, and commits what it added."""
    app.extensions.setdefault(FEEDERS, []).append(feed)


def _feed(now: datetime) -> None:
    for feed in current_app.extensions.get(FEEDERS, ()):
        feed(now)
        db.session.commit()


def recent_count(campaign_id: int, recipient_key: str, since: datetime) -> int:
    """How many messages one signer was sent (or will be) about one campaign since a time."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.campaign_id == campaign_id,
            OutboxMessage.recipient_key == recipient_key,
            OutboxMessage.created_at >= since,
        )
    )


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


class UnbuildableMessage(backends.DeliveryError):
    """A stored message cannot be made into an email (a line break in its subject...): it
    never will be, so it fails for good at once instead of holding up the mail behind it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


def deliver_due(*, now: datetime | None = None, limit: int = 100,
                in_hand: set[int] | None = None) -> DeliveryReport:
    """Send the messages that are due, once each; commits its own small transactions.

    `in_hand` gets the ids leased to this call until it returns: if it fails midway (the
    database went away), the caller can release them instead of waiting out the lease.
    """
    _feed(now or utcnow())
    now = now or utcnow()  # after feeding: what it queued is due
    report = DeliveryReport()
    batch = _claim(now, limit)
    if not batch:
        return report
    leased = {message.id for message in batch}
    if in_hand is not None:
        in_hand |= leased
    config = current_app.config
    try:
        with backends.open_sender(config) as sender:
            for index, message in enumerate(batch):
                try:
                    sender.send(_as_email(message, config))
                except backends.DeliveryError as error:  # UnbuildableMessage too: one message
                    _record_failure(message, error, now, report)
                else:
                    message.status = OutboxStatus.SENT
                    message.sent_at = utcnow()
                    _forget_contents(message)
                    message.locked_until = None
                    report.sent += 1
                    log.info("sent outbox message %s (%s)", message.id, message.kind)
                db.session.commit()
                if not sender.connected:  # the server hung up mid-batch
                    _leave_for_next_round(batch[index + 1:])
                    break
    except backends.DeliveryError as error:  # could not connect at all
        log.warning("cannot send mail (%s waiting): %s", len(batch), error)
        for message in batch:
            if message.status == OutboxStatus.PENDING and message.locked_until is not None:
                _record_failure(message, error, now, report)
        db.session.commit()
    if in_hand is not None:
        in_hand -= leased
    return report


def _leave_for_next_round(messages: list[OutboxMessage]) -> None:
    """Free messages never offered to a server that hung up: they spend no attempt (one on
    its last would otherwise fail untried) and are due again at once, on a new connection."""
    for message in messages:
        message.locked_until = None
    db.session.commit()
    if messages:
        log.info("mail server connection lost: %s messages left for the next round", len(messages))


def _claim(now: datetime, limit: int) -> list[OutboxMessage]:
    """Lease due messages to this worker, so that concurrent workers never share one."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    batch = list(db.session.scalars(query))
    for message in batch:
        message.locked_until = now + LEASE
    db.session.commit()
    return batch


def _forget_contents(message: OutboxMessage) -> None:
    """A message done with keeps no body: its links (remove my signature) would otherwise
    sit in the database for as long as they are valid."""
    message.token_nonce = None
    message.list_unsubscribe = None
    message.attachments = None
    message.body = ""


def _record_failure(message: OutboxMessage, error: backends.DeliveryError, now: datetime, report) -> None:
    message.attempts += 1
    message.last_error = str(error)[:500]
    message.locked_until = None
    if error.permanent or message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        _forget_contents(message)
        report.failed += 1
        log.warning("outbox message %s failed for good: %s", message.id, error)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        report.retried += 1
        log.info("outbox message %s will be retried: %s", message.id, error)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: doubling from 30 seconds up to an hour, with jitter."""
    doublings = min(max(attempts - 1, 0), 10)  # capped before multiplying: no overflow
    wait = timedelta(seconds=30) * (2**doublings) * random.uniform(0.8, 1.2)
    return min(wait, MAX_BACKOFF)


def _as_email(message: OutboxMessage, config) -> EmailMessage:
    """The message as an email; UnbuildableMessage when its own values cannot be written."""
    body = message.body
    if message.token_nonce:
        try:
            token = tokens.token_from_nonce(config["SECRET_KEY"], message.token_nonce)
        except ValueError:  # not hex: the stored row is damaged
            raise UnbuildableMessage("cannot write the confirmation link (damaged nonce)") from None
        body = body.replace(TOKEN_PLACEHOLDER, token)
    email = EmailMessage()
    # Ours, not the message's: a bad setting fails the round (and is logged) rather than
    # failing every message for good.
    email["From"] = config["MAIL_FROM"]
    _set_header(email, "To", message.to_address)
    _set_header(email, "Subject", message.subject)
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email["Auto-Submitted"] = "auto-generated"
    if message.list_unsubscribe:  # RFC 8058: one click, a POST the mail client makes
        _set_header(email, "List-Unsubscribe", f"<{message.list_unsubscribe}>")
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    try:
        email.set_content(body)
    except (ValueError, MessageError) as error:
        raise UnbuildableMessage(f"cannot write the body ({type(error).__name__})") from None
    for attachment in message.attachments or ():
        _attach(email, attachment)
    return email


def _attach(email: EmailMessage, attachment: dict) -> None:
    """Add one stored text file to the email (which becomes multipart/mixed)."""
    try:
        maintype, _, subtype = attachment["content_type"].partition("/")
        if maintype != "text" or not subtype:
            raise ValueError("only text attachments are stored")
        email.add_attachment(attachment["text"], subtype=subtype, filename=attachment["filename"],
                             params=dict(attachment.get("params") or {}))
    except (KeyError, TypeError, AttributeError, ValueError, MessageError) as error:
        raise UnbuildableMessage(f"cannot attach a file ({type(error).__name__})") from None


def _set_header(email: EmailMessage, name: str, value: str) -> None:
    # The email package refuses a line break in a header (header injection) with ValueError;
    # the reason names only the header, never its value (an address is personal data).
    try:
        email[name] = value
    except (ValueError, MessageError) as error:
        raise UnbuildableMessage(
            f"cannot write the {name} header: a line break or control character "
            f"({type(error).__name__})") from None


def pending_count() -> int:
    """Messages still waiting to be sent."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )


def release_leases(ids: Collection[int] | None = None) -> None:
    """Free messages still waiting that a worker had leased (these ids, or all of them)."""
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    db.session.execute(query.values(locked_until=None))


class Worker:
    """Delivers the outbox in a loop: woken after a commit that queued mail, else polls."""

    # What a subclass running other rounds (webhooks.sending) names its thread and polls by.
    thread_name = "outbox"
    poll_setting = "OUTBOX_POLL_SECONDS"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wake_event = threading.Event()
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.failed_rounds = 0  # in a row
        # Leased by a round that failed: sent again at once when the database is back (a
        # message sent just before the failure may so go twice, never more).
        self.in_hand: set[int] = set()

    def wake(self) -> None:
        self.wake_event.set()

    def start_thread(self) -> None:
        """Start delivering in a background thread of this process (once)."""
        with self._start_lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)
                self.thread.start()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.wake_event.wait(self.pause())
            self.wake_event.clear()
            self.run_once()

    def pause(self) -> float:
        """Seconds until the next round: the poll interval, doubling while rounds fail."""
        poll = self.app.config[self.poll_setting]
        return min(poll * 2 ** min(self.failed_rounds, 10), max(poll, MAX_FAILURE_PAUSE_SECONDS))

    def run_once(self) -> DeliveryReport:
        with self.app.app_context():
            try:
                if self.in_hand:
                    release_leases(self.in_hand)
                    db.session.commit()
                    self.in_hand.clear()
                report = deliver_due(in_hand=self.in_hand)
                while report.handled and not self.stop_event.is_set():
                    report = deliver_due(in_hand=self.in_hand)
            except Exception as error:  # the loop must outlive a database restart, and a bug
                if self._round_failed(error):
                    log.exception("outbox delivery round failed")
                return DeliveryReport()
            finally:
                outages.end_session()
        if self.failed_rounds:
            log.info("outbox delivery resumed after %s failed rounds", self.failed_rounds)
            self.failed_rounds = 0
        return report

    def _round_failed(self, error: Exception) -> bool:
        """Roll back after a failed round; True when it was not an outage (log the traceback)."""
        outages.roll_back()
        self.failed_rounds += 1
        if not outages.is_outage(error):
            return True
        if self.failed_rounds == 1:  # once per outage, not once per round
            log.warning("%s paused, database unavailable: %s", self.thread_name,
                        outages.describe(error))
        return False

    def stop(self) -> None:
        self.stop_event.set()
        self.wake_event.set()


def init_app(app: Flask) -> None:
    """Attach a worker to the app; where the app delivers mail itself, start it on first request.

    Starting on the first request, not here, keeps one-off commands from sending mail.
    """
    worker = Worker(app)
    app.extensions["campaign_outbox"] = worker
    if app.config["OUTBOX_EMBEDDED_WORKER"]:

        @app.before_request
        def _start_embedded_worker() -> None:
            if worker.thread is None:
                worker.start_thread()


@event.listens_for(Session, "after_commit")
def _wake_worker_after_commit(session: Session) -> None:
    if session.info.pop("outbox_wake", False) and has_app_context():
        worker = current_app.extensions.get("campaign_outbox")
        if worker is not None:
            worker.wake()


@event.listens_for(Session, "after_rollback")
def _forget_wake_on_rollback(session: Session) -> None:
    session.info.pop("outbox_wake", None)
