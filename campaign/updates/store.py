"""Storing updates: drafts an organizer writes and edits, and the published ones a page shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select

from campaign.campaigns.store import has_control_characters
from campaign.extensions import db
from campaign.models import Campaign, Organizer, Update, UpdateStatus

TITLE_MAX = 200
BODY_MAX = 20_000
TIMELINE_SIZE = 5


class InvalidUpdate(ValueError):
    """An update's fields break a rule; the message says which, and field names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotADraft(Exception):
    """The update was sent already: it can no longer be edited or sent again."""


@dataclass(frozen=True)
class TimelineEntry:
    """A published update as the campaign page shows it."""

    title: str
    body: str  # Markdown, rendered and cleaned by the template's filter
    sent_at: datetime


def _checked(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidUpdate("title", _("An update needs a title."))
    if len(title) > TITLE_MAX:
        raise InvalidUpdate("title", _("The title may be at most %(num)s characters.", num=TITLE_MAX))
    if has_control_characters(title):  # the title is the email's subject
        raise InvalidUpdate("title", _("The title cannot contain line breaks or control characters."))
    if not body:
        raise InvalidUpdate("body", _("An update needs some text."))
    if len(body) > BODY_MAX:
        raise InvalidUpdate("body", _("The text may be at most %(num)s characters.", num=format_number(BODY_MAX)))
    return title, body


def create(campaign: Campaign, *, title: str, body: str, organizer: Organizer | None,
           now: datetime) -> Update:
    """A new draft update of the campaign (InvalidUpdate for bad fields)."""
    title, body = _checked(title, body)
    update = Update(campaign_id=campaign.id, title=title, body=body, status=UpdateStatus.DRAFT,
                    segment={}, recipient_count=0, created_by=organizer.id if organizer else None,
                    created_at=now, updated_at=now)
    db.session.add(update)
    db.session.flush()
    return update


def edit(update: Update, *, title: str, body: str, now: datetime) -> None:
    """Change a draft's title and text (NotADraft once it was sent)."""
    if update.status != UpdateStatus.DRAFT:
        raise NotADraft()
    update.title, update.body = _checked(title, body)
    update.updated_at = now


def get(campaign: Campaign, update_id: int) -> Update | None:
    """One update of this campaign, or None."""
    update = db.session.get(Update, update_id)
    return update if update is not None and update.campaign_id == campaign.id else None


def of_campaign(campaign: Campaign) -> list[Update]:
    """Every update of the campaign: drafts first, then the sent ones, newest first."""
    return list(db.session.scalars(
        select(Update).where(Update.campaign_id == campaign.id)
        .order_by(Update.sent_at.is_not(None), Update.sent_at.desc(), Update.id.desc())))


def timeline(campaign_id: int, *, size: int = TIMELINE_SIZE) -> list[TimelineEntry]:
    """The latest published updates of a campaign, newest first, for its public page."""
    rows = db.session.execute(
        select(Update.title, Update.body, Update.sent_at)
        .where(Update.campaign_id == campaign_id, Update.status == UpdateStatus.SENT)
        .order_by(Update.sent_at.desc(), Update.id.desc()).limit(size))
    return [TimelineEntry(title, body, sent_at) for title, body, sent_at in rows]
