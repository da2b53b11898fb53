"""Events: meetings a campaign holds or a visitor offers to host, and who is coming."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in, new_uuid


class EventStatus(enum.StrEnum):
    PROPOSED = "proposed"  # a visitor's offer to host, waiting for an organizer
    PUBLISHED = "published"  # listed, open to RSVPs
    CANCELLED = "cancelled"  # was published; its attendees were told
    DECLINED = "declined"  # an offer an organizer turned down; never shown


class RsvpStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the email confirmation
    GOING = "going"  # confirmed, with a seat (theirs and their guests')
    WAITING = "waiting"  # confirmed, the event was full: in line by waitlisted_at
    CANCELLED = "cancelled"  # the attendee withdrew, or the event was cancelled


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(check_in("status", EventStatus), name="status"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_events_campaign_id_status_starts_at", "campaign_id", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    # The meeting or host card it was offered from, if any.
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Stored in UTC; shown in `timezone` (an IANA name such as "America/Chicago").
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")  # USPS state code in the US
    postcode: Mapped[str] = mapped_column(String(16), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")
    # The postcode's centroid where known (US ZIPs), for "nearest first".
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    online_url: Mapped[str] = mapped_column(String(2000), default="")  # "" for in person
    capacity: Mapped[int | None] = mapped_column(Integer)  # people, guests included; None: no limit
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.PROPOSED)
    # The host: a visitor who offered (confirmed by email), or an organizer.
    host_name: Mapped[str] = mapped_column(String(255), default="")
    host_email: Mapped[str] = mapped_column(String(320), default="")
    host_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    ip_hash: Mapped[str] = mapped_column(String(64), default="")
    # Set when the day-before reminder was written to the outbox: it goes once.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # iCalendar SEQUENCE: raised on each change attendees are told of (time, place, cancel).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rsvps: Mapped[list[Rsvp]] = relationship(back_populates="event", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Event {self.id} campaign={self.campaign_id} {self.status}>"


class Rsvp(db.Model):
    """One person coming to an event (with their guests): one row per event and address."""

    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "email_key", name="uq_rsvps_event_id_email_key"),
        CheckConstraint(check_in("status", RsvpStatus), name="status"),
        CheckConstraint("guests >= 0", name="guests"),
        Index("ix_rsvps_event_id_status_waitlisted_at", "event_id", "status", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))  # as signatures: one RSVP per mailbox
    postcode: Mapped[str] = mapped_column(String(16), default="")
    guests: Mapped[int] = mapped_column(Integer, default=0)
    host_may_write: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(8), default="en")  # their emails' language
    status: Mapped[str] = mapped_column(String(16), default=RsvpStatus.PENDING)
    ip_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="rsvps")

    @property
    def seats(self) -> int:
        return 1 + self.guests

    def __repr__(self) -> str:
        return f"<Rsvp {self.id} event={self.event_id} {self.status}>"
