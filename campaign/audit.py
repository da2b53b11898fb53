"""The audit log: who did what to which campaign, with counts but no signer's personal data."""
from __future__ import annotations

from campaign.extensions import db
from campaign.models import AuditEntry, Campaign, Organizer


def record(action: str, *, organizer: Organizer | None, campaign: Campaign | None = None,
           **detail) -> AuditEntry:
    """Add an entry to the caller's transaction, e.g. record("export.csv", rows=120, ...)."""
    entry = AuditEntry(
        action=action,
        organizer_id=organizer.id if organizer else None,
        campaign_id=campaign.id if campaign else None,
        detail=detail,
    )
    db.session.add(entry)
    return entry
