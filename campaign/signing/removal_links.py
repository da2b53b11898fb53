"""The signed links of a signer's own controls: remove one signature, delete all of an address,
or stop a campaign's updates.

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

from flask import current_app

from campaign.extensions import db
from campaign.languages import translations
from campaign.links import public_url
from campaign.models import Campaign, Signature

REMOVE = "remove"
FORGET = "forget"
UNSUBSCRIBE = "unsubscribe"
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
    return public_url("signer.remove", slug=campaign.slug, token=_token(REMOVE, signature, now),
                      lang=translations.link_language(campaign, signature.language))


def signature_to_remove(campaign: Campaign, token: str, *, now: datetime) -> Signature:
    """The signature a removal link names, if it belongs to this campaign."""
    lifetime = timedelta(days=current_app.config["REMOVAL_LINK_DAYS"])
    signature = _verified(REMOVE, token, now=now, lifetime=lifetime)
    if signature.campaign_id != campaign.id:
        raise LinkInvalid()
    return signature


# Every signature of an address ----------------------------------------------------------------

def deletion_link(anchor: Signature, *, now: datetime) -> str:
    """The link that deletes every signature of the anchor's address (emailed on request)."""
    return public_url("signer.forget", token=_token(FORGET, anchor, now))


def deletion_anchor(token: str, *, now: datetime) -> Signature:
    """The signature a deletion link names; LinkInvalid or LinkExpired otherwise."""
    lifetime = timedelta(hours=current_app.config["DATA_REQUEST_LINK_HOURS"])
    return _verified(FORGET, token, now=now, lifetime=lifetime)


# Updates from one campaign ---------------------------------------------------------------------

def unsubscribe_link(campaign: Campaign, signature: Signature, *, now: datetime) -> str:
    """The one-click address that stops this campaign's updates to this signer (RFC 8058)."""
    return public_url("signer.unsubscribe", slug=campaign.slug,
                      token=_token(UNSUBSCRIBE, signature, now),
                      lang=translations.link_language(campaign, signature.language))


def signature_to_unsubscribe(campaign: Campaign, token: str, *, now: datetime) -> Signature:
    """The signature an unsubscribe link names, if it belongs to this campaign."""
    lifetime = timedelta(days=current_app.config["REMOVAL_LINK_DAYS"])
    signature = _verified(UNSUBSCRIBE, token, now=now, lifetime=lifetime)
    if signature.campaign_id != campaign.id:
        raise LinkInvalid()
    return signature
