"""A signer's consent to hear from a campaign: withdrawn with one click, the signature kept."""
from __future__ import annotations

from sqlalchemy import delete, update

from campaign import audit
from campaign.extensions import db
from campaign.models import (
    Campaign,
    OutboxMessage,
    OutboxStatus,
    RecipientStatus,
    Signature,
    UpdateRecipient,
)
from campaign.updates.bounces import UPDATE_KIND


def withdraw(campaign: Campaign, signature: Signature) -> bool:
    """Stop every update of the campaign to this signer; False when consent was withdrawn before.

    Updates still waiting for their turn are skipped and those queued in the outbox dropped;
    the signature, and the count, stay. The audit line names the signature, never the person.
    """
    db.session.execute(update(UpdateRecipient).where(
        UpdateRecipient.signature_id == signature.id,
        UpdateRecipient.status == RecipientStatus.QUEUED).values(status=RecipientStatus.SKIPPED))
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.campaign_id == campaign.id,
        OutboxMessage.recipient_key == signature.email_key,
        OutboxMessage.kind == UPDATE_KIND,
        OutboxMessage.status == OutboxStatus.PENDING))
    if not signature.contact_ok:
        return False
    signature.contact_ok = False
    audit.record("signer.unsubscribed", organizer=None, campaign=campaign,
                 signature_id=signature.id, by="signer")
    return True
