"""Events and RSVPs made directly, for the events tests (inside an app context)."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from campaign.campaigns import store as campaign_store
from campaign.events import finding, rsvps
from campaign.extensions import db
from campaign.models import Event, EventStatus, Rsvp, RsvpStatus

_emails = itertools.count(1)


def new_event(slug: str, *, starts_at: datetime | None = None, hours: float = 2,
              **fields) -> Event:
    """A published event of the campaign, in Minneapolis unless told otherwise; flushed."""
    campaign = campaign_store.get_by_slug(slug)
    starts_at = starts_at or datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    fields.setdefault("title", "Town hall on the river")
    fields.setdefault("timezone", "America/Chicago")
    fields.setdefault("country", "US")
    fields.setdefault("postcode", "55401")
    fields.setdefault("town", "Minneapolis")
    fields.setdefault("region", "MN")
    fields.setdefault("venue_name", "Central Library")
    fields.setdefault("address", "300 Nicollet Mall")
    fields.setdefault("status", EventStatus.PUBLISHED)
    spot = finding.locate(fields["country"], fields["postcode"])
    if spot and "latitude" not in fields:
        fields["latitude"], fields["longitude"] = spot
    event = Event(campaign_id=campaign.id, starts_at=starts_at,
                  ends_at=starts_at + timedelta(hours=hours), **fields)
    db.session.add(event)
    db.session.flush()
    return event


def details(**fields) -> rsvps.AttendeeDetails:
    """An attendee with a fresh address unless one is given."""
    fields.setdefault("full_name", "Ada Lovelace")
    fields.setdefault("email", f"attendee{next(_emails)}@example.org")
    fields.setdefault("postcode", "55401")
    return rsvps.AttendeeDetails(**fields)


def pending(slug: str, event: Event, **fields) -> Rsvp:
    """An RSVP made through rsvps.rsvp(), still pending."""
    campaign = campaign_store.get_by_slug(slug)
    rsvp_id = rsvps.rsvp(campaign, event, details(**fields), now=datetime.now(UTC))
    return db.session.get(Rsvp, rsvp_id)


def going(slug: str, event: Event, **fields) -> Rsvp:
    """An RSVP made and confirmed (going, or waiting when the event is full)."""
    rsvp = pending(slug, event, **fields)
    rsvps.confirm(event, rsvp, now=datetime.now(UTC))
    assert rsvp.status in (RsvpStatus.GOING, RsvpStatus.WAITING)
    return rsvp
