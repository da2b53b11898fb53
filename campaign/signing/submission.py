"""Taking a signature: the one operation behind every sign form, the campaign page's and the embed's.

It checks that the campaign takes signatures, then the signer's details, then records the
signature and its email in one committed transaction: a signer is told "signed" only once the
row is safe, so this operation commits rather than leaving it to its caller.
"""
from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from campaign import cache, database
from campaign.abuse import network
from campaign.counts import goals
from campaign.extensions import db
from campaign.models import Campaign
from campaign.signing import signatures
from campaign.signing.signatures import SignerDetails

# Lazy: shown in the language of the page that refused the signature.
CLOSED_NOTICE = _l("This petition has closed: it no longer takes signatures.")


class SignOutcome(enum.Enum):
    """What became of a submitted sign form."""

    SIGNED = "signed"
    INVALID = "invalid"
    CLOSED = "closed"


@dataclass(frozen=True)
class Submission:
    """The outcome, and the id of the row made (None when signing made none: a repeat)."""

    outcome: SignOutcome
    new_signature_id: int | None = None


def submit(campaign: Campaign, checked_details: Callable[[], SignerDetails | None], *,
           remote_addr: str | None, secret_key: str, now: datetime) -> Submission:
    """Record a signature, committed; checked_details() gives the signer's details or None if refused.

    The campaign's state is checked before the details, so a closed campaign says so even to a
    form with mistakes in it.
    """
    if not campaign.accepts_signatures(now):
        return Submission(SignOutcome.CLOSED)
    details = checked_details()
    if details is None:
        return Submission(SignOutcome.INVALID)
    ip_hash, ip_net_hash = network.ip_hashes(secret_key, remote_addr)
    details = dataclasses.replace(details, ip_hash=ip_hash, ip_net_hash=ip_net_hash,
                                  ip_address=remote_addr or "")
    database.start_writing()
    try:
        signed = signatures.sign(campaign, details, now=now)
    except signatures.CampaignClosed:
        db.session.rollback()
        return Submission(SignOutcome.CLOSED)
    db.session.commit()
    if signed.count_changed:
        cache.forget(campaign.id)
        _climb(campaign)
    return Submission(SignOutcome.SIGNED, signed.new_id)


def _climb(campaign: Campaign) -> None:
    """Raise a reached goal (counts.goals), in a transaction of its own after the signature's."""
    if goals.climb(campaign) is not None:
        db.session.commit()
        cache.forget(campaign.id)
