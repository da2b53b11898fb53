"""The audit log: who did what to which campaign, with counts but no signer's personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select

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

    action: str = ""  # one action, "campaign.edited", or a family: "export" is every "export.…"
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
    rows = db.session.execute(page_query(f, before_id=before_id, size=size))
    return [AuditLine(entry.id, entry.at, entry.action, email, slug, describe(entry.detail or {}))
            for entry, email, slug in rows]


def page_query(f: AuditFilter, *, before_id: int | None = None, size: int = 50) -> Select:
    """The query of page(): entries with their organizer's email and campaign's slug."""
    query = (
        select(AuditEntry, Organizer.email, Campaign.slug)
        .outerjoin(Organizer, Organizer.id == AuditEntry.organizer_id)
        .outerjoin(Campaign, Campaign.id == AuditEntry.campaign_id)
    )
    if "." in f.action:  # one action: equality, read from ix_audit_log_action_id
        query = query.where(AuditEntry.action == f.action)
    elif f.action:  # a family; LIKE takes no btree index under a non-C collation, nor on SQLite
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
    return query.order_by(AuditEntry.id.desc()).limit(size)


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What the page's filters offer: organizers as (id, email), campaigns as (id, slug)."""
    organizers = db.session.execute(select(Organizer.id, Organizer.email).order_by(Organizer.email))
    campaigns = db.session.execute(select(Campaign.id, Campaign.slug).order_by(Campaign.slug))
    return [tuple(row) for row in organizers], [tuple(row) for row in campaigns]


DICT_SHOWN = 10  # a detail's map longer than this is shown by its size


def describe(detail: dict) -> list[str]:
    """An entry's detail as short lines: "goal: 100 → 500", "petition_text: changed", "rows: 5"."""
    lines = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            lines += [f"{field}: {_shown(change.get('old'))} → {_shown(change.get('new'))}"
                      if isinstance(change, dict) else f"{field}: {_shown(change)}"
                      for field, change in value.items()]
        elif isinstance(value, dict) and len(value) > DICT_SHOWN:
            # A map per representative (a zip's packet hashes) would be a line of pages.
            lines.append(f"{key}: {len(value):,} entries")
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
