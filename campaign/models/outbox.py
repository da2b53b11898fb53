"""The outbox: every email, written in the transaction that caused it, then sent."""
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
)
from sqlalchemy.orm import Mapped, mapped_column

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(check_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index(
            "ix_outbox_messages_campaign_id_recipient_key_created_at",
            "campaign_id",
            "recipient_key",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Stable across retries, so a receiving server can drop a repeat.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    # The signer's duplicate key, to cap how many emails one address gets.
    recipient_key: Mapped[str | None] = mapped_column(String(320))
    # Random input from which the confirmation token is derived at send time, then erased.
    token_nonce: Mapped[str | None] = mapped_column(String(64))
    # An update's one-click unsubscribe address (RFC 8058 headers), erased with the body.
    list_unsubscribe: Mapped[str | None] = mapped_column(String(500))
    # Files sent with the message (an event's .ics): [{"filename", "content_type", "text"}],
    # erased with the body.
    attachments: Mapped[list[dict] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker holds a message until then while it sends, so two workers do not both send it.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
