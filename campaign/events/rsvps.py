"""RSVPs: one per event and address, confirmed by email; seats taken at confirmation, a
waiting list beyond capacity, promoted strictly in order when seats free up.

Capacity counts people: each going RSVP holds 1 + its guests. Every change of seats (a
confirmation, a cancellation, a promotion) first locks the event's row (SELECT ... FOR UPDATE
on PostgreSQL; SQLite's write lock, taken at BEGIN, already serialises writers), so that
concurrent confirmations never seat more people than the capacity.

The waiting list is first come, first served: a newcomer takes seats only while no one is
waiting, and freed seats go to the head of the line while the head's party fits; a party
too large for the seats free blocks the line until enough free up (no one skips it).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from campaign import database
from campaign.abuse import list_rules
from campaign.events import attendee_mail
from campaign.extensions import db
from campaign.models import Campaign, Event, EventStatus, Rsvp, RsvpStatus
from campaign.models.types import new_uuid
from campaign.signing.signer_input import duplicate_key
from campaign.webhooks import queue as webhooks

log = logging.getLogger(__name__)

MAX_GUESTS = 10
# An attendee who confirms this close to the start has just had every detail: no reminder.
REMINDER_WINDOW = timedelta(hours=24)


class EventClosed(Exception):
    """The event takes no RSVPs: cancelled, declined, not yet published, or over."""


@dataclass(frozen=True)
class AttendeeDetails:
    """What an attendee entered, already checked by the form."""

    full_name: str
    email: str
    postcode: str = ""
    guests: int = 0
    host_may_write: bool = False
    language: str = "en"
    ip_hash: str = ""
    # Matched against the block lists, never stored.
    ip_address: str = ""


def takes_rsvps(event: Event, now: datetime) -> bool:
    """Whether the event is published and has not ended."""
    return event.status == EventStatus.PUBLISHED and event.ends_at > now


def rsvp(campaign: Campaign, event: Event, details: AttendeeDetails, *, now: datetime) -> int | None:
    """Record an RSVP and email its confirmation link, or answer a repeat by email; the
    caller cannot tell which (the id of a new row, else None). Blocked senders get nothing."""
    if not takes_rsvps(event, now):
        raise EventClosed(event.uuid)
    email_key = duplicate_key(details.email)
    if list_rules.rules_for(campaign.slug).block_reason(details.ip_address, email_key):
        log.info("RSVP to event %s from a blocked sender dropped", event.id)
        return None
    values = {
        "uuid": new_uuid(), "event_id": event.id, "full_name": details.full_name,
        "email": details.email, "email_key": email_key, "postcode": details.postcode,
        "guests": details.guests, "host_may_write": details.host_may_write,
        "language": details.language, "status": RsvpStatus.PENDING, "ip_hash": details.ip_hash,
        "created_at": now, "updated_at": now,
    }
    new_id = database.execute_plain(_insert_unless_there(), values).scalar()
    if new_id is None:
        _answer_repeat(event, email_key, details, now)
        return None
    attendee_mail.send_confirmation(event, Rsvp(id=new_id, **values), now=now)
    return new_id


def _insert_unless_there():
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return (insert(Rsvp.__table__)
            .on_conflict_do_nothing(index_elements=["event_id", "email_key"])
            .returning(Rsvp.__table__.c.id))


def _answer_repeat(event: Event, email_key: str, details: AttendeeDetails, now: datetime) -> None:
    # Locked so that concurrent repeats take turns at the daily email limit.
    existing = db.session.scalar(select(Rsvp).where(
        Rsvp.event_id == event.id, Rsvp.email_key == email_key).with_for_update())
    if existing is None:
        return
    if existing.status == RsvpStatus.CANCELLED:
        # Coming after all: a new RSVP on the same row, confirmed again by email.
        existing.full_name, existing.email = details.full_name, details.email
        existing.postcode, existing.guests = details.postcode, details.guests
        existing.host_may_write, existing.language = details.host_may_write, details.language
        existing.status, existing.cancelled_at, existing.confirmed_at = RsvpStatus.PENDING, None, None
        existing.waitlisted_at = existing.reminded_at = None
        if attendee_mail.may_answer_repeat(event, existing, attendee_mail.CONFIRM, now=now):
            attendee_mail.send_confirmation(event, existing, now=now)
    elif existing.status == RsvpStatus.PENDING:
        if attendee_mail.may_answer_repeat(event, existing, attendee_mail.CONFIRM, now=now):
            attendee_mail.send_confirmation(event, existing, now=now)
    elif attendee_mail.may_answer_repeat(event, existing, attendee_mail.ALREADY, now=now):
        attendee_mail.send(attendee_mail.ALREADY, event, existing, now=now)


def lock_event(event: Event) -> Event:
    """Hold the event's row until the transaction ends, reading it afresh."""
    return db.session.scalars(
        select(Event).where(Event.id == event.id).with_for_update()
        .execution_options(populate_existing=True)).one()


def going_people(event_id: int) -> int:
    """People holding seats: each going RSVP and its guests."""
    return db.session.scalar(
        select(func.coalesce(func.sum(1 + Rsvp.guests), 0))
        .where(Rsvp.event_id == event_id, Rsvp.status == RsvpStatus.GOING))


def _someone_waiting(event_id: int) -> bool:
    return db.session.scalar(select(Rsvp.id).where(
        Rsvp.event_id == event_id, Rsvp.status == RsvpStatus.WAITING).limit(1)) is not None


def confirm(event: Event, rsvp: Rsvp, *, now: datetime) -> str:
    """Confirm a pending RSVP: seats if they fit and no one waits, else the waiting list.
    Returns the RSVP's status afterwards (unchanged when it was not pending)."""
    event = lock_event(event)
    db.session.refresh(rsvp)
    if rsvp.status != RsvpStatus.PENDING:
        return rsvp.status
    if not takes_rsvps(event, now):
        raise EventClosed(event.uuid)
    rsvp.confirmed_at = now
    fits = (event.capacity is None
            or going_people(event.id) + rsvp.seats <= event.capacity)
    if fits and not _someone_waiting(event.id):
        rsvp.status = RsvpStatus.GOING
        if event.starts_at - now <= REMINDER_WINDOW:
            rsvp.reminded_at = now  # this email is their reminder
        attendee_mail.send(attendee_mail.GOING, event, rsvp, now=now)
    else:
        rsvp.status, rsvp.waitlisted_at = RsvpStatus.WAITING, now
        attendee_mail.send(attendee_mail.WAITING, event, rsvp, now=now)
    db.session.flush()
    webhooks.rsvp_confirmed(rsvp, now=now)  # going or waiting: confirmed by its owner
    return rsvp.status


def cancel(event: Event, rsvp: Rsvp, *, now: datetime) -> list[Rsvp]:
    """Withdraw an RSVP (pending, going or waiting); freed seats go to the waiting list in
    order. Returns the RSVPs promoted."""
    event = lock_event(event)
    db.session.refresh(rsvp)
    if rsvp.status == RsvpStatus.CANCELLED:
        return []
    held_seats = rsvp.status == RsvpStatus.GOING
    rsvp.status, rsvp.cancelled_at = RsvpStatus.CANCELLED, now
    db.session.flush()
    return promote(event, now=now) if held_seats else []


def promote(event: Event, *, now: datetime) -> list[Rsvp]:
    """Give free seats to the waiting list, first in line first, while the head's party fits;
    each promoted attendee is emailed. The caller holds the event's lock (lock_event)."""
    if event.status != EventStatus.PUBLISHED:
        return []
    line = db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITING)
        .order_by(Rsvp.waitlisted_at, Rsvp.id)).all()
    free = None if event.capacity is None else event.capacity - going_people(event.id)
    promoted = []
    for waiting in line:
        if free is not None and waiting.seats > free:
            break  # strictly in order: the head that does not fit waits, and so do those behind
        waiting.status = RsvpStatus.GOING
        if free is not None:
            free -= waiting.seats
        if event.starts_at - now <= REMINDER_WINDOW:
            waiting.reminded_at = now
        attendee_mail.send(attendee_mail.PROMOTED, event, waiting, now=now)
        promoted.append(waiting)
    db.session.flush()
    if promoted:
        log.info("event %s: %s promoted from the waiting list", event.id, len(promoted))
    return promoted
