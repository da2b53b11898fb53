"""Blueprint "health": GET /healthz, the state of the database and the mail queue, for monitors.

It says how things are, never who: counts and ages only, no addresses, hosts or error texts.
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text

from campaign.clock import utcnow
from campaign.errors import RETRY_AFTER_SECONDS
from campaign.extensions import db, limiter
from campaign.models import OutboxMessage, OutboxStatus
from campaign.ops import outages

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

# The database must answer within this, or it counts as down.
DATABASE_TIMEOUT_MS = 2000
# A late mail queue does not mend itself in seconds: monitors may look again later.
DEGRADED_RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True)
class MailQueue:
    pending: int
    oldest_pending_seconds: int | None
    failed_last_day: int
    delayed: bool


def database_answers() -> float:
    """Milliseconds a `SELECT 1` took on a connection of its own; raises if it fails or stalls."""
    started = time.perf_counter()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL statement_timeout = {DATABASE_TIMEOUT_MS}"))
        connection.execute(text("SELECT 1"))
        connection.rollback()
    return (time.perf_counter() - started) * 1000


def mail_queue(now: datetime, max_delay: timedelta) -> MailQueue:
    """How much mail waits, how long the oldest has waited, and how much failed for good today."""
    pending, oldest = db.session.execute(
        select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    ).one()
    # A failed message's next_attempt_at is when its last try was due: about when it failed.
    failed = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.next_attempt_at >= now - timedelta(days=1),
        )
    )
    waited = (now - oldest) if oldest is not None else None
    return MailQueue(
        pending=pending,
        oldest_pending_seconds=int(waited.total_seconds()) if waited is not None else None,
        failed_last_day=failed,
        delayed=waited is not None and waited > max_delay,
    )


@bp.get("/healthz")
@limiter.exempt
def healthz():
    now = utcnow()
    report: dict = {"status": "ok", "checked_at": now.isoformat(timespec="seconds")}
    try:
        report["database"] = {"ok": True, "milliseconds": round(database_answers(), 1)}
        max_delay = timedelta(minutes=current_app.config["HEALTH_MAIL_DELAY_MINUTES"])
        queue = mail_queue(now, max_delay)
    except outages.DATABASE_ERRORS as error:
        outages.roll_back()
        log.warning("health check: database unavailable: %s", outages.describe(error))
        report |= {"status": "down", "database": {"ok": False}, "mail_queue": None}
        return _answer(report, 503, RETRY_AFTER_SECONDS)
    report["mail_queue"] = asdict(queue) | {"max_delay_seconds": int(max_delay.total_seconds())}
    if queue.delayed:
        report["status"] = "degraded"
        return _answer(report, 503, DEGRADED_RETRY_AFTER_SECONDS)
    return _answer(report, 200)


def _answer(report: dict, status: int, retry_after: int | None = None):
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
