"""An event's attendee list as CSV, in Action Network's attendee column names, formula-safe and
audited before it leaves.

The first columns carry Action Network's own field names for a person (first_name,
last_name, email, zip_code), so that the file uploads there with no column to match
by hand; the RSVP's own facts follow under names of ours.
"""
from __future__ import annotations

from sqlalchemy import select

from campaign.delivery import export_log, exports
from campaign.extensions import db
from campaign.models import Event, Rsvp, RsvpStatus

COLUMNS = ("first_name", "last_name", "email", "zip_code", "rsvp_status", "guests",
           "host_may_contact", "rsvp_date", "confirmed_date")
ACTION = "export.attendees"


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def records(event: Event) -> list[tuple]:
    """Everyone who confirmed (going, then the waiting list in its order), in COLUMNS order."""
    attendees = db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id,
                           Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITING)))
        .order_by(Rsvp.status, Rsvp.waitlisted_at, Rsvp.confirmed_at, Rsvp.id))
    rows = []
    for rsvp in attendees:
        first, last = exports.split_name(rsvp.full_name)
        rows.append((first, last, rsvp.email, rsvp.postcode, rsvp.status,
                     rsvp.guests, "true" if rsvp.host_may_write else "false",
                     _iso(rsvp.created_at), _iso(rsvp.confirmed_at)))
    return rows


def csv_text(event: Event, *, organizer_id: int | None, source: str = "web") -> str:
    """The CSV document, its audit entry committed first (audit.AuditUnavailable if it cannot
    be: then nothing is sent). Commits the session."""
    rows = records(event)
    export_log.begin(event.campaign_id, organizer_id, ACTION, format="csv", rows=len(rows),
                     complete=True, source=source, event=event.uuid)
    return exports.csv_table(COLUMNS, rows)
