"""Keeping a campaign's signer list clean: finding signers, invalidating, restoring, deleting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, case, delete, func, or_, select, update

from campaign import audit, cache
from campaign.abuse import network
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import (
    Campaign,
    Organizer,
    OutboxMessage,
    OutboxStatus,
    Signature,
    SignatureStatus,
)
from campaign.ops import security
from campaign.signing import bounces, signer_mail
from campaign.webhooks import queue as webhooks


class InvalidFilter(ValueError):
    """A filter value cannot be used; the message says why, and `field` which filter it is."""

    def __init__(self, message: str, field: str = "ip_range") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SignerFilter:
    """Which signers of a campaign: every field narrows the list; empty fields do not."""

    search: str = ""  # in name, email or postcode
    status: str = ""  # or bounces.UNDELIVERABLE: pending, the confirmation email failed
    country: str = ""
    since: datetime | None = None
    until: datetime | None = None
    email_domain: str = ""
    ip_range: str = ""  # one address or a network, e.g. 203.0.113.0/24
    name: str = ""
    # The stored hashes as the abuse watch shows them: whole, or their first characters.
    ip_hash: str = ""
    ip_net_hash: str = ""

    def is_empty(self) -> bool:
        return not any((self.search, self.status, self.country, self.since, self.until,
                        self.email_domain, self.ip_range, self.name, self.ip_hash, self.ip_net_hash))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered(campaign: Campaign, f: SignerFilter, secret_key: str) -> Select:
    """A query for the campaign's signers matching the filter, newest first."""
    query = select(Signature).where(Signature.campaign_id == campaign.id)
    if f.search:
        pattern = _like(f.search.strip().lower())
        query = query.where(or_(func.lower(Signature.full_name).like(pattern, escape="\\"),
                                Signature.email_key.like(pattern, escape="\\"),
                                func.lower(Signature.postcode).like(pattern, escape="\\")))
    if f.name:
        query = query.where(func.lower(Signature.full_name).like(_like(f.name.strip().lower()), escape="\\"))
    if f.status == bounces.UNDELIVERABLE:
        query = query.where(bounces.undeliverable())
    elif f.status:
        query = query.where(Signature.status == f.status)
    if f.country:
        query = query.where(Signature.country == f.country.upper())
    if f.since:
        query = query.where(Signature.created_at >= f.since)
    if f.until:
        query = query.where(Signature.created_at < f.until)
    if f.email_domain:
        domain = f.email_domain.strip().lower().lstrip("@")
        query = query.where(Signature.email_key.like(f"%@{_like(domain)[1:-1]}", escape="\\"))
    if f.ip_range:
        try:
            kind, hashes = network.range_hashes(secret_key, f.ip_range)
        except ValueError as error:
            raise InvalidFilter(str(error)) from None
        column = Signature.ip_hash if kind == "ip" else Signature.ip_net_hash
        query = query.where(column.in_(hashes))
    for field, column in (("ip_hash", Signature.ip_hash), ("ip_net_hash", Signature.ip_net_hash)):
        if getattr(f, field):
            query = query.where(column.like(f"{_hash_prefix(getattr(f, field), field)}%"))
    return query.order_by(Signature.created_at.desc(), Signature.id.desc())


HASH_PREFIX_MIN = 8


def _hash_prefix(value: str, field: str) -> str:
    value = value.strip().lower()
    if not HASH_PREFIX_MIN <= len(value) <= 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidFilter(_("Enter %(min)s to %(max)s of the characters 0-9 and a-f.", min=HASH_PREFIX_MIN, max=64), field)
    return value


def count(query: Select) -> int:
    """How many signers a filtered query matches."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def page(query: Select, *, before_id: int | None, size: int = 50) -> list[Signature]:
    """One page of signers, newest first, after the signer `before_id` (keyset on the
    (campaign_id, created_at) index: any page is as fast as the first)."""
    if before_id is not None:
        anchor = db.session.scalar(select(Signature.created_at).where(Signature.id == before_id))
        if anchor is not None:
            query = query.where(or_(Signature.created_at < anchor,
                                    (Signature.created_at == anchor) & (Signature.id < before_id)))
    return list(db.session.scalars(query.limit(size)))


def set_status(campaign: Campaign, query: Select, status: str, *, organizer: Organizer,
               now: datetime, reason: str = "", signature_id: int | None = None) -> int:
    """Invalidate or restore every matching signer; returns how many changed.

    With signature_id (query then matches that signer alone) the audit line is a signer's own,
    naming the signature, and the reason only if one was given.
    """
    if status == SignatureStatus.INVALIDATED:
        from_statuses = [SignatureStatus.PENDING, SignatureStatus.CONFIRMED, SignatureStatus.HELD]
        values: dict = {"status": SignatureStatus.INVALIDATED}
    else:
        # Restored signatures count again only if they had been confirmed.
        from_statuses = [SignatureStatus.INVALIDATED]
        values = {"status": _restored_status()}
    ids = select(query.order_by(None).subquery().c.id)
    changed = db.session.execute(
        update(Signature)
        .where(Signature.id.in_(ids), Signature.status.in_(from_statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    done = "invalidated" if status == SignatureStatus.INVALIDATED else "restored"
    # Typed by an organizer, who may paste a signer's address into it: never kept.
    reason = security.redact_personal(reason.strip())[:200]
    if signature_id is None:
        audit.record(f"signers.{done}", organizer=organizer, campaign=campaign, count=changed,
                     reason=reason)
    else:
        given = {"reason": reason} if reason else {}
        audit.record(f"signer.{done}", organizer=organizer, campaign=campaign,
                     signature_id=signature_id, count=changed, **given)
    cache.forget(campaign.id)
    return changed


def _restored_status():
    # A held signature that was invalidated goes back to being held, not straight to pending.
    return case((Signature.confirmed_at.is_not(None), SignatureStatus.CONFIRMED),
                (Signature.held_reason != "", SignatureStatus.HELD),
                else_=SignatureStatus.PENDING)


def release(campaign: Campaign, query: Select, *, organizer: Organizer, now: datetime) -> int:
    """Let the matching held signatures through, as if they had not been held; returns how many.

    Each becomes pending and gets its confirmation email (or, where the campaign needs no
    confirmation, counts at once with a thank-you), within the daily email limit.
    """
    held = db.session.scalars(
        query.where(Signature.status == SignatureStatus.HELD).order_by(None).with_for_update())
    released = 0
    for signature in held:
        signature.held_reason = ""
        if campaign.require_confirmation:
            signature.status = SignatureStatus.PENDING
            signer_mail.send_confirmation(campaign, signature, now=now)
        else:
            signature.status = SignatureStatus.CONFIRMED
            signature.confirmed_at = now
            signer_mail.send_thanks(campaign, signature, now=now)
            webhooks.signature_confirmed(signature, now=now)
        released += 1
    audit.record("signers.released", organizer=organizer, campaign=campaign, count=released)
    cache.forget(campaign.id)
    return released


def set_comment_hidden(campaign: Campaign, signature: Signature, hidden: bool, *,
                       organizer: Organizer) -> None:
    """Hide a signer's comment from the public page, or show it again."""
    signature.comment_hidden = hidden
    audit.record("signer.comment_hidden" if hidden else "signer.comment_shown",
                 organizer=organizer, campaign=campaign, signature_id=signature.id)
    cache.forget(campaign.id)


def delete_signer(campaign: Campaign, signature: Signature, *, organizer: Organizer | None,
                  **detail) -> None:
    """Erase a signer on their request: the row, its tokens, and their address in the outbox.

    The audit line keeps only that a signature of some status was deleted.
    """
    status = signature.status
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.campaign_id == campaign.id,
        OutboxMessage.recipient_key == signature.email_key,
        OutboxMessage.status == OutboxStatus.PENDING,
    ))
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.campaign_id == campaign.id,
        OutboxMessage.recipient_key == signature.email_key,
    ).values(to_address="", body="", recipient_key=None, token_nonce=None))
    webhooks.signature_removed(signature, now=utcnow())
    db.session.delete(signature)
    audit.record("signer.deleted", organizer=organizer, campaign=campaign, status=status, **detail)
    cache.forget(campaign.id)


def signature_of(campaign: Campaign, signature_id: int) -> Signature | None:
    """One signer of this campaign (None for another campaign's id)."""
    return db.session.scalar(select(Signature).where(
        Signature.id == signature_id, Signature.campaign_id == campaign.id))
