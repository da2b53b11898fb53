"""Who signed in this browser, kept for an hour in their own session.

It prefills letters with the signer's name and town, shows the representatives of the
postcode they signed with, and lets them say which district is theirs. The session also
holds a sealed reference to the signature just made: present, and of the same length,
whether or not a row was created, so the (readable) cookie says nothing of whether the
email had signed before. A confirmation from this browser is kept the same way (the slug
only), so that the confirmed page thanks its signer and nobody who opens it from a link. After
the hour the memory leaves the session, on the next page this browser opens: the next person
at a shared computer finds nothing of it, even in the cookie.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session

from campaign.campaigns import action_cards
from campaign.clock import utcnow
from campaign.models import Campaign
from campaign.places import regions, towns
from campaign.signing.signatures import SignerDetails

MEMORY = timedelta(hours=1)
_NONCE_BYTES = 16
_ID_BYTES = 8
_TAG_BYTES = 8


@dataclass(frozen=True)
class Remembered:
    """What the session holds of the signer of one campaign."""

    name: str
    place: str
    country: str
    postcode: str
    signature_id: int | None  # None when signing made no new row (or the memory is older)
    district: str  # the district they told us is theirs, if they did

    @property
    def signer(self) -> action_cards.Signer:
        return action_cards.Signer(name=self.name, place=self.place)


def remember(campaign: Campaign, details: SignerDetails, new_signature_id: int | None) -> None:
    """Keep who just signed (and a sealed reference to a new signature) in the session."""
    session["signer"] = {
        "slug": campaign.slug,
        "name": details.full_name,
        "place": _letter_place(details),
        "country": details.country,
        "postcode": details.postcode,
        "ref": _seal(new_signature_id),
        "at": utcnow().timestamp(),
    }


def _letter_place(details: SignerDetails) -> str:
    """Where a letter's writer lives: "Minneapolis, MN 55401", so an office sees a constituent."""
    city = towns.us_city(details.postcode) if details.country == "US" else ""
    if city:
        return f"{city}, {regions.region_for(details.country, details.postcode)} {details.postcode}"
    return action_cards.place_of("", details.postcode, details.country)


def recall(campaign: Campaign) -> Remembered | None:
    """The signer remembered for this campaign, unless it was another campaign or long ago."""
    kept = _kept("signer", campaign)
    if kept is None:
        return None
    return Remembered(
        name=str(kept.get("name", "")),
        place=str(kept.get("place", "")),
        country=str(kept.get("country", "")),
        postcode=str(kept.get("postcode", "")),
        signature_id=_unseal(str(kept.get("ref", ""))),
        district=str(kept.get("district", "")),
    )


def _kept(key: str, campaign: Campaign) -> dict | None:
    """What the session keeps under key for this campaign within the hour; an older entry is
    dropped, so the next person at a shared computer never sees it."""
    kept = session.get(key)
    if not isinstance(kept, dict):
        return None
    if _expired(kept):
        session.pop(key)
        return None
    return kept if kept.get("slug") == campaign.slug else None


def _expired(kept: dict) -> bool:
    at = kept.get("at")
    if not isinstance(at, int | float):
        return True
    return utcnow().timestamp() - at > MEMORY.total_seconds()


def note_confirmed(campaign: Campaign) -> None:
    """Remember, for the hour, that this browser just confirmed a signature on this campaign."""
    session["confirmed"] = {"slug": campaign.slug, "at": utcnow().timestamp()}


def confirmed_here(campaign: Campaign) -> bool:
    """Whether this browser confirmed a signature on this campaign within the hour."""
    return _kept("confirmed", campaign) is not None


def note_district(district: str) -> None:
    """Remember the district the signer picked, to show it back whatever was stored."""
    kept = session.get("signer")
    if isinstance(kept, dict):
        session["signer"] = {**kept, "district": district}


def _keyed(message: bytes) -> bytes:
    key = f"signature-ref:{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def _masked(nonce: bytes, data: bytes) -> bytes:
    """data XOR a pad only this app can derive from the nonce; applying it twice undoes it."""
    pad = _keyed(nonce)[:_ID_BYTES]
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def _tag(nonce: bytes, sealed: bytes) -> bytes:
    return _keyed(b"tag:" + nonce + sealed)[:_TAG_BYTES]


def _seal(signature_id: int | None) -> str:
    # The id XOR a keyed pad drawn from a fresh nonce: "no row" (0) looks like any id. Under a
    # XOR mask alone, flipped bits would flip the id to another signer's: the tag makes the
    # reference answer for itself, not only through the signed cookie that carries it.
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _masked(nonce, (signature_id or 0).to_bytes(_ID_BYTES, "big"))
    return base64.urlsafe_b64encode(nonce + sealed + _tag(nonce, sealed)).decode("ascii")


def _unseal(token: str) -> int | None:
    try:
        raw = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    if len(raw) != _NONCE_BYTES + _ID_BYTES + _TAG_BYTES:
        return None
    nonce, sealed, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(nonce, sealed)):
        return None
    return int.from_bytes(_masked(nonce, sealed), "big") or None
