"""The signed links in an attendee's emails: confirm an RSVP, or cancel it.

A link is `{rsvp id}.{issued at}.{MAC}`, the MAC an HMAC of the purpose, the RSVP's id, event
and duplicate key under the SECRET_KEY (as signers' removal links are made). Nothing is
stored: a link dies with its row and after its lifetime.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

from flask import current_app

from campaign.extensions import db
from campaign.links import public_url
from campaign.models import Event, Rsvp

CONFIRM = "rsvp-confirm"
CANCEL = "rsvp-cancel"
MAC_BYTES = 16
_SHAPE = re.compile(r"^(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")


class LinkInvalid(Exception):
    """Not a link we made for this event, or its RSVP is gone."""


class LinkExpired(Exception):
    """A real link, too old to use."""


def _mac(purpose: str, rsvp: Rsvp, issued: int) -> str:
    key = f"{purpose}:{current_app.config['SECRET_KEY']}".encode()
    message = f"{purpose}:{rsvp.id}:{rsvp.event_id}:{rsvp.email_key}:{issued}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _token(purpose: str, rsvp: Rsvp, now: datetime) -> str:
    issued = int(now.timestamp())
    return f"{rsvp.id}.{issued}.{_mac(purpose, rsvp, issued)}"


def _lifetime(purpose: str) -> timedelta:
    config = current_app.config
    if purpose == CONFIRM:
        return timedelta(days=config["CONFIRM_TOKEN_DAYS"])
    return timedelta(days=config["REMOVAL_LINK_DAYS"])


def verified(purpose: str, event: Event, token: str, *, now: datetime) -> Rsvp:
    """The RSVP to this event a link was made for; LinkInvalid or LinkExpired otherwise."""
    match = _SHAPE.match(token or "")
    if match is None:
        raise LinkInvalid()
    rsvp = db.session.get(Rsvp, int(match[1]))
    issued = int(match[2])
    if (rsvp is None or rsvp.event_id != event.id
            or not hmac.compare_digest(_mac(purpose, rsvp, issued), match[3])):
        raise LinkInvalid()
    if now.timestamp() - issued > _lifetime(purpose).total_seconds():
        raise LinkExpired()
    return rsvp


def confirm_link(event: Event, rsvp: Rsvp, *, slug: str, now: datetime) -> str:
    """The "Confirm that I am coming" link of an RSVP's first email."""
    return public_url("events.confirm", slug=slug, event_uuid=event.uuid,
                      token=_token(CONFIRM, rsvp, now))


def cancel_link(event: Event, rsvp: Rsvp, *, slug: str, now: datetime) -> str:
    """The "I can no longer come" link in every email to an attendee."""
    return public_url("events.cancel", slug=slug, event_uuid=event.uuid,
                      token=_token(CANCEL, rsvp, now))
