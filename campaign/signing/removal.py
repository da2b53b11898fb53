"""A signer removing their own signature, or every signature of their address.

The links that lead here are made and checked in removal_links.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from campaign.extensions import db
from campaign.languages import translations
from campaign.mail import outbox
from campaign.models import Campaign, OutboxMessage, Signature
from campaign.signing import moderation, removal_links
from campaign.signing.signer_input import duplicate_key

DATA_REQUEST_KIND = "data_request"


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


def request_deletion(email: str, *, now: datetime, language: str = "en") -> bool:
    """Email a deletion link to an address that signed something; False when nothing was sent.

    The link names the address's oldest signature; at most EMAILS_PER_ADDRESS_PER_DAY such
    emails a day. The caller shows the same answer either way. The email speaks `language`
    (the page it was asked from), each campaign's title in it where translated.
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
    with translations.speaking(language):
        body = render_template(
            "email/data_request.txt", campaigns=[translations.localized(s.campaign, language) for s in found],
            link=removal_links.deletion_link(anchor, now=now),
            hours=current_app.config["DATA_REQUEST_LINK_HOURS"])
        subject = _("Delete your signatures")
    outbox.enqueue(kind=DATA_REQUEST_KIND, to_address=anchor.email,
                   subject=subject, body=body, recipient_key=key)
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
    return signatures_of(removal_links.deletion_anchor(token, now=now).email_key)


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

