"""The OSDI 1.2 documents (HAL+JSON dicts) the API answers with and webhooks send.

Every link is absolute, under `<base_url>/api/v1/`; identifiers are `campaign:<uuid>`.
A person is a signer of one campaign: the same address signing two campaigns is two people,
since the consent that gives their email status is given per campaign.
"""
from __future__ import annotations

from collections.abc import Iterable

from campaign.extensions import db
from campaign.models import (
    Campaign,
    Event,
    EventStatus,
    Outreach,
    Representative,
    Rsvp,
    RsvpStatus,
    Signature,
)
from campaign.osdi.identifiers import identifier, osdi_date
from campaign.representatives import greetings
from campaign.signing import bounces

API_PATH = "/api/v1"
ORIGIN_SYSTEM = "Campaign"

# An RSVP's status as OSDI's attendance status.
_ATTENDANCE_STATUS = {RsvpStatus.PENDING: "needs action", RsvpStatus.GOING: "accepted",
                      RsvpStatus.WAITING: "tentative", RsvpStatus.CANCELLED: "declined"}
_EVENT_STATUS = {EventStatus.PROPOSED: "tentative", EventStatus.PUBLISHED: "confirmed",
                 EventStatus.CANCELLED: "cancelled", EventStatus.DECLINED: "rejected"}


def api_url(base_url: str, *parts: str) -> str:
    """An absolute API link: api_url(base, "petitions", uuid) → "<base>/api/v1/petitions/<uuid>"."""
    return "/".join([base_url.rstrip("/") + API_PATH, *parts])


def _href(base_url: str, *parts: str) -> dict[str, str]:
    return {"href": api_url(base_url, *parts)}


def split_name(full_name: str) -> tuple[str, str]:
    """(given_name, family_name) from a name written first name first.

    The family name is the last word, with the particles before it ("de la Cruz", "Van Hollen")
    and any suffix after it ("Casey Jr."); a one-word name is a given name only. A signer types one name
    field, so this is a reading, not what they said: full_name keeps the name as typed.
    """
    family = greetings.family_name(full_name)
    words = full_name.split()
    if len(words) < 2 or not family:
        return full_name.strip(), ""
    at = full_name.rfind(family)
    given = full_name[:at].strip().rstrip(",").strip() if at > 0 else ""
    if not given:
        return full_name.strip(), ""
    return given, full_name[at:].strip()  # a suffix stays with the family name ("Casey Jr.")


def email_status(signature: Signature, *, bouncing: bool) -> str:
    """subscribed (they agreed to be contacted), unsubscribed, or bouncing (confirmation failed)."""
    if bouncing:
        return "bouncing"
    return "subscribed" if signature.contact_ok else "unsubscribed"


def person(signature: Signature, *, base_url: str | None = None,
           bouncing: bool | None = None) -> dict:
    """The signer of a signature as an OSDI person (its identifier is the signature's uuid).

    bouncing: whether the confirmation email failed for good, when the caller knows it for a
    page at once (bounces.undeliverable_among); None looks it up. With base_url, `_links`.
    """
    if bouncing is None:
        bouncing = signature.id in bounces.undeliverable_among([signature.id])
    given, family = split_name(signature.full_name)
    document = {
        "identifiers": [identifier(signature.uuid)],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": osdi_date(signature.created_at),
        "modified_date": osdi_date(signature.updated_at),
        "given_name": given,
        "family_name": family,
        "email_addresses": [{"address": signature.email, "primary": True,
                             "status": email_status(signature, bouncing=bouncing)}],
        "postal_addresses": [{"primary": True, "postal_code": signature.postcode,
                              "region": signature.region, "country": signature.country}],
        "languages_spoken": [signature.language],
    }
    if base_url is not None:
        campaign_uuid = _campaign(signature.campaign_id).uuid
        document["_links"] = {
            "self": _href(base_url, "people", signature.uuid),
            "osdi:signatures": _href(base_url, "petitions", campaign_uuid, "signatures",
                                     signature.uuid),
        }
    return document


def signature(signature: Signature, *, base_url: str) -> dict:
    """A signature as an OSDI signature, linked to its person and petition."""
    campaign_uuid = _campaign(signature.campaign_id).uuid
    return {
        "identifiers": [identifier(signature.uuid)],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": osdi_date(signature.created_at),
        "modified_date": osdi_date(signature.updated_at),
        # When they signed; confirmed_date is when their email confirmed it (None: not yet).
        "action_date": osdi_date(signature.created_at),
        "confirmed_date": osdi_date(signature.confirmed_at),
        "status": signature.status,
        "comments": "" if signature.comment_hidden else signature.comment,
        "referrer_data": {"source": signature.source},
        "_links": {
            "self": _href(base_url, "petitions", campaign_uuid, "signatures", signature.uuid),
            "osdi:person": _href(base_url, "people", signature.uuid),
            "osdi:petition": _href(base_url, "petitions", campaign_uuid),
        },
    }


def _campaign_fields(campaign: Campaign) -> dict:
    """What a petition and an advocacy campaign say alike: they are the same campaign."""
    return {
        "identifiers": [identifier(campaign.uuid)],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": osdi_date(campaign.created_at),
        "modified_date": osdi_date(campaign.updated_at),
        "title": campaign.title,
        "description": campaign.commentary,
    }


def petition(campaign: Campaign, *, base_url: str, total_signatures: int,
             browser_url: str) -> dict:
    """A campaign's petition: its text and target, and the confirmed count."""
    return {
        **_campaign_fields(campaign),
        "petition_text": campaign.petition_text,
        "target": [{"name": campaign.target}] if campaign.target else [],
        "total_signatures": total_signatures,
        "browser_url": browser_url,
        "status": campaign.status,
        "_links": {
            "self": _href(base_url, "petitions", campaign.uuid),
            "osdi:signatures": _href(base_url, "petitions", campaign.uuid, "signatures"),
            "osdi:record_signature_helper": _href(base_url, "petitions", campaign.uuid,
                                                  "signatures"),
            "osdi:advocacy_campaign": _href(base_url, "advocacy_campaigns", campaign.uuid),
        },
    }


def target(representative: Representative, *, total_outreaches: int | None = None) -> dict:
    """A representative as an OSDI target of an advocacy campaign."""
    given, family = split_name(representative.name)
    document = {
        "identifiers": [identifier(representative.uuid)],
        "name": representative.name,
        "given_name": given,
        "family_name": representative.family_name or family,
        "title": representative.office,
        "party": representative.party,
        "country": representative.country,
        "region": representative.region,
        "district": representative.district,
    }
    if total_outreaches is not None:
        document["total_outreaches"] = total_outreaches
    return document


def advocacy_campaign(campaign: Campaign, *, base_url: str, total_outreaches: int,
                      browser_url: str) -> dict:
    """A campaign's "contact your representatives" ask as an OSDI advocacy campaign."""
    return {
        **_campaign_fields(campaign),
        "browser_url": browser_url,
        "total_outreaches": total_outreaches,
        "_links": {
            "self": _href(base_url, "advocacy_campaigns", campaign.uuid),
            "osdi:outreaches": _href(base_url, "advocacy_campaigns", campaign.uuid, "outreaches"),
            "osdi:targets": _href(base_url, "advocacy_campaigns", campaign.uuid, "targets"),
            "osdi:record_outreach_helper": _href(base_url, "advocacy_campaigns", campaign.uuid,
                                                 "outreaches"),
            "osdi:petition": _href(base_url, "petitions", campaign.uuid),
        },
    }


def outreach(outreach: Outreach, *, base_url: str) -> dict:
    """One "I contacted them": the channel and the representative, no person (none is kept)."""
    campaign_uuid = _campaign(outreach.campaign_id).uuid
    representative = (db.session.get(Representative, outreach.representative_id)
                      if outreach.representative_id is not None else None)
    targets = ([target(representative)] if representative is not None
               else [{"name": outreach.representative_name}])
    return {
        "identifiers": [identifier(outreach.uuid)],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": osdi_date(outreach.created_at),
        "modified_date": osdi_date(outreach.created_at),
        "type": outreach.channel,
        "targets": targets,
        "_links": {
            "self": _href(base_url, "advocacy_campaigns", campaign_uuid, "outreaches",
                          outreach.uuid),
            "osdi:advocacy_campaign": _href(base_url, "advocacy_campaigns", campaign_uuid),
        },
    }


def event(event: Event, *, base_url: str, total_accepted: int) -> dict:
    """An event as an OSDI event: when, where, and how many are coming."""
    return {
        "identifiers": [identifier(event.uuid)],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": osdi_date(event.created_at),
        "modified_date": osdi_date(event.updated_at),
        "title": event.title,
        "description": event.description,
        "start_date": osdi_date(event.starts_at),
        "end_date": osdi_date(event.ends_at),
        "timezone": event.timezone,
        "status": _EVENT_STATUS.get(event.status, event.status),
        "capacity": event.capacity,
        "total_accepted": total_accepted,
        "location": {"venue": event.venue_name,
                     "address_lines": [event.address] if event.address else [],
                     "locality": event.town, "region": event.region,
                     "postal_code": event.postcode, "country": event.country},
        "instructions": event.online_url,
        "_links": {
            "self": _href(base_url, "events", event.uuid),
            "osdi:attendances": _href(base_url, "events", event.uuid, "attendances"),
            "osdi:petition": _href(base_url, "petitions", _campaign(event.campaign_id).uuid),
        },
    }


def attendance(rsvp: Rsvp, *, base_url: str) -> dict:
    """An RSVP as an OSDI attendance, with its person embedded (RSVPs have no person resource)."""
    given, family = split_name(rsvp.full_name)
    event_uuid = rsvp.event.uuid
    return {
        "identifiers": [identifier(rsvp.uuid)],
        "origin_system": ORIGIN_SYSTEM,
        "created_date": osdi_date(rsvp.created_at),
        "modified_date": osdi_date(rsvp.updated_at),
        "status": _ATTENDANCE_STATUS.get(rsvp.status, rsvp.status),
        "guests": rsvp.guests,
        "_embedded": {"osdi:person": {
            "given_name": given, "family_name": family,
            "email_addresses": [{"address": rsvp.email, "primary": True}],
            "postal_addresses": [{"primary": True, "postal_code": rsvp.postcode}]}},
        "_links": {
            "self": _href(base_url, "events", event_uuid, "attendances", rsvp.uuid),
            "osdi:event": _href(base_url, "events", event_uuid),
        },
    }


def collection(name: str, documents: Iterable[dict], *, links: dict, total_records: int,
               total_pages: int, page: int, per_page: int) -> dict:
    """A page of a collection: OSDI's paging fields, `_links` and `_embedded` {"osdi:<name>": [...]}."""
    items = list(documents)
    return {
        "total_pages": total_pages,
        "per_page": per_page,
        "page": page,
        "total_records": total_records,
        "_links": {**links, f"osdi:{name}": [{"href": d["_links"]["self"]["href"]}
                                            for d in items if "_links" in d]},
        "_embedded": {f"osdi:{name}": items},
    }


def _campaign(campaign_id: int) -> Campaign:
    """The campaign of a row, from the session's identity map when loaded already."""
    return db.session.get(Campaign, campaign_id)
