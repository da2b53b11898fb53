"""The emails an attendee gets, in their language, each with the event's calendar file and a
cancel link: confirm, coming, waiting list, a place opened up, changed, cancelled, reminder.

A repeated RSVP is answered under signing's rules: at most EMAILS_PER_ADDRESS_PER_DAY emails
per address and campaign, and none within CONFIRMATION_RESEND_MINUTES of the last of its kind.
"""
from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from flask import current_app, has_request_context, render_template
from flask_babel import gettext as _

from campaign.events import calendar_files, finding, rsvp_links, times
from campaign.extensions import db
from campaign.languages import translations
from campaign.links import public_url
from campaign.mail import outbox
from campaign.models import Campaign, Event, Rsvp, RsvpStatus
from campaign.signing import signer_mail

CONFIRM = "event_confirm"
GOING = "event_going"
WAITING = "event_waiting"
PROMOTED = "event_promoted"
ALREADY = "event_already"
CHANGED = "event_changed"
CANCELLED = "event_cancelled"
REMINDER = "event_reminder"


def _subject(kind: str, title: str) -> str:
    subjects = {
        CONFIRM: _("Please confirm that you are coming: %(title)s", title=title),
        GOING: _("You are coming: %(title)s", title=title),
        WAITING: _("You are on the waiting list: %(title)s", title=title),
        PROMOTED: _("A place opened up: you are coming to %(title)s", title=title),
        ALREADY: _("You already said you are coming: %(title)s", title=title),
        CHANGED: _("Changed: %(title)s", title=title),
        CANCELLED: _("Cancelled: %(title)s", title=title),
        REMINDER: _("Tomorrow: %(title)s", title=title),
    }
    return subjects[kind]


def _standing(rsvp: Rsvp) -> str:
    """The attendee's PARTSTAT in their calendar file."""
    if rsvp.status == RsvpStatus.GOING:
        return "ACCEPTED"
    return "TENTATIVE" if rsvp.status == RsvpStatus.WAITING else "NEEDS-ACTION"


def _links_context() -> contextlib.AbstractContextManager:
    """Outside a request (the outbox worker's reminders, a command), one to build links in:
    they are absolute under BASE_URL anyway."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config.get("BASE_URL") or None)


def send(kind: str, event: Event, rsvp: Rsvp, *, now: datetime, **values) -> None:
    """Write one email of that kind to an attendee in the caller's transaction."""
    with _links_context():
        _send(kind, event, rsvp, now, values)


def _send(kind: str, event: Event, rsvp: Rsvp, now: datetime, values: dict) -> None:
    campaign = db.session.get(Campaign, event.campaign_id)
    slug = campaign.slug
    if kind == CONFIRM:
        values["link"] = rsvp_links.confirm_link(event, rsvp, slug=slug, now=now)
    with translations.speaking(rsvp.language or "en"):
        body = render_template(
            f"email/events/{kind.removeprefix('event_')}.txt",
            campaign=campaign, event=event, name=rsvp.full_name, guests=rsvp.guests,
            when=times.when(event.starts_at, event.ends_at, event.timezone),
            where=finding.address_line(event),
            # An online meeting's link goes to those with a seat only.
            online=bool(event.online_url), seated=rsvp.status == RsvpStatus.GOING,
            online_url=event.online_url,
            page_link=calendar_files.page_url(event, slug),
            events_link=public_url("events.listing", slug=slug),
            cancel_link=rsvp_links.cancel_link(event, rsvp, slug=slug, now=now),
            days=current_app.config["CONFIRM_TOKEN_DAYS"],
            **values,
        )
        subject = _subject(kind, event.title)
    attendee = calendar_files.Attendee(email=rsvp.email, name=rsvp.full_name,
                                       status=_standing(rsvp))
    outbox.enqueue(
        kind=kind, to_address=rsvp.email, subject=subject, body=body,
        campaign_id=event.campaign_id, recipient_key=rsvp.email_key,
        attachments=[calendar_files.attachment(event, slug, now=now, attendee=attendee)],
    )


def send_confirmation(event: Event, rsvp: Rsvp, *, now: datetime) -> None:
    """The first email of an RSVP: the link that confirms it."""
    send(CONFIRM, event, rsvp, now=now)


def may_answer_repeat(event: Event, rsvp: Rsvp, kind: str, *, now: datetime) -> bool:
    """Whether a repeated RSVP may get an email of this kind (signing's limits)."""
    config = current_app.config
    emails_today, last_of_kind_at = db.session.execute(signer_mail.emails_since_query(
        event.campaign_id, rsvp.email_key, now - timedelta(days=1), kind)).one()
    if emails_today >= config["EMAILS_PER_ADDRESS_PER_DAY"]:
        return False
    window = timedelta(minutes=config["CONFIRMATION_RESEND_MINUTES"])
    return last_of_kind_at is None or now - last_of_kind_at >= window
