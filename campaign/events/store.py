"""Events as organizers change them: publish, cancel (telling attendees), changes of time or
place (telling attendees, with an updated calendar file), the upcoming list, and RSVP counts."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import case, func, select

from campaign.events import attendee_mail, rsvps
from campaign.extensions import db
from campaign.models import Event, EventStatus, Rsvp, RsvpStatus

log = logging.getLogger(__name__)

# The fields whose change attendees are told of, and how the email names each.
TIME_FIELDS = ("starts_at", "ends_at", "timezone")
PLACE_FIELDS = ("venue_name", "address", "town", "region", "postcode", "country", "online_url")


class NotPublishable(Exception):
    """Only a proposed event (an offer) or a published one can be published."""


def publish(event: Event, *, now: datetime) -> None:
    """List the event and open it to RSVPs (a proposed one; a published one stays as it is)."""
    if event.status == EventStatus.PUBLISHED:
        return
    if event.status != EventStatus.PROPOSED:
        raise NotPublishable(event.status)
    event.status, event.published_at = EventStatus.PUBLISHED, now
    db.session.flush()


def _attendees(event: Event, statuses: tuple[str, ...]) -> list[Rsvp]:
    return list(db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.status.in_(statuses))
        .order_by(Rsvp.id)))


def cancel(event: Event, *, now: datetime) -> int:
    """Cancel the event: every RSVP withdrawn, and those who had confirmed (going or waiting)
    told by email with a calendar file that removes it. Returns how many were told."""
    event = rsvps.lock_event(event)
    if event.status == EventStatus.CANCELLED:
        return 0
    told = _attendees(event, (RsvpStatus.GOING, RsvpStatus.WAITING))
    pending = _attendees(event, (RsvpStatus.PENDING,))
    event.status, event.cancelled_at = EventStatus.CANCELLED, now
    event.sequence += 1
    for attendee in told:
        attendee_mail.send(attendee_mail.CANCELLED, event, attendee, now=now)
    for attendee in told + pending:
        attendee.status, attendee.cancelled_at = RsvpStatus.CANCELLED, now
    db.session.flush()
    log.info("event %s cancelled: %s attendees told", event.id, len(told))
    return len(told)


def snapshot(event: Event) -> dict:
    """The values changed() compares: take it before applying an organizer's edit."""
    return {name: getattr(event, name) for name in (*TIME_FIELDS, *PLACE_FIELDS, "capacity")}


def changed(event: Event, before: dict, *, now: datetime) -> list[str]:
    """After an edit of a published event: if its time or place changed, raise its SEQUENCE
    and tell going and waiting attendees what changed, with the updated calendar file; if
    its capacity rose, seat the waiting list in order. Returns what changed ("time",
    "place"), as the emails say it."""
    what = []
    if any(before.get(name, getattr(event, name)) != getattr(event, name) for name in TIME_FIELDS):
        what.append("time")
    if any(before.get(name, getattr(event, name)) != getattr(event, name) for name in PLACE_FIELDS):
        what.append("place")
    if event.status != EventStatus.PUBLISHED:
        return what
    rsvps.lock_event(event)
    if what:
        event.sequence += 1
        for attendee in _attendees(event, (RsvpStatus.GOING, RsvpStatus.WAITING)):
            if "time" in what:
                attendee.reminded_at = None  # a new time: a new day-before reminder
            attendee_mail.send(attendee_mail.CHANGED, event, attendee, now=now, changes=what)
    capacity_before = before.get("capacity", event.capacity)
    if event.capacity is None or (capacity_before is not None and event.capacity > capacity_before):
        rsvps.promote(event, now=now)
    db.session.flush()
    return what


def upcoming(campaign_id: int, *, now: datetime) -> list[Event]:
    """The campaign's published events that have not ended, soonest first."""
    return list(db.session.scalars(
        select(Event).where(Event.campaign_id == campaign_id,
                            Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
        .order_by(Event.starts_at, Event.id)))


def counts(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{event id: (people going, people waiting)}, guests included, in one GROUP BY; events
    without RSVPs are (0, 0)."""
    found = {event_id: (0, 0) for event_id in event_ids}
    if not event_ids:
        return found
    seats = 1 + Rsvp.guests
    rows = db.session.execute(
        select(Rsvp.event_id,
               func.coalesce(func.sum(case((Rsvp.status == RsvpStatus.GOING, seats), else_=0)), 0),
               func.coalesce(func.sum(case((Rsvp.status == RsvpStatus.WAITING, seats), else_=0)), 0))
        .where(Rsvp.event_id.in_(event_ids),
               Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITING)))
        .group_by(Rsvp.event_id))
    for event_id, going, waiting in rows:
        found[event_id] = (int(going), int(waiting))
    return found


def get_public(campaign_id: int, event_uuid: str) -> Event | None:
    """A campaign's event as visitors may see it (published or cancelled), by its uuid."""
    if len(event_uuid) != 36:
        return None
    return db.session.scalar(select(Event).where(
        Event.campaign_id == campaign_id, Event.uuid == event_uuid,
        Event.status.in_((EventStatus.PUBLISHED, EventStatus.CANCELLED))))
