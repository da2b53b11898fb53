"""The API's keys and webhooks: who may read or write through the API, and where events are sent."""
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in, new_uuid


class KeyAccess(enum.StrEnum):
    READ = "read"
    READ_WRITE = "read_write"


class ApiKey(db.Model):
    """A key an organizer made: shown once, kept as a hash; it sees what its owner may see."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(check_in("access", KeyAccess), name="access"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("organizers.id", ondelete="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the whole key (keys are long and random: no slow hash is needed to look one up).
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, so its owner can tell keys apart on the page.
    prefix: Mapped[str] = mapped_column(String(16))
    access: Mapped[str] = mapped_column(String(16), default=KeyAccess.READ)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.prefix}… {self.access}>"


class WebhookEvent(enum.StrEnum):
    SIGNATURE_CONFIRMED = "signature.confirmed"
    SIGNATURE_REMOVED = "signature.removed"
    OUTREACH_RECORDED = "outreach.recorded"
    RSVP_CONFIRMED = "rsvp.confirmed"


class DeliveryState(enum.StrEnum):
    QUEUED = "queued"  # due at next_attempt_at
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # gave up: a day of retries, or the hook was disabled


class Webhook(db.Model):
    """An HTTPS endpoint an organizer registered for one campaign's events."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)  # WebhookEvent values
    # The HMAC-SHA256 key: shown to the organizer, needed in clear to sign each delivery.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # When the current run of failed attempts began (None after a success): disabling needs
    # both WEBHOOK_DISABLE_AFTER failures in a row and a day of them.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="webhook",
                                                             passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Webhook {self.id} campaign={self.campaign_id} active={self.active}>"


class WebhookDelivery(db.Model):
    """One event queued for one hook: the body is fixed when queued, retried until delivered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(check_in("state", DeliveryState), name="state"),
        # The sender takes due rows in order.
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)  # the exact JSON sent, as signed
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # the receiver's HTTP status
    last_error: Mapped[str] = mapped_column(String(300), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook: Mapped[Webhook] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event} {self.state}>"
