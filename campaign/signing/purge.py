"""Retention: anonymizing campaigns closed long ago and deleting stale pending signatures.

Every step works in batches, each committed on its own, so a huge campaign never holds one long
transaction (nor SQLite's write lock) and a run killed half-way resumes where it stopped. A
campaign's `anonymized_at` is set only after its last batch; a second run finds nothing to do.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, delete, exists, func, literal, select, tuple_, update

from campaign import audit, cache
from campaign.extensions import db
from campaign.models import (
    Campaign,
    CampaignStatus,
    ConfirmationToken,
    OutboxMessage,
    Signature,
    SignatureStatus,
)
from campaign.signing.removal import DATA_REQUEST_KIND

# The longest a batch waits after committing on SQLite (the longest a waiting writer sleeps
# between tries of the lock is 100 ms).
MAX_PAUSE_SECONDS = 0.1
# An anonymized signature's email_key: unique per row, so the (campaign, email_key) constraint
# holds, and never a real address (those always have an "@" and no colon).
ANONYMOUS_KEY_PREFIX = "purged:"
# What an anonymized signature keeps is what the counts need: status, dates, country, region,
# district (or shared-district choices), postcode area, share channel and contact consent.
ANONYMOUS_VALUES = {
    "full_name": "",
    "email": "",
    "email_key": literal(ANONYMOUS_KEY_PREFIX) + cast(Signature.id, String),
    "postcode": "",
    "comment": "",
    "show_name": False,  # no name left to show
    "ip_hash": "",
    "ip_net_hash": "",
}


@dataclass
class CampaignPurge:
    """What anonymizing one campaign did (or would do, in a dry run)."""

    slug: str
    closed_at: datetime
    signatures: int = 0
    confirmation_links: int = 0
    outbox_messages: int = 0


@dataclass
class PurgeReport:
    campaigns: list[CampaignPurge] = field(default_factory=list)
    pending_deleted: int = 0
    data_requests_deleted: int = 0

    @property
    def did_nothing(self) -> bool:
        return not (self.campaigns or self.pending_deleted or self.data_requests_deleted)


def closed_at(campaign: Campaign, now: datetime) -> datetime | None:
    """When a campaign stopped taking signatures; None while open, and for drafts.

    No date is stored when an organizer closes a campaign, so it is the earlier of its closing
    date (closes_at, once passed) and, for a campaign with status closed, its last change
    (updated_at): an edit after closing only delays the purge, never hastens it.
    """
    if campaign.status == CampaignStatus.DRAFT:
        return None
    candidates = [campaign.closes_at] if campaign.closes_at and campaign.closes_at <= now else []
    if campaign.status == CampaignStatus.CLOSED:
        candidates.append(campaign.updated_at)
    return min(candidates, default=None)


def due_campaigns(now: datetime, days: int) -> list[tuple[Campaign, datetime]]:
    """Campaigns closed more than `days` ago and not anonymized since, with their closing time."""
    cutoff = now - timedelta(days=days)
    found = []
    for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
        closed = closed_at(campaign, now)
        # Anonymized before its latest closing: it was reopened and took new signatures since.
        if closed is not None and closed <= cutoff and (
                campaign.anonymized_at is None or campaign.anonymized_at < closed):
            found.append((campaign, closed))
    return found


def purge(*, now: datetime, days: int, pending_days: int, batch: int,
          progress: Callable[[CampaignPurge], None] = lambda done: None) -> PurgeReport:
    """Delete stale pending signatures, then anonymize due campaigns; commits per batch."""
    report = PurgeReport()
    pending_cutoff = now - timedelta(days=pending_days)
    campaign_ids = list(db.session.scalars(select(Campaign.id).order_by(Campaign.id)))
    db.session.commit()  # end the read: the batches below are transactions of their own
    for campaign_id in campaign_ids:
        report.pending_deleted += _until_done(
            functools.partial(_delete_stale_pending, campaign_id, pending_cutoff, now, batch))
    report.data_requests_deleted = _until_done(
        lambda: _delete_batch(_old_data_requests(pending_cutoff), batch))
    for campaign, closed in due_campaigns(now, days):
        report.campaigns.append(_anonymize(campaign, closed, now=now, batch=batch))
        progress(report.campaigns[-1])
    return report


def estimate(*, now: datetime, days: int, pending_days: int) -> PurgeReport:
    """What purge() would do now, changing nothing."""
    pending_cutoff = now - timedelta(days=pending_days)
    report = PurgeReport(
        pending_deleted=sum(_count(_stale_pending(campaign_id, pending_cutoff, now))
                            for campaign_id in db.session.scalars(select(Campaign.id))),
        data_requests_deleted=_count(_old_data_requests(pending_cutoff)),
    )
    stale = _stale_conditions(pending_cutoff, now)
    for campaign, closed in due_campaigns(now, days):
        # Less what the pending step deletes first.
        kept = _not_anonymized(campaign.id).where(~and_(*stale))
        stale_keys = select(Signature.email_key).where(Signature.campaign_id == campaign.id, *stale)
        report.campaigns.append(CampaignPurge(
            slug=campaign.slug, closed_at=closed,
            signatures=_count(kept),
            confirmation_links=_count(select(ConfirmationToken.id).where(
                ConfirmationToken.signature_id.in_(kept))),
            outbox_messages=_count(_outbox_of(campaign.id).where(
                OutboxMessage.recipient_key.is_(None)
                | ~OutboxMessage.recipient_key.in_(stale_keys))),
        ))
    db.session.rollback()
    return report


def _until_done(step: Callable[[], int]) -> int:
    """Run a batch step, committing each batch, until it finds nothing more; the total done."""
    total = 0
    while True:
        began = time.perf_counter()
        done = step()
        _commit_batch(began)
        if not done:
            return total
        total += done


def _commit_batch(began: float) -> None:
    """Commit a batch; on SQLite, then leave the write lock free for about as long as it was held.

    SQLite's lock is not fair: a signer waiting for it sleeps between tries, and a purge that
    began again at once could keep it from them for the whole run.
    """
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        time.sleep(min(time.perf_counter() - began, MAX_PAUSE_SECONDS))


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _delete_batch(query, batch: int) -> int:
    """Delete the first `batch` outbox messages that a query of their ids finds."""
    ids = query.order_by(OutboxMessage.id).limit(batch)
    return db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids))).rowcount


def _anonymize(campaign: Campaign, closed: datetime, *, now: datetime, batch: int) -> CampaignPurge:
    done = CampaignPurge(slug=campaign.slug, closed_at=closed)
    after_key, began = "", time.perf_counter()
    # Through the (campaign_id, email_key) index in key order: each batch reads only its own
    # rows, and the anonymized keys ("purged:...") are passed over once.
    while rows := db.session.execute(
            select(Signature.id, Signature.email_key)
            .where(Signature.campaign_id == campaign.id, Signature.email_key > after_key,
                   _is_personal())
            .order_by(Signature.email_key).limit(batch)).all():
        ids = [row.id for row in rows]
        done.confirmation_links += db.session.execute(
            delete(ConfirmationToken).where(ConfirmationToken.signature_id.in_(ids))).rowcount
        # Checked again: a concurrent run may have anonymized some of these meanwhile.
        done.signatures += db.session.execute(
            update(Signature)
            .where(Signature.id.in_(ids), _is_personal())
            .values(ANONYMOUS_VALUES)
            .execution_options(synchronize_session=False)).rowcount
        _commit_batch(began)
        after_key, began = rows[-1].email_key, time.perf_counter()
    done.outbox_messages = _until_done(lambda: _delete_batch(_outbox_of(campaign.id), batch))
    # updated_at stays as it was: it is part of when the campaign closed.
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id)
                       .values(anonymized_at=now, updated_at=Campaign.updated_at))
    audit.record("campaign.anonymized", organizer=None, campaign=campaign,
                 signatures=done.signatures)
    db.session.commit()
    cache.forget(campaign.id)
    return done


def _is_personal():
    return Signature.email_key.not_like(f"{ANONYMOUS_KEY_PREFIX}%")


def _not_anonymized(campaign_id: int):
    return select(Signature.id).where(Signature.campaign_id == campaign_id, _is_personal())


def _outbox_of(campaign_id: int):
    return select(OutboxMessage.id).where(OutboxMessage.campaign_id == campaign_id)


def _stale_conditions(cutoff: datetime, now: datetime) -> list:
    """Pending, made before cutoff, and every confirmation link expired.

    A signer who asked for a new link lately keeps their signature until that link expires.
    """
    live_link = exists().where(ConfirmationToken.signature_id == Signature.id,
                               ConfirmationToken.expires_at > now)
    # The date is compared through coalesce() (it is never NULL) so that SQLite reads the few
    # pending rows from the (campaign_id, status, ...) index, not every old row by created_at.
    return [Signature.status == SignatureStatus.PENDING,
            func.coalesce(Signature.created_at, cutoff) < cutoff, ~live_link]


def _stale_pending(campaign_id: int, cutoff: datetime, now: datetime):
    return select(Signature.id).where(Signature.campaign_id == campaign_id,
                                      *_stale_conditions(cutoff, now))


def _delete_stale_pending(campaign_id: int, cutoff: datetime, now: datetime, batch: int) -> int:
    """Delete one batch of stale pending signatures and the emails sent about them."""
    ids = list(db.session.scalars(_stale_pending(campaign_id, cutoff, now).limit(batch)))
    if not ids:
        return 0
    # The conditions again: a signature confirmed since the SELECT is no longer deleted.
    gone = db.session.execute(
        delete(Signature).where(Signature.id.in_(ids), *_stale_conditions(cutoff, now))
        .returning(Signature.email_key)
    ).scalars().all()
    if gone:
        db.session.execute(delete(OutboxMessage).where(
            tuple_(OutboxMessage.campaign_id, OutboxMessage.recipient_key).in_(
                [(campaign_id, key) for key in gone])))
        cache.forget(campaign_id)
    return len(gone)


def _old_data_requests(cutoff: datetime):
    return select(OutboxMessage.id).where(OutboxMessage.campaign_id.is_(None),
                                          OutboxMessage.kind == DATA_REQUEST_KIND,
                                          OutboxMessage.created_at < cutoff)
