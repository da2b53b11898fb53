"""The signed links of an event's host: confirm an offer to host, and open the host's page.

Nothing is stored; each link carries the event's id and an HMAC under the SECRET_KEY of its
purpose, the event's id and uuid and the host's address, so a link dies when the host
changes. The confirmation link is `{event id}.{issued at}.{MAC}` and lives
CONFIRM_TOKEN_DAYS, as a signer's does; the host page's is `{event id}.{MAC}` and works until
HOST_LINK_DAYS_AFTER_END days after the event ends, however often the event moves.
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
from campaign.models import Campaign, Event, EventStatus
from campaign.signing.signer_input import duplicate_key

CONFIRM = "host-confirm"
PAGE = "host-page"
MAC_BYTES = 16  # 128 bits: as hard to guess as a random token
_CONFIRM_SHAPE = re.compile(r"^(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")
_PAGE_SHAPE = re.compile(r"^(\d{1,18})\.([A-Za-z0-9_-]{22})$")


class LinkInvalid(Exception):
    """Not a link we made, for this event and host, or its event is gone."""


class LinkExpired(Exception):
    """A real link, too old to use."""


def _mac(purpose: str, event: Event, issued: int | None = None) -> str:
    key = f"{purpose}:{current_app.config['SECRET_KEY']}".encode()
    message = (f"{purpose}:{event.id}:{event.uuid}:{duplicate_key(event.host_email)}:"
               f"{'' if issued is None else issued}").encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _event(event_id: str) -> Event:
    number = int(event_id)
    event = db.session.get(Event, number) if number < 2**63 else None
    if event is None or not event.host_email:
        raise LinkInvalid()
    return event


def confirm_link(campaign: Campaign, event: Event, *, now: datetime) -> str:
    """The link in the email that asks a visitor to confirm their offer to host."""
    issued = int(now.timestamp())
    token = f"{event.id}.{issued}.{_mac(CONFIRM, event, issued)}"
    return public_url("hosting.confirm", slug=campaign.slug, token=token)


def offer_to_confirm(campaign: Campaign, token: str, *, now: datetime) -> Event:
    """The offer a confirmation link names, if it belongs to this campaign; else LinkInvalid
    or LinkExpired."""
    match = _CONFIRM_SHAPE.match(token)
    if match is None:
        raise LinkInvalid()
    event = _event(match[1])
    issued = int(match[2])
    if event.campaign_id != campaign.id or not hmac.compare_digest(_mac(CONFIRM, event, issued), match[3]):
        raise LinkInvalid()
    lifetime = timedelta(days=current_app.config["CONFIRM_TOKEN_DAYS"])
    if now.timestamp() - issued > lifetime.total_seconds():
        raise LinkExpired()
    return event


def page_link(event: Event) -> str:
    """The host's private page: who is coming, and a form to write to them."""
    return public_url("hosting.host_page", token=f"{event.id}.{_mac(PAGE, event)}")


def page_expires_at(event: Event) -> datetime:
    """When the host's page link stops working: some days after the event ends."""
    return event.ends_at + timedelta(days=current_app.config["HOST_LINK_DAYS_AFTER_END"])


def event_of_page(token: str, *, now: datetime) -> Event:
    """The event a host page link names; LinkInvalid or LinkExpired otherwise."""
    match = _PAGE_SHAPE.match(token)
    if match is None:
        raise LinkInvalid()
    event = _event(match[1])
    if not hmac.compare_digest(_mac(PAGE, event), match[2]):
        raise LinkInvalid()
    if event.status not in (EventStatus.PUBLISHED, EventStatus.CANCELLED):
        raise LinkInvalid()  # declined, or back to an offer: no page
    if now > page_expires_at(event):
        raise LinkExpired()
    return event
