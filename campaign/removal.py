"""A signer's own controls: signed links to remove one signature, or every signature of an address.

A link is `{signature id}.{issued at}.{MAC}`, the MAC an HMAC of the purpose, the signature's
id, campaign and duplicate key under the SECRET_KEY. Nothing is stored: the link dies with the
row (deleted) or its key (anonymized by `flask purge`), and after its lifetime.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import delete, func, select

from . import moderation, outbox
from .extensions import db
from .links import public_url
from .models import Campaign, OutboxMessage, Signature
from .signer_input import duplicate_key

REMOVE = "remove"
FORGET = "forget"
DATA_REQUEST_KIND = "data_request"
MAC_BYTES = 16  # 128 bits: as hard to guess as a random token
_LINK_SHAPE = re.compile(r"^(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")  # ids fit in 64 bits


class LinkInvalid(Exception):
    """Not a link we made, or its signature is gone."""


class LinkExpired(Exception):
    """A real link, too old to use."""


def _mac(purpose: str, signature: Signature, issued: int) -> str:
    message = f"{purpose}:{signature.id}:{signature.campaign_id}:{signature.email_key}:{issued}"
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:MAC_BYTES]).rstrip(b"=").decode("ascii")


def _token(purpose: str, signature: Signature, now: datetime) -> str:
    issued = int(now.timestamp())
    return f"{signature.id}.{issued}.{_mac(purpose, signature, issued)}"


def _verified(purpose: str, token: str, *, now: datetime, lifetime: timedelta) -> Signature:
    """The signature a link was made for; LinkInvalid or LinkExpired otherwise."""
    match = _LINK_SHAPE.match(token)
    if match is None:
        raise LinkInvalid()
    signature = db.session.get(Signature, int(match[1]))
    issued = int(match[2])
    if signature is None or not hmac.compare_digest(_mac(purpose, signature, issued), match[3]):
        raise LinkInvalid()
    if now.timestamp() - issued > lifetime.total_seconds():
        raise LinkExpired()
    return signature


def mask_email(email: str) -> str:
    """Enough of an address for its owner to recognise it: "a***@e***.org"."""
    local, _, domain = email.rpartition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = tld, ""
    return f"{local[:1]}***@{name[:1]}***{dot}{tld}"


# One signature --------------------------------------------------------------------------------

def removal_link(campaign: Campaign, signature: Signature, *, now: datetime) -> str:
    """The "Not you? Remove this signature" link for an email to this signer."""
    return public_url("signer.remove", slug=campaign.slug, token=_token(REMOVE, signature, now))


def signature_to_remove(campaign: Campaign, token: str, *, now: datetime) -> Signature:
    """The signature a removal link names, if it belongs to this campaign."""
    lifetime = timedelta(days=current_app.config["REMOVAL_LINK_DAYS"])
    signature = _verified(REMOVE, token, now=now, lifetime=lifetime)
    if signature.campaign_id != campaign.id:
        raise LinkInvalid()
    return signature


def remove(campaign: Campaign, signature: Signature) -> None:
    """Delete a signature at its signer's request (the caller commits, then forgets tallies)."""
    moderation.delete_signer(campaign, signature, organizer=None, by="signer")


# Every signature of an address ----------------------------------------------------------------

def signatures_of(email_key: str) -> list[Signature]:
    """Every signature made with this duplicate key, in any campaign, oldest first."""
    # Campaigns first: each lookup then uses the (campaign_id, email_key) unique index
    # instead of scanning every signature for one address.
    return list(db.session.scalars(
        select(Signature)
        .where(Signature.campaign_id.in_(select(Campaign.id)), Signature.email_key == email_key)
        .order_by(Signature.id)
    ))


def request_deletion(email: str, *, now: datetime) -> bool:
    """Email a deletion link to an address that signed something; False when nothing was sent.

    The link names the address's oldest signature; at most EMAILS_PER_ADDRESS_PER_DAY such
    emails a day. The caller shows the same answer either way.
    """
    key = duplicate_key(email)
    found = signatures_of(key)
    if not found:
        return False
    # Locked, so that concurrent requests take turns at the daily limit.
    anchor = db.session.scalar(
        select(Signature).where(Signature.id == found[0].id).with_for_update())
    limit = current_app.config["EMAILS_PER_ADDRESS_PER_DAY"]
    if anchor is None or _requests_since(key, now - timedelta(days=1)) >= limit:
        return False
    body = render_template(
        "email/data_request.txt", campaigns=[s.campaign for s in found],
        link=public_url("signer.forget", token=_token(FORGET, anchor, now)),
        hours=current_app.config["DATA_REQUEST_LINK_HOURS"])
    outbox.enqueue(kind=DATA_REQUEST_KIND, to_address=anchor.email,
                   subject="Delete your signatures", body=body, recipient_key=key)
    return True


def _requests_since(key: str, since: datetime) -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.campaign_id.is_(None),
        OutboxMessage.recipient_key == key,
        OutboxMessage.kind == DATA_REQUEST_KIND,
        OutboxMessage.created_at >= since,
    ))


def signatures_to_forget(token: str, *, now: datetime) -> list[Signature]:
    """Every signature of the address a deletion link was sent to."""
    lifetime = timedelta(hours=current_app.config["DATA_REQUEST_LINK_HOURS"])
    anchor = _verified(FORGET, token, now=now, lifetime=lifetime)
    return signatures_of(anchor.email_key)


def forget(found: list[Signature]) -> int:
    """Delete these signatures, their emails and the deletion requests (the caller commits)."""
    for signature in found:
        moderation.delete_signer(signature.campaign, signature, organizer=None, by="signer")
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.campaign_id.is_(None),
        OutboxMessage.kind == DATA_REQUEST_KIND,
        OutboxMessage.recipient_key.in_({s.email_key for s in found}),
    ))
    return len(found)

