"""Signers and representatives of a campaign made directly, for the updates' tests."""
from __future__ import annotations

from datetime import timedelta

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Representative, Signature, SignatureStatus


def add_signers(slug: str, *rows: dict) -> dict[str, int]:
    """Confirmed, opted-in US signers unless a row says otherwise; returns email → id."""
    campaign = store.get_by_slug(slug)
    now = utcnow()
    made = []
    for row in rows:
        values = {"full_name": "A Signer", "country": "US", "postcode": "55401", "region": "MN",
                  "district": "MN-05", "status": SignatureStatus.CONFIRMED, "contact_ok": True,
                  "created_at": now - timedelta(days=1), "confirmed_at": now, **row}
        values.setdefault("email_key", values["email"])
        made.append(Signature(campaign_id=campaign.id, **values))
    db.session.add_all(made)
    db.session.commit()
    return {s.email: s.id for s in made}


def add_representative(**fields) -> int:
    values = {"source": "test", "external_id": fields.get("name", "x"), "name": "Ilhan Omar",
              "office": "representative", "country": "US", "region": "MN", "district": "MN-05",
              **fields}
    representative = Representative(**values)
    db.session.add(representative)
    db.session.commit()
    return representative.id
