"""Bounces: pending signatures whose confirmation email could not be delivered.

Derived, never stored: a signature is undeliverable while its latest confirmation email is
`failed` in the outbox (refused for good by the mail server, or given up after
OUTBOX_MAX_ATTEMPTS tries). A new link that goes out (the signer asks again) clears it.
"""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, select

from campaign.extensions import db
from campaign.models import OutboxMessage, OutboxStatus, Signature, SignatureStatus
from campaign.signing.signer_mail import CONFIRMATION_KIND

# The signer list's status filter value; not a status of its own (the signature is pending).
UNDELIVERABLE = "undeliverable"


def undeliverable() -> ColumnElement[bool]:
    """A condition on Signature: pending, and its latest confirmation email failed for good."""
    # The outbox links a message to its signature by campaign and duplicate key (one signature
    # per key and campaign). A scalar subquery rather than EXISTS (... status = 'failed'):
    # with no condition on status, each row is one probe of (campaign_id, recipient_key, ...),
    # never a walk of every failed message through the status index.
    latest_status = (
        select(OutboxMessage.status)
        .where(OutboxMessage.campaign_id == Signature.campaign_id,
               OutboxMessage.recipient_key == Signature.email_key,
               OutboxMessage.kind == CONFIRMATION_KIND)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (Signature.status == SignatureStatus.PENDING) & (latest_status == OutboxStatus.FAILED)


def undeliverable_among(signature_ids: Collection[int]) -> set[int]:
    """Which of these signatures are undeliverable, in one query (for a page of the list)."""
    if not signature_ids:
        return set()
    return set(db.session.scalars(
        select(Signature.id).where(Signature.id.in_(list(signature_ids)), undeliverable())))
