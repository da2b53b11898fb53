"""Events and their attendances (RSVPs), read only."""
from __future__ import annotations

from flask import abort

from campaign.api import collections
from campaign.api.blueprint import audited, base_url, bp, current_owner, document
from campaign.models import Event
from campaign.osdi import documents, listings
from campaign.osdi.identifiers import uuid_of


def _event_or_404(event_id: str) -> Event:
    uuid = uuid_of(event_id)
    found = listings.event(current_owner(), uuid) if uuid else None
    if found is None:
        abort(404, "No event has this identifier.")
    return found


@bp.get("/events")
def events():
    found = collections.page_of(listings.events(current_owner(), collections.conditions()))
    seats = listings.accepted_counts([e.id for e in found.rows])
    return document(collections.answer(
        "events", [documents.event(e, base_url=base_url(), total_accepted=seats[e.id])
                   for e in found.rows], found, ".events"))


@bp.get("/events/<event_id>")
def event(event_id: str):
    found = _event_or_404(event_id)
    seats = listings.accepted_counts([found.id])[found.id]
    return document(documents.event(found, base_url=base_url(), total_accepted=seats))


@bp.get("/events/<event_id>/attendances")
def attendances(event_id: str):
    found_event = _event_or_404(event_id)
    found = collections.page_of(listings.attendances(found_event.id, collections.conditions()))
    body = collections.answer(
        "attendances", [documents.attendance(r, base_url=base_url()) for r in found.rows], found,
        ".attendances", event_id=found_event.uuid)
    audited("api.attendances.read", campaign=_campaign_of(found_event), rows=len(found.rows))
    return document(body)


@bp.get("/events/<event_id>/attendances/<attendance_id>")
def attendance(event_id: str, attendance_id: str):
    found_event = _event_or_404(event_id)
    uuid = uuid_of(attendance_id)
    found = listings.attendance(found_event.id, uuid) if uuid else None
    if found is None:
        abort(404, "No attendance of this event has this identifier.")
    body = documents.attendance(found, base_url=base_url())
    audited("api.attendances.read", campaign=_campaign_of(found_event), rows=1)
    return document(body)


def _campaign_of(event: Event):
    return listings.campaign_by_id(event.campaign_id)
