"""Signers placed in districts again, after a new postcode → district mapping is imported."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from campaign.extensions import db
from campaign.models import Campaign, Signature
from campaign.places import districts
from campaign.places.districts import Place

BATCH_SIZE = 2000

_signatures = Signature.__table__
# Written only where the row still holds what was read: a signer picking their district on
# the thank-you page meanwhile keeps their pick.
_REASSIGN = (
    update(_signatures)
    .where(_signatures.c.id == bindparam("row_id"),
           _signatures.c.region == bindparam("old_region"),
           _signatures.c.district == bindparam("old_district"),
           _signatures.c.district_choices == bindparam("old_choices"))
    .values(region=bindparam("new_region"), district=bindparam("new_district"),
            district_choices=bindparam("new_choices"))
)


@dataclass(frozen=True)
class Batch:
    """One batch's outcome: the last id read (None when there was nothing left) and counts."""

    last_id: int | None
    read: int
    changed: int


def recompute_batch(after_id: int, *, campaign_id: int | None = None,
                    size: int = BATCH_SIZE) -> Batch:
    """Recompute region and districts of the next signatures by id; the caller commits.

    Campaigns whose personal data was purged are left alone: their postcodes are gone and
    their stored districts are what their counts stand on.
    """
    query = (select(Signature.id, Signature.country, Signature.postcode, Signature.region,
                    Signature.district, Signature.district_choices)
             .join(Campaign, Campaign.id == Signature.campaign_id)
             .where(Signature.id > after_id, Campaign.anonymized_at.is_(None))
             .order_by(Signature.id).limit(size))
    if campaign_id is not None:
        query = query.where(Signature.campaign_id == campaign_id)
    rows = db.session.execute(query).all()
    if not rows:
        return Batch(None, 0, 0)
    places = districts.lookup_many((row.country, row.postcode) for row in rows)
    changes = []
    for row in rows:
        old = (row.region, row.district, row.district_choices)
        new = reassigned(old, places[row.country, row.postcode])
        if new != old:
            changes.append({"row_id": row.id, "old_region": old[0], "old_district": old[1],
                            "old_choices": old[2], "new_region": new[0],
                            "new_district": new[1], "new_choices": new[2]})
    changed = db.session.execute(_REASSIGN, changes).rowcount if changes else 0
    return Batch(rows[-1].id, len(rows), changed)


def reassigned(old: tuple[str, str, str], place: Place) -> tuple[str, str, str]:
    """(region, district, district_choices) for a signature, given its postcode's new Place.

    A signer's own pick (a district stored beside its candidates, see district_choice) stays
    while it is still one of the candidates; the region changes only when one is known.
    """
    region, district, choices = old
    region = place.region or region
    if district and choices and place.shared and district in place.districts:
        return region, district, place.district_choices
    return region, place.district, place.district_choices
