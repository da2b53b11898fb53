"""The audit log: who did what to which campaign, with counts but no signer's personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from campaign.extensions import db
from campaign.models import AuditEntry, Campaign, Organizer
from campaign.ops import security


class AuditUnavailable(Exception):
    """An audit entry that must come first (before a download's data) could not be written."""


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


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list; empty fields do not narrow. until is exclusive."""

    action: str = ""  # "campaign.edited", or a family: "export" is every "export.…"
    organizer_id: int | None = None
    campaign_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditLine:
    """One entry as the audit page shows it: who, what, which campaign, and its detail."""

    id: int
    at: datetime
    action: str
    organizer_email: str | None
    campaign_slug: str | None
    detail: list[str]


def page(f: AuditFilter, *, before_id: int | None = None, size: int = 50) -> list[AuditLine]:
    """One page of matching entries, newest first, older than entry before_id (keyset on id)."""
    query = (
        select(AuditEntry, Organizer.email, Campaign.slug)
        .outerjoin(Organizer, Organizer.id == AuditEntry.organizer_id)
        .outerjoin(Campaign, Campaign.id == AuditEntry.campaign_id)
    )
    if f.action:
        query = query.where(or_(AuditEntry.action == f.action,
                                AuditEntry.action.startswith(f.action + ".", autoescape=True)))
    if f.organizer_id is not None:
        query = query.where(AuditEntry.organizer_id == f.organizer_id)
    if f.campaign_id is not None:
        query = query.where(AuditEntry.campaign_id == f.campaign_id)
    if f.since is not None:
        query = query.where(AuditEntry.at >= f.since)
    if f.until is not None:
        query = query.where(AuditEntry.at < f.until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(size))
    return [AuditLine(entry.id, entry.at, entry.action, email, slug, describe(entry.detail or {}))
            for entry, email, slug in rows]


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What the page's filters offer: organizers as (id, email), campaigns as (id, slug)."""
    organizers = db.session.execute(select(Organizer.id, Organizer.email).order_by(Organizer.email))
    campaigns = db.session.execute(select(Campaign.id, Campaign.slug).order_by(Campaign.slug))
    return [tuple(row) for row in organizers], [tuple(row) for row in campaigns]


def describe(detail: dict) -> list[str]:
    """An entry's detail as short lines: "goal: 100 → 500", "petition_text: changed", "rows: 5"."""
    lines = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            lines += [f"{field}: {_shown(change.get('old'))} → {_shown(change.get('new'))}"
                      if isinstance(change, dict) else f"{field}: {_shown(change)}"
                      for field, change in value.items()]
        elif isinstance(value, dict):
            lines.append(f"{key}: " + ", ".join(f"{k} {_shown(v)}" for k, v in value.items()))
        else:
            lines.append(f"{key}: {_shown(value)}")
    return lines


def _shown(value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(_shown, value)) or "none"
    # Details hold no personal data; a reason typed before they were cleaned might.
    return security.redact_personal(str(value))
