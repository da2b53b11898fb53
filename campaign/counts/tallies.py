"""Public counts: aggregate queries over signatures, cached for a few seconds per process.

Nothing is incremented per signature, so signers never queue on one hot counter row; the
count is exact to within the cache's lifetime (TALLY_CACHE_SECONDS).
"""
from __future__ import annotations

from sqlalchemy import func, select

from campaign import cache
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus


def confirmed_count(campaign_id: int) -> int:
    """Signatures that count: confirmed ones (signatures count at once where no confirmation is needed)."""
    return cache.cached(
        (campaign_id, "confirmed"),
        lambda: db.session.scalar(
            select(func.count()).where(
                Signature.campaign_id == campaign_id,
                Signature.status == SignatureStatus.CONFIRMED,
            )
        ),
    )


def confirmed_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Confirmed counts for several campaigns in one GROUP BY."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(Signature.campaign_id, func.count())
        .where(
            Signature.campaign_id.in_(campaign_ids),
            Signature.status == SignatureStatus.CONFIRMED,
        )
        .group_by(Signature.campaign_id)
    )
    counts = dict.fromkeys(campaign_ids, 0)
    counts.update({campaign_id: count for campaign_id, count in rows})
    return counts


def progress_percent(count: int, goal: int) -> int:
    """How far towards the goal, 0 to 100, for the progress bar."""
    return min(100, (count * 100) // goal) if goal > 0 else 100
