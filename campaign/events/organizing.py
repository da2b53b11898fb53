"""A campaign's events as its organizers run them: the list with its counts, creating and
editing, publishing (the host gets their private link), declining an offer (the offerer is
told politely) and cancelling (store.cancel tells the attendees)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from campaign import audit
from campaign.events import host_links, hosting, store
from campaign.events.event_input import EventFields
from campaign.extensions import db
from campaign.links import public_url
from campaign.models import Campaign, Event, EventStatus, Organizer
from campaign.signing.signer_input import duplicate_key

log = logging.getLogger(__name__)

PUBLISHED_KIND = "host_published"
DECLINED_KIND = "host_declined"


class WrongStatus(Exception):
    """The event is not in a state this operation applies to (a double click, another tab)."""


@dataclass(frozen=True)
class EventRow:
    """One event in the organizer's list, with its people going and waiting (guests counted)."""

    event: Event
    going: int
    waiting: int


def rows(campaign: Campaign) -> tuple[list[EventRow], list[Event]]:
    """(the campaign's events but offers and declined ones, soonest first; confirmed offers
    waiting for an answer, oldest first), with counts from one query."""
    events = list(db.session.scalars(select(Event).where(
        Event.campaign_id == campaign.id, Event.status != EventStatus.DECLINED)
        .order_by(Event.starts_at, Event.id)))
    offers = [e for e in events if is_offer(e) and e.host_confirmed_at is not None]
    listed = [e for e in events if not is_offer(e)]
    counted = store.counts([e.id for e in listed])
    return ([EventRow(e, *counted[e.id]) for e in listed],
            sorted(offers, key=lambda e: (e.host_confirmed_at, e.id)))


def is_offer(event: Event) -> bool:
    """Whether the event is a visitor's offer an organizer has not handled yet."""
    return event.status == EventStatus.PROPOSED and event.created_by is None


def overview_counts(campaign_id: int, *, now: datetime) -> tuple[int, int]:
    """(upcoming published events, confirmed offers waiting) for the campaign's overview."""
    upcoming, offers = db.session.execute(select(
        func.count(case(((Event.status == EventStatus.PUBLISHED) & (Event.ends_at > now), 1))),
        func.count(case(((Event.status == EventStatus.PROPOSED) & Event.created_by.is_(None)
                         & Event.host_confirmed_at.is_not(None), 1))),
    ).where(Event.campaign_id == campaign_id)).one()
    return int(upcoming), int(offers)


def get(campaign: Campaign, event_id: int) -> Event | None:
    """One of the campaign's events by id (None for another campaign's)."""
    return db.session.scalar(select(Event).where(Event.id == event_id,
                                                 Event.campaign_id == campaign.id))


def create(campaign: Campaign, fields: EventFields, *, organizer: Organizer, host_name: str,
           host_email: str, now: datetime) -> Event:
    """A new event, not yet published; its host is the organizer or the person they name."""
    event = Event(campaign_id=campaign.id, status=EventStatus.PROPOSED, created_by=organizer.id,
                  host_name=host_name, host_email=host_email, host_confirmed_at=now,
                  created_at=now, updated_at=now, **fields.values())
    hosting.place(event)
    db.session.add(event)
    db.session.flush()
    audit.record("event.created", organizer=organizer, campaign=campaign, event=event.uuid)
    return event


def edit(campaign: Campaign, event: Event, fields: EventFields, *, organizer: Organizer,
         host_name: str, host_email: str, now: datetime) -> list[str]:
    """Save an edit; attendees of a published event hear of a new time or place
    (store.changed). Returns what they were told of ("time", "place")."""
    if event.status not in (EventStatus.PROPOSED, EventStatus.PUBLISHED):
        raise WrongStatus(event.status)
    before = store.snapshot(event)
    old_host = duplicate_key(event.host_email) if event.host_email else ""
    for name, value in fields.values().items():
        setattr(event, name, value)
    event.host_name, event.host_email, event.updated_at = host_name, host_email, now
    if (before["country"], before.get("postcode")) != (event.country, event.postcode) or \
            event.latitude is None:
        hosting.place(event)
    told = store.changed(event, before, now=now)
    if event.status == EventStatus.PUBLISHED and event.host_email and \
            duplicate_key(event.host_email) != old_host:
        _send_host_link(campaign, event)  # a new host: the old link died with the old address
    audit.record("event.edited", organizer=organizer, campaign=campaign, event=event.uuid,
                 told_of=told)
    return told


def publish(campaign: Campaign, event: Event, *, organizer: Organizer, now: datetime) -> None:
    """Publish an event (an offer, or an organizer's own) and send its host their private link."""
    if event.status != EventStatus.PROPOSED:
        raise WrongStatus(event.status)
    if is_offer(event) and event.host_confirmed_at is None:
        raise WrongStatus("unconfirmed")
    store.publish(event, now=now)
    if event.host_email:
        _send_host_link(campaign, event)
    audit.record("event.published", organizer=organizer, campaign=campaign, event=event.uuid,
                 offer=event.created_by is None)


def _send_host_link(campaign: Campaign, event: Event) -> None:
    hosting.send_host_email(
        PUBLISHED_KIND, campaign, event, subject=_("Your event is published"),
        link=host_links.page_link(event),
        event_page=public_url("events.event", slug=campaign.slug, event_uuid=event.uuid),
        expires=host_links.page_expires_at(event).strftime("%Y-%m-%d"))


def decline(campaign: Campaign, event: Event, *, organizer: Organizer, now: datetime) -> None:
    """Turn down a visitor's offer, telling them politely; it is never shown again."""
    if not is_offer(event):
        raise WrongStatus(event.status)
    event.status, event.updated_at = EventStatus.DECLINED, now
    if event.host_confirmed_at is not None:  # an unconfirmed address may not be theirs
        hosting.send_host_email(DECLINED_KIND, campaign, event,
                                subject=_("About your offer to host"),
                                link=public_url("hosting.offer", slug=campaign.slug))
    audit.record("event.declined", organizer=organizer, campaign=campaign, event=event.uuid)


def cancel(campaign: Campaign, event: Event, *, organizer: Organizer, now: datetime) -> int:
    """Cancel a published event; its attendees are told (store.cancel). How many were told."""
    if event.status != EventStatus.PUBLISHED:
        raise WrongStatus(event.status)
    told = store.cancel(event, now=now)
    audit.record("event.cancelled", organizer=organizer, campaign=campaign, event=event.uuid,
                 attendees_told=told)
    return told
