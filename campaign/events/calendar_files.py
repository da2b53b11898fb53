"""Calendar files (RFC 5545, with the icalendar library): one event for an attendee's email or a
download, and the feed of a campaign's published events.

Each event keeps one UID, `<event uuid>@<host of BASE_URL>`, and its SEQUENCE rises with each
change attendees are told of, so that a calendar program updates the entry it already has.
An online event's link goes only to attendees with a seat: the public download and feed, and
the files of those waiting, leave it out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from campaign.events import finding, times
from campaign.links import public_url
from campaign.models import Event, EventStatus

PRODUCT_ID = "-//Campaign//Events//EN"
CONTENT_TYPE = "text/calendar"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


@dataclass(frozen=True)
class Attendee:
    """Whom an attendee's own file is for, and how they stand (ACCEPTED, TENTATIVE...)."""

    email: str
    name: str
    status: str = "ACCEPTED"


def uid(event: Event) -> str:
    """The event's UID in every file: its uuid at this site's host."""
    return f"{event.uuid}@{_host()}"


def _host() -> str:
    base = current_app.config.get("BASE_URL") or public_url("public.index")
    return urlsplit(base).hostname or "localhost"


def page_url(event: Event, slug: str) -> str:
    """The event's public page."""
    return public_url("events.event", slug=slug, event_uuid=event.uuid)


def _vevent(event: Event, slug: str, *, now: datetime, attendee: Attendee | None) -> VEvent:
    tz = times.zone(event.timezone)
    item = VEvent()
    item.add("uid", uid(event))
    # A public file keeps its DTSTAMP (and so its ETag) until the event changes.
    item.add("dtstamp", now if attendee is not None else event.updated_at)
    item.add("dtstart", event.starts_at.astimezone(tz))
    item.add("dtend", event.ends_at.astimezone(tz))
    item.add("summary", event.title)
    url = page_url(event, slug)
    item.add("description", "\n\n".join(part for part in (event.description.strip(), url) if part))
    item.add("url", url)
    location = finding.address_line(event)
    if event.online_url and attendee is not None and attendee.status == "ACCEPTED":
        location = event.online_url  # an attendee with a seat
    if location:
        item.add("location", location)
    item.add("sequence", event.sequence)
    cancelled = event.status == EventStatus.CANCELLED
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if attendee is not None:
        name, address = parseaddr(current_app.config["MAIL_FROM"])
        organizer = vCalAddress(f"mailto:{address}")
        organizer.params["cn"] = vText(name or address)
        item.add("organizer", organizer)
        person = vCalAddress(f"mailto:{attendee.email}")
        person.params["cn"] = vText(attendee.name)
        person.params["partstat"] = vText("DECLINED" if cancelled else attendee.status)
        person.params["rsvp"] = vText("FALSE")
        item.add("attendee", person)
    return item


def _calendar(method: str | None, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def event_file(event: Event, slug: str, *, now: datetime, attendee: Attendee | None = None) -> str:
    """One event as a calendar file: for an attendee (REQUEST, or CANCEL once cancelled), or
    anyone (PUBLISH, without an online event's link)."""
    if attendee is None:
        method = PUBLISH
    else:
        method = CANCEL if event.status == EventStatus.CANCELLED else REQUEST
    calendar = _calendar(method)
    calendar.add_component(_vevent(event, slug, now=now, attendee=attendee))
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")


def feed(events: list[Event], slug: str, name: str, *, now: datetime) -> str:
    """A campaign's published events as one calendar (PUBLISH), each zone once."""
    calendar = _calendar(PUBLISH, name)
    for event in events:
        calendar.add_component(_vevent(event, slug, now=now, attendee=None))
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")


def attachment(event: Event, slug: str, *, now: datetime, attendee: Attendee) -> dict:
    """The attendee's file as an outbox attachment."""
    text = event_file(event, slug, now=now, attendee=attendee)
    method = CANCEL if event.status == EventStatus.CANCELLED else REQUEST
    return {"filename": "event.ics", "content_type": CONTENT_TYPE, "text": text,
            "params": {"method": method}}
