"""The day-before reminder: once to each attendee with a seat, whoever runs it and however often.

An attendee is claimed by `UPDATE rsvps SET reminded_at = now WHERE id = ... AND reminded_at IS
NULL` in the transaction that writes their email to the outbox: two processes running at once
wait on the row, and the second finds it claimed, so no one gets two.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select, update

from campaign.events import attendee_mail
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import Event, EventStatus, Rsvp, RsvpStatus

log = logging.getLogger(__name__)

AHEAD = timedelta(hours=24)


def due(*, now: datetime) -> list[tuple[int, int]]:
    """(event id, RSVP id) of every going attendee of a published event starting within a
    day who has not been reminded."""
    return [tuple(row) for row in db.session.execute(
        select(Event.id, Rsvp.id).join(Rsvp, Rsvp.event_id == Event.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
               Event.starts_at <= now + AHEAD, Rsvp.status == RsvpStatus.GOING,
               Rsvp.reminded_at.is_(None))
        .order_by(Event.starts_at, Rsvp.id))]


def remind(*, now: datetime) -> int:
    """Write the day-before reminders that are due to the outbox; the caller commits.
    Returns how many were written."""
    written = 0
    for event_id, rsvp_id in due(now=now):
        claimed = db.session.execute(
            update(Rsvp).where(Rsvp.id == rsvp_id, Rsvp.reminded_at.is_(None),
                               Rsvp.status == RsvpStatus.GOING)
            .values(reminded_at=now)).rowcount
        if claimed != 1:
            continue  # another process reminded them first
        event, rsvp = db.session.get(Event, event_id), db.session.get(Rsvp, rsvp_id)
        attendee_mail.send(attendee_mail.REMINDER, event, rsvp, now=now)
        written += 1
    if written:
        log.info("%s event reminders written to the outbox", written)
    return written


def feed(now: datetime) -> None:
    """The outbox worker's round: write reminders due (the round commits)."""
    remind(now=now)


def init_app(app: Flask) -> None:
    """Let the outbox's delivery rounds send reminders as they fall due."""
    outbox.add_feeder(app, feed)
