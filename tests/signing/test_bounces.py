"""Bounces: which pending signatures never got their confirmation email, read from the outbox."""
from __future__ import annotations

from sqlalchemy import func, insert, select, text

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import OutboxMessage, OutboxStatus, Signature, SignatureStatus
from campaign.signing import bounces
from tests.helpers import query_plan


def test_each_signature_is_one_probe_of_the_outbox_by_campaign_and_address(make_campaign, ctx):
    """Failed messages pile up across campaigns: the check must never walk all of them."""
    campaign_id = store.get_by_slug(make_campaign()).id
    db.session.execute(insert(Signature), [
        {"campaign_id": campaign_id, "full_name": "S", "email": f"s{n}@example.org",
         "email_key": f"s{n}@example.org", "country": "US", "status": SignatureStatus.PENDING}
        for n in range(200)])
    db.session.execute(insert(OutboxMessage), [
        {"kind": "confirm", "to_address": f"s{n}@example.org", "subject": "s", "body": "",
         "message_id": f"<{n}@test>", "campaign_id": campaign_id,
         "recipient_key": f"s{n}@example.org", "status": OutboxStatus.FAILED}
        for n in range(200)])
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # the planner's figures, as in production
    counts = (select(Signature.campaign_id, func.count())
              .where(Signature.campaign_id.in_([campaign_id]), bounces.undeliverable())
              .group_by(Signature.campaign_id))
    plan = query_plan(counts)
    assert "ix_outbox_messages_campaign_id_recipient_key_created_at" in plan
    assert "ix_outbox_messages_status_next_attempt_at" not in plan
    assert db.session.execute(counts).all() == [(campaign_id, 200)]
