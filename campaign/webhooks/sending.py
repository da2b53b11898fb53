"""Sending deliveries: rounds that take the due ones, POST them signed, and retry with backoff.

Each round leases its deliveries (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at
a time) by moving their next attempt past the time sending them can take, and commits: two
workers never send one delivery twice, and a worker that dies leaves its deliveries due again
once the lease is over (sent again then: receivers tell repeats by Campaign-Webhook-Id).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, event, func, literal, select, true, update
from sqlalchemy.orm import Session

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import DeliveryState, Webhook, WebhookDelivery
from campaign.models.types import UTCDateTime
from campaign.ops import outages
from campaign.webhooks import addresses, connections, disabling, headers
from campaign.webhooks.queue import WAKE

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
BATCH = 10
# Deliveries done with (delivered, failed) are kept this long for the organizer's page.
KEEP = timedelta(days=30)


@dataclass
class SendReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.failed

    def add(self, other: SendReport) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.failed += other.failed


def backoff(attempts: int) -> timedelta:
    """Wait after the attempts-th failure: 1, 2, 4... minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 10), MAX_BACKOFF)


def send_due(*, now: datetime | None = None, limit: int = BATCH) -> SendReport:
    """Send the deliveries that are due (at most limit), once each; commits its own work."""
    now = now or utcnow()
    report = SendReport()
    for delivery_id in _claim(now, limit):
        _send(delivery_id, report)
    return report


def _lease() -> timedelta:
    """Longer than sending a whole batch may take (each send ends by its timeout)."""
    return timedelta(seconds=current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * (BATCH + 1) + 60)


def _claim(now: datetime, limit: int) -> list[int]:
    """Lease due deliveries of active hooks to this round; their ids, oldest first."""
    query = (
        select(WebhookDelivery)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.state == DeliveryState.QUEUED,
               WebhookDelivery.next_attempt_at <= now, Webhook.active == true())
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    batch = list(db.session.scalars(query))
    for delivery in batch:
        delivery.next_attempt_at = now + _lease()
    db.session.commit()
    return [delivery.id for delivery in batch]


def _send(delivery_id: int, report: SendReport) -> None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != DeliveryState.QUEUED:
        return  # deleted with its hook, or failed when the hook was disabled
    hook = delivery.webhook
    if not hook.active:  # paused or disabled since the claim: due again once resumed
        delivery.next_attempt_at = utcnow()
        db.session.commit()
        return
    answer = _attempt(hook, delivery)
    now = utcnow()  # after the exchange: when it ended
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status = answer.status
    delivery.last_error = answer.error[:300]
    if answer.ok:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = now
        delivery.body = ""  # done with: the signer's data is not kept here any longer
        _hook_succeeded(hook.id)
        report.delivered += 1
        log.info("webhook delivery %s (%s) delivered to hook %s", delivery.uuid, delivery.event,
                 hook.id)
    else:
        _delivery_failed(delivery, now, report)
        db.session.flush()
        if _hook_failed(hook.id, now):
            disabling.disable(hook, now=now)
    db.session.commit()


def _attempt(hook: Webhook, delivery: WebhookDelivery) -> connections.Answer:
    """One POST of the delivery, its address checked first (it may resolve elsewhere now)."""
    config = current_app.config
    try:
        target = addresses.check(hook.url, allow_http=config["WEBHOOK_ALLOW_HTTP"],
                                 allow_private=config["WEBHOOK_ALLOW_PRIVATE"])
    except addresses.AddressRefused as refused:
        return connections.Answer(None, f"address refused: {refused}")
    body = delivery.body.encode()
    signed = headers.for_delivery(secret=hook.secret, delivery_uuid=delivery.uuid,
                                  event=delivery.event, timestamp=int(utcnow().timestamp()),
                                  body=body)
    return connections.post(target, body, signed, timeout=config["WEBHOOK_TIMEOUT_SECONDS"],
                            context=connections.tls_context(config["WEBHOOK_CA_FILE"]))


def _delivery_failed(delivery: WebhookDelivery, now: datetime, report: SendReport) -> None:
    window = timedelta(hours=current_app.config["WEBHOOK_RETRY_HOURS"])
    retry_at = now + backoff(delivery.attempts)
    if retry_at > delivery.created_at + window:
        delivery.state = DeliveryState.FAILED
        delivery.body = ""
        report.failed += 1
        log.warning("webhook delivery %s failed for good after %s attempts: %s", delivery.uuid,
                    delivery.attempts, delivery.last_error)
    else:
        delivery.next_attempt_at = retry_at
        report.retried += 1
        log.info("webhook delivery %s will be retried: %s", delivery.uuid, delivery.last_error)


def _hook_succeeded(hook_id: int) -> None:
    db.session.execute(update(Webhook).where(Webhook.id == hook_id)
                       .values(consecutive_failures=0, failing_since=None)
                       .execution_options(synchronize_session=False))


def _hook_failed(hook_id: int, now: datetime) -> bool:
    """Count a failed attempt against the hook (in the database: workers may count at once);
    True when the hook has failed enough, and long enough, to be disabled."""
    at = literal(now, UTCDateTime)
    failures, since = db.session.execute(
        update(Webhook).where(Webhook.id == hook_id)
        .values(consecutive_failures=Webhook.consecutive_failures + 1,
                failing_since=func.coalesce(Webhook.failing_since, at))
        .returning(Webhook.consecutive_failures, Webhook.failing_since)
        .execution_options(synchronize_session=False)
    ).one()
    config = current_app.config
    return (failures >= config["WEBHOOK_DISABLE_AFTER"]
            and since <= now - timedelta(hours=config["WEBHOOK_RETRY_HOURS"]))


def prune(now: datetime) -> int:
    """Delete deliveries done with for over KEEP (30 days); how many."""
    # next_attempt_at of a finished delivery is about its last attempt: read from the
    # (state, next_attempt_at) index, never a scan of every delivery.
    removed = db.session.execute(delete(WebhookDelivery).where(
        WebhookDelivery.state.in_([DeliveryState.DELIVERED, DeliveryState.FAILED]),
        WebhookDelivery.next_attempt_at < now - KEEP,
    ).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return removed


def queued_count() -> int:
    """Deliveries still waiting to be sent."""
    return db.session.scalar(select(func.count(WebhookDelivery.id)).where(
        WebhookDelivery.state == DeliveryState.QUEUED))


class Worker(outbox.Worker):
    """Sends webhook deliveries in a loop, apart from the mail: a slow receiver never holds
    up an email. Woken after a commit that queued a delivery, else polls."""

    thread_name = "webhooks"
    poll_setting = "WEBHOOK_POLL_SECONDS"

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.pruned_at: datetime | None = None

    def run_once(self) -> SendReport:  # type: ignore[override]
        total = SendReport()
        with self.app.app_context():
            try:
                report = send_due()
                total.add(report)
                while report.handled and not self.stop_event.is_set():
                    report = send_due()
                    total.add(report)
                now = utcnow()
                if self.pruned_at is None or now - self.pruned_at > timedelta(hours=1):
                    prune(now)
                    self.pruned_at = now
            except Exception as error:  # the loop must outlive a database restart, and a bug
                if self._round_failed(error):
                    log.exception("webhook sending round failed")
                return total
            finally:
                outages.end_session()
        self.failed_rounds = 0
        return total


def init_app(app: Flask) -> None:
    """Attach a sender to the app; where the app sends webhooks itself, start it on first
    request (as the outbox's worker, so one-off commands send nothing)."""
    worker = Worker(app)
    app.extensions["campaign_webhooks"] = worker
    if app.config["WEBHOOK_EMBEDDED_WORKER"]:

        @app.before_request
        def _start_embedded_webhook_worker() -> None:
            if worker.thread is None:
                worker.start_thread()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(WAKE, False) and has_app_context():
        worker = current_app.extensions.get("campaign_webhooks")
        if worker is not None:
            worker.wake()


@event.listens_for(Session, "after_rollback")
def _forget_wake_on_rollback(session: Session) -> None:
    session.info.pop(WAKE, None)
