"""Updates to signers: what organizers write and send, and each address an update goes to."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in


class UpdateStatus(enum.StrEnum):
    DRAFT = "draft"
    # Sent (its recipients chosen, its emails on their way) and shown on the campaign page.
    SENT = "sent"


class RecipientStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its turn within the hourly cap
    ENQUEUED = "enqueued"  # written to the outbox
    SKIPPED = "skipped"  # before its turn: consent withdrawn, address bounced, signature gone


class Update(db.Model):
    __tablename__ = "updates"
    __table_args__ = (
        CheckConstraint(check_in("status", UpdateStatus), name="status"),
        # The campaign page's timeline and the organizer's list, newest first.
        Index("ix_updates_campaign_id_status_sent_at", "campaign_id", "status", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered and cleaned
    status: Mapped[str] = mapped_column(String(16), default=UpdateStatus.DRAFT)
    # Who it went to, as plain filter values (country, region, district...): no personal data.
    segment: Mapped[dict] = mapped_column(JSON, default=dict)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Update {self.id} campaign={self.campaign_id} {self.status}>"


class UpdateRecipient(db.Model):
    """One signer an update goes to: at most one row per update and signature (and so per
    address: a campaign has one signature per duplicate key). No address is kept here."""

    __tablename__ = "update_recipients"
    __table_args__ = (
        UniqueConstraint("update_id", "signature_id",
                         name="uq_update_recipients_update_id_signature_id"),
        CheckConstraint(check_in("status", RecipientStatus), name="status"),
        # The feeder takes the oldest queued rows, and counts the last hour's by enqueued_at.
        Index("ix_update_recipients_status_id", "status", "id"),
        Index("ix_update_recipients_enqueued_at", "enqueued_at"),
        Index("ix_update_recipients_signature_id", "signature_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"))
    signature_id: Mapped[int] = mapped_column(BigId, ForeignKey("signatures.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=RecipientStatus.QUEUED)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<UpdateRecipient {self.id} update={self.update_id} {self.status}>"
