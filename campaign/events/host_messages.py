"""A host's short message to the attendees who allowed it: checked, limited, sent, audited.

Plain text only, SUBJECT_MAX and BODY_MAX characters; at most HOST_MESSAGES_PER_DAY per event
in any 24 hours (counted from the audit log, where each message leaves a line with its
recipient count and no personal data).
"""
from __future__ import annotations

import logging
import unicodedata
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campaign import audit
from campaign.events import times
from campaign.extensions import db
from campaign.links import public_url
from campaign.mail import outbox
from campaign.models import AuditEntry, Campaign, Event, EventStatus, Rsvp, RsvpStatus
from campaign.signing import signer_input
from campaign.signing.signer_input import InvalidInput

log = logging.getLogger(__name__)

KIND = "host_message"
ACTION = "event.host_message"
SUBJECT_MAX = 150
BODY_MAX = 2000


class InvalidMessage(ValueError):
    """A field breaks a rule; field names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class TooManyMessages(Exception):
    """The event's messages of the last 24 hours reached HOST_MESSAGES_PER_DAY."""


class NotOpen(Exception):
    """The event is cancelled: its attendees were told, and nobody is coming."""


def clean(subject: str | None, body: str | None) -> tuple[str, str]:
    """(subject, body) cleaned: one line and several, printable; InvalidMessage otherwise."""
    line = " ".join(unicodedata.normalize("NFC", subject or "").split(" "))
    text = unicodedata.normalize("NFC", (body or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    for field, value, allow in (("subject", line, ""), ("body", text, "\n\t")):
        try:
            signer_input.check_printable(value, allow=allow)
        except InvalidInput as error:
            raise InvalidMessage(field, str(error)) from None
    line = " ".join(line.split())
    if not line:
        raise InvalidMessage("subject", str(_l("Please write a subject.")))
    if len(line) > SUBJECT_MAX:
        raise InvalidMessage("subject", str(_l("Please keep the subject to %(num)d characters.",
                                               num=SUBJECT_MAX)))
    if not text:
        raise InvalidMessage("body", str(_l("Please write your message.")))
    if len(text) > BODY_MAX:
        raise InvalidMessage("body", str(_l("Please keep the message to %(num)d characters.",
                                            num=BODY_MAX)))
    return line, text


def recipients(event: Event) -> list[Rsvp]:
    """The confirmed attendees (going or waiting) who allowed the host to write to them."""
    return list(db.session.scalars(select(Rsvp).where(
        Rsvp.event_id == event.id, Rsvp.host_may_write.is_(True),
        Rsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITING))).order_by(Rsvp.id)))


def sent_today(event: Event, *, now: datetime) -> int:
    """How many messages the host sent about this event in the last 24 hours."""
    details = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == ACTION, AuditEntry.campaign_id == event.campaign_id,
        AuditEntry.at >= now - timedelta(days=1)))
    return sum(1 for detail in details if (detail or {}).get("event") == event.uuid)


def left_today(event: Event, *, now: datetime) -> int:
    """How many more messages the host may send now."""
    return max(0, current_app.config["HOST_MESSAGES_PER_DAY"] - sent_today(event, now=now))


def send(campaign: Campaign, event: Event, subject: str, body: str, *, now: datetime) -> int:
    """Write the message to each consenting attendee's outbox; the number written.

    The caller commits. The event's row is locked first, so that two sends at once take turns
    at the daily limit. Raises InvalidMessage, TooManyMessages or NotOpen.
    """
    subject, body = clean(subject, body)
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    if event.status != EventStatus.PUBLISHED:
        raise NotOpen(event.uuid)
    if left_today(event, now=now) <= 0:
        raise TooManyMessages(event.uuid)
    people = recipients(event)
    page = public_url("events.event", slug=campaign.slug, event_uuid=event.uuid)
    when = times.when(event.starts_at, event.ends_at, event.timezone)
    for rsvp in people:
        text = render_template(f"email/events/{KIND}.txt", campaign=campaign, event=event,
                               name=rsvp.full_name, host=event.host_name, body=body,
                               when=when, page=page)
        outbox.enqueue(kind=KIND, to_address=rsvp.email,
                       subject=_("%(subject)s (from the host of %(title)s)",
                                 subject=subject, title=event.title),
                       body=text, campaign_id=campaign.id, recipient_key=rsvp.email_key)
    audit.record(ACTION, organizer=None, campaign=campaign, event=event.uuid,
                 recipients=len(people), subject_length=len(subject), body_length=len(body))
    log.info("host of event %s wrote to %s attendees", event.id, len(people))
    return len(people)
