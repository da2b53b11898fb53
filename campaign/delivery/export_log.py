"""The audit entry of every export: committed before its first byte, completed when it ends."""
from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from campaign import audit, database
from campaign.extensions import db
from campaign.models import AuditEntry, Campaign, Organizer

log = logging.getLogger(__name__)


def begin(campaign_id: int, organizer_id: int | None, action: str, **detail) -> int:
    """Record an export in the audit log, committed, before any of it leaves; the entry's id.

    detail has format, rows, complete and source. Commits db.session, so the caller has
    nothing pending. Raises audit.AuditUnavailable when the entry cannot be written: the caller
    then sends nothing.
    """
    token = database.sqlite_write_intent.set(True)  # SQLite's write lock at BEGIN
    try:
        organizer = db.session.get(Organizer, organizer_id) if organizer_id else None
        campaign = db.session.get(Campaign, campaign_id)
        entry = audit.record(action, organizer=organizer, campaign=campaign, **detail)
        db.session.flush()
        entry_id = entry.id
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.exception("could not audit %s of campaign %s by organizer %s: not exported",
                      action, campaign_id, organizer_id)
        raise audit.AuditUnavailable(action) from error
    finally:
        database.sqlite_write_intent.reset(token)
    if detail["complete"]:  # made whole before it is sent
        _log_export(action, organizer_id, campaign_id, detail)
    return entry_id


def finish(entry_id: int, **outcome) -> None:
    """Write how an export ended (rows, complete...) into its audit entry, committed.

    Runs in a generator's finally, possibly as a client hangs up: database errors are logged
    and swallowed so that the worker carries on; the entry then still says the export began.
    """
    token = database.sqlite_write_intent.set(True)
    try:
        entry = db.session.get(AuditEntry, entry_id)
        if entry is None:  # audit lines are never deleted; nothing to complete if one were
            return
        done = (entry.action, entry.organizer_id, entry.campaign_id, {**entry.detail, **outcome})
        entry.detail = done[3]  # a new dict: a JSON column notices assignment, not mutation
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not complete the audit entry %s of an export (%s)", entry_id, outcome)
    else:
        _log_export(*done)
    finally:
        database.sqlite_write_intent.reset(token)


def _log_export(action: str, organizer_id: int | None, campaign_id: int | None,
                detail: dict) -> None:
    log.info("organizer %s exported %s rows of campaign %s as %s (%s, %s, complete=%s)",
             organizer_id, detail["rows"], campaign_id, detail["format"], action,
             detail["source"], detail["complete"])
