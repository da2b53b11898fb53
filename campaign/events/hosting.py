"""Visitors who offer to host: the offer and its confirmation by email, and the host's page.

An offer is an Event with status proposed. It is confirmed as a signature is, by a link in an
email; only confirmed offers reach the organizers' list. The same rules as signing apply: the
block lists (a blocked offer is answered like any other and never stored), at most
EMAILS_PER_ADDRESS_PER_DAY emails to one address, and a repeat (a double click, the form sent
twice) makes no second offer: within CONFIRMATION_RESEND_MINUTES it sends nothing, later the
link again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from campaign.abuse import list_rules
from campaign.events import finding, host_links, times
from campaign.events.event_input import EventFields
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import Campaign, Event, EventStatus, Rsvp, RsvpStatus
from campaign.signing import signer_mail
from campaign.signing.signer_input import duplicate_key

log = logging.getLogger(__name__)

CONFIRM_KIND = "host_confirm"


@dataclass(frozen=True)
class HostOffer:
    """What a visitor offering to host typed, checked by the form."""

    host_name: str
    host_email: str
    fields: EventFields
    action_id: int | None = None
    ip_address: str = ""  # matched against the block lists, never stored
    ip_hash: str = ""


def place(event: Event) -> None:
    """Set the event's coordinates from its postcode (finding.locate), or clear them."""
    spot = finding.locate(event.country, event.postcode) if event.postcode else None
    event.latitude, event.longitude = spot if spot else (None, None)


def offer(campaign: Campaign, details: HostOffer, *, now: datetime) -> Event | None:
    """Record an offer to host and email its confirmation link; None when none was made.

    The caller commits. Offers to one campaign take turns on its row, so that two identical
    offers sent at once make one.
    """
    email_key = duplicate_key(details.host_email)
    if list_rules.rules_for(campaign.slug).block_reason(details.ip_address, email_key):
        log.info("offer to host for campaign %s refused by a block list", campaign.id)
        return None
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    earlier = _same_offer(campaign, details, email_key)
    if earlier is not None:
        if earlier.host_confirmed_at is None and _repeat_may_email(campaign, email_key, now):
            _send_confirmation(campaign, earlier, now)
        return None
    event = Event(campaign_id=campaign.id, action_id=details.action_id, status=EventStatus.PROPOSED,
                  host_name=details.host_name, host_email=details.host_email,
                  ip_hash=details.ip_hash, created_at=now, updated_at=now,
                  **details.fields.values())
    place(event)
    db.session.add(event)
    db.session.flush()
    _send_confirmation(campaign, event, now)
    log.info("offer to host %s made for campaign %s", event.id, campaign.id)
    return event


def _same_offer(campaign: Campaign, details: HostOffer, email_key: str) -> Event | None:
    """An offer of this address for the same start that no organizer has handled yet."""
    candidates = db.session.scalars(select(Event).where(
        Event.campaign_id == campaign.id, Event.status == EventStatus.PROPOSED,
        Event.created_by.is_(None), Event.starts_at == details.fields.starts_at))
    return next((e for e in candidates if duplicate_key(e.host_email) == email_key), None)


def _repeat_may_email(campaign: Campaign, email_key: str, now: datetime) -> bool:
    """The signers' rule: within the daily limit, and no link sent in the last few minutes."""
    config = current_app.config
    sent_today, last_at = db.session.execute(signer_mail.emails_since_query(
        campaign.id, email_key, now - timedelta(days=1), CONFIRM_KIND)).one()
    window = timedelta(minutes=config["CONFIRMATION_RESEND_MINUTES"])
    return sent_today < config["EMAILS_PER_ADDRESS_PER_DAY"] and (last_at is None or now - last_at >= window)


def _send_confirmation(campaign: Campaign, event: Event, now: datetime) -> None:
    send_host_email(CONFIRM_KIND, campaign, event,
                    subject=_("Please confirm your offer to host"),
                    link=host_links.confirm_link(campaign, event, now=now),
                    days=current_app.config["CONFIRM_TOKEN_DAYS"])


def send_host_email(kind: str, campaign: Campaign, event: Event, *, subject: str, **values) -> None:
    """Write one of the host's emails (templates/email/events/<kind>.txt) to the outbox."""
    body = render_template(f"email/events/{kind}.txt", campaign=campaign, event=event,
                           name=event.host_name, when=times.when(event.starts_at, event.ends_at,
                                                                 event.timezone), **values)
    outbox.enqueue(kind=kind, to_address=event.host_email, subject=f"{subject}: {event.title}",
                   body=body, campaign_id=campaign.id, recipient_key=duplicate_key(event.host_email))


def confirm(event: Event, *, now: datetime) -> bool:
    """Confirm an offer to host; False when there was nothing to do (confirmed, or handled)."""
    if event.host_confirmed_at is not None or event.status != EventStatus.PROPOSED:
        return False
    event.host_confirmed_at = now
    return True


@dataclass(frozen=True)
class Guest:
    """One attendee as their host sees them: the email only if they allowed the host to write."""

    name: str
    guests: int
    status: str
    email: str


def guest_list(event: Event) -> list[Guest]:
    """Who is coming or waiting, in the order they confirmed (the waiting list in its order)."""
    rows = db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id,
                           Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITING)))
        .order_by(Rsvp.status, Rsvp.waitlisted_at, Rsvp.confirmed_at, Rsvp.id))
    return [Guest(r.full_name, r.guests, r.status, r.email if r.host_may_write else "")
            for r in rows]
