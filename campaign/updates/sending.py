"""Sending an update: a test to its author, then to its recipients through the outbox,
at most UPDATE_EMAILS_PER_HOUR emails an hour across every campaign.

Sending chooses the recipients once, as rows of update_recipients (one per update and
signature, so per address: no address gets an update twice). Each delivery round of the outbox first calls
feed(), which writes the next rows within the hour's budget to the outbox; rows and outbox
are in the database, so a restart resumes where it stopped.
"""
from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from flask import current_app, has_request_context, render_template
from sqlalchemy import func, insert, literal, select, text
from sqlalchemy import update as update_rows

from campaign import audit
from campaign.campaigns import store as campaigns
from campaign.extensions import db
from campaign.languages import translations
from campaign.links import public_url
from campaign.mail import outbox
from campaign.models import (
    Campaign,
    Organizer,
    RecipientStatus,
    Signature,
    SignatureStatus,
    Update,
    UpdateRecipient,
    UpdateStatus,
)
from campaign.signing import removal_links
from campaign.updates import bounces, segments
from campaign.updates.store import NotADraft

HOUR = timedelta(hours=1)
# Any constant of our own: the key of the PostgreSQL lock under which feeders take turns.
_FEED_LOCK = 140_601


class CountChanged(Exception):
    """The number of recipients changed since the organizer saw it: nothing was sent."""

    def __init__(self, now: int) -> None:
        super().__init__(f"now {now}")
        self.now = now


class NoRecipients(Exception):
    """No signer matches: there is nobody to send the update to."""


def _subject(campaign: Campaign, update: Update) -> str:
    return f"{update.title} · {campaign.title}"


def _body(campaign: Campaign, update: Update, *, name: str, unsubscribe_link: str,
          remove_link: str, language: str | None = None) -> str:
    return render_template("email/update.txt", campaign=campaign, update=update, name=name,
                           page_link=public_url("public.campaign", slug=campaign.slug,
                                                lang=translations.link_language(campaign, language or "")),
                           unsubscribe_link=unsubscribe_link, remove_link=remove_link)


def send_test(campaign: Campaign, update: Update, *, organizer: Organizer) -> None:
    """Queue the update to its organizer alone, as signers will get it (its links shown only)."""
    example = public_url("signer.unsubscribe", slug=campaign.slug, token="example")
    outbox.enqueue(kind=bounces.TEST_KIND, to_address=organizer.email,
                   subject=f"[Test] {_subject(campaign, update)}",
                   body=_body(campaign, update, name="(the signer's name)",
                              unsubscribe_link=example, remove_link=example),
                   campaign_id=campaign.id)
    audit.record("update.test_sent", organizer=organizer, campaign=campaign, update_id=update.id)


def send(campaign: Campaign, update: Update, segment: segments.Segment, *, expected: int,
         organizer: Organizer | None, now: datetime) -> int:
    """Send a draft to the segment's recipients if there are still `expected` of them; returns
    how many. CountChanged, NoRecipients or NotADraft (sent already) change nothing.
    organizer None: sent by the campaign itself (a milestone)."""
    if update.status != UpdateStatus.DRAFT:
        raise NotADraft()
    found = segments.count(campaign, segment)
    if found != expected:
        raise CountChanged(found)
    if not found:
        raise NoRecipients()
    # The draft becomes sent in one conditional statement: of two presses at once, one sends.
    taken = db.session.execute(
        update_rows(Update).where(Update.id == update.id, Update.status == UpdateStatus.DRAFT)
        .values(status=UpdateStatus.SENT, sent_at=now, sent_by=organizer.id if organizer else None,
                segment=segment.describe(), recipient_count=found, updated_at=now)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise NotADraft()
    db.session.execute(insert(UpdateRecipient).from_select(
        ["update_id", "signature_id", "status"],
        select(literal(update.id), Signature.id, literal(RecipientStatus.QUEUED.value))
        .where(*segments.conditions(campaign, segment))))
    db.session.refresh(update)
    campaigns.touch(campaign)  # the public page shows it: cached copies are rebuilt
    audit.record("update.sent", organizer=organizer, campaign=campaign, update_id=update.id,
                 title=update.title, recipients=found, segment=segment.describe())
    outbox.wake_after_commit()
    return found


def feed(now: datetime) -> int:
    """Write the next queued recipients to the outbox within the hour's budget; returns how many.

    A recipient whose consent was withdrawn, whose address bounced an update of the campaign,
    or whose signature is gone or no longer confirmed is skipped. The caller commits.
    """
    if not _anything_queued():
        return 0
    if db.engine.dialect.name == "postgresql":  # feeders of several workers take turns
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FEED_LOCK})
    budget = current_app.config["UPDATE_EMAILS_PER_HOUR"] - db.session.scalar(
        select(func.count(UpdateRecipient.id)).where(UpdateRecipient.enqueued_at > now - HOUR))
    if budget <= 0:
        return 0
    query = (select(UpdateRecipient, Update, Campaign, Signature)
             .join(Update, Update.id == UpdateRecipient.update_id)
             .join(Campaign, Campaign.id == Update.campaign_id)
             .outerjoin(Signature, Signature.id == UpdateRecipient.signature_id)
             .where(UpdateRecipient.status == RecipientStatus.QUEUED)
             .order_by(UpdateRecipient.id).limit(budget))
    rows = db.session.execute(query).all()
    keys: dict[int, set[str]] = {}
    for _recipient, _update, campaign, signature in rows:
        keys.setdefault(campaign.id, set()).add(signature.email_key if signature else "")
    bounced = {campaign_id: bounces.bounced_among(campaign_id, found)
               for campaign_id, found in keys.items()}
    sent = 0
    with _links_context():
        for recipient, update_row, campaign, signature in rows:
            if (signature is None or signature.status != SignatureStatus.CONFIRMED
                    or not signature.contact_ok or signature.email_key in bounced[campaign.id]):
                recipient.status = RecipientStatus.SKIPPED
                continue
            _enqueue(campaign, update_row, signature, now)
            recipient.status, recipient.enqueued_at = RecipientStatus.ENQUEUED, now
            sent += 1
    db.session.flush()
    return sent


def _links_context() -> contextlib.AbstractContextManager:
    """Where the worker feeds, outside any request, a request context to build links in (they
    are absolute under BASE_URL anyway)."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config.get("BASE_URL") or None)


def _anything_queued() -> bool:
    return db.session.scalar(select(UpdateRecipient.id).where(
        UpdateRecipient.status == RecipientStatus.QUEUED).limit(1)) is not None


def _enqueue(campaign: Campaign, update_row: Update, signature: Signature, now: datetime) -> None:
    unsubscribe = removal_links.unsubscribe_link(campaign, signature, now=now)
    # In the signer's language: the email's own words, and the campaign's title where translated.
    with translations.speaking(signature.language):
        shown = translations.localized(campaign, signature.language)
        subject = _subject(shown, update_row)
        body = _body(shown, update_row, name=signature.full_name, unsubscribe_link=unsubscribe,
                     remove_link=removal_links.removal_link(campaign, signature, now=now),
                     language=signature.language)
    outbox.enqueue(
        kind=bounces.UPDATE_KIND, to_address=signature.email,
        subject=subject, body=body,
        campaign_id=campaign.id, recipient_key=signature.email_key, list_unsubscribe=unsubscribe)


def progress(update_row: Update) -> dict[str, int]:
    """How far an update's sending is: recipients by status (queued, enqueued, skipped)."""
    counts = dict.fromkeys(RecipientStatus, 0)
    counts.update(db.session.execute(
        select(UpdateRecipient.status, func.count(UpdateRecipient.id))
        .where(UpdateRecipient.update_id == update_row.id).group_by(UpdateRecipient.status)).all())
    return {str(status): number for status, number in counts.items()}


def init_app(app) -> None:
    """Let the outbox's delivery rounds feed update emails in."""
    outbox.add_feeder(app, feed)
