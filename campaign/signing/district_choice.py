"""A signer in a shared ZIP code saying which of its districts is theirs."""
from __future__ import annotations

from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Signature
from campaign.places import districts


def choose(campaign_id: int, signature_id: int, district: str) -> bool:
    """Set the signature's district to one of its candidates; False, storing nothing, otherwise.

    The candidates stay in district_choices, so a later recount can keep the choice while it
    is still one of them.
    """
    signature = db.session.scalar(
        select(Signature).where(Signature.id == signature_id, Signature.campaign_id == campaign_id)
    )
    if signature is None or district not in districts.choices_of(signature.district_choices):
        return False
    signature.district = district
    return True
