"""Organizers, their sessions and campaign memberships, and the audit log of what they did."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in

if TYPE_CHECKING:
    from campaign.models.campaigns import Campaign


class OrganizerRole(enum.StrEnum):
    ADMIN = "admin"  # sees and manages every campaign
    ORGANIZER = "organizer"  # sees the campaigns they own or were added to


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class Organizer(db.Model):
    __tablename__ = "organizers"
    __table_args__ = (CheckConstraint(check_in("role", OrganizerRole), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: one account per address however it is typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=OrganizerRole.ORGANIZER)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[CampaignMember]] = relationship(
        back_populates="organizer", cascade="all, delete-orphan"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == OrganizerRole.ADMIN

    def __repr__(self) -> str:
        return f"<Organizer {self.id} {self.role}>"


class OrganizerSession(db.Model):
    """A login: the cookie carries a random token, the database its hash and last use."""

    __tablename__ = "organizer_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organizer: Mapped[Organizer] = relationship()

    def __repr__(self) -> str:
        return f"<OrganizerSession {self.id} organizer={self.organizer_id}>"


class CampaignMember(db.Model):
    __tablename__ = "campaign_members"
    __table_args__ = (CheckConstraint(check_in("role", MemberRole), name="role"),)

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organizer: Mapped[Organizer] = relationship(back_populates="memberships")
    campaign: Mapped[Campaign] = relationship()

    def __repr__(self) -> str:
        return f"<CampaignMember campaign={self.campaign_id} organizer={self.organizer_id} {self.role}>"


class AuditEntry(db.Model):
    """Who did what and when, with counts but never a signer's personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_campaign_id_at", "campaign_id", "at"),
        # The audit page's action filter, newest first (campaign.audit.page).
        Index("ix_audit_log_action_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"
