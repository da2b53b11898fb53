"""The entry point, petitions, their signatures, and people (signers) of the key's campaigns."""
from __future__ import annotations

from flask import abort, url_for

from campaign.api import collections
from campaign.api.blueprint import audited, base_url, bp, current_owner, document
from campaign.links import public_url
from campaign.models import Campaign
from campaign.osdi import documents, listings
from campaign.osdi.identifiers import uuid_of
from campaign.signing import bounces

CURIES = [{"name": "osdi", "href": "http://opensupporter.github.io/osdi-docs/{rel}",
           "templated": True}]


@bp.get("/")
def entry():
    """The API entry point: what it is, and links to each collection."""
    base = base_url()
    return document({
        "motd": "Campaign's OSDI API: petitions, signatures, people, advocacy campaigns, events.",
        "vendor_name": "Campaign",
        "product_name": "Campaign",
        "osdi_version": "1.2",
        "max_pagesize": 100,
        "_links": {
            "self": {"href": base + url_for(".entry")},
            "curies": CURIES,
            "osdi:petitions": {"href": base + url_for(".petitions")},
            "osdi:people": {"href": base + url_for(".people")},
            "osdi:advocacy_campaigns": {"href": base + url_for(".advocacy_campaigns")},
            "osdi:events": {"href": base + url_for(".events")},
        },
    })


def campaign_or_404(petition_id: str) -> Campaign:
    """The campaign a URL names, if the key's owner may see it; 404 for any other (no hint)."""
    uuid = uuid_of(petition_id)
    found = listings.campaign(current_owner(), uuid) if uuid else None
    if found is None:
        abort(404, "No petition has this identifier.")
    return found


def _petition(campaign: Campaign, total: int) -> dict:
    return documents.petition(campaign, base_url=base_url(), total_signatures=total,
                              browser_url=public_url("public.campaign", slug=campaign.slug))


@bp.get("/petitions")
def petitions():
    found = collections.page_of(listings.campaigns(current_owner(), collections.conditions()))
    totals = listings.confirmed_counts([c.id for c in found.rows])
    return document(collections.answer(
        "petitions", [_petition(c, totals[c.id]) for c in found.rows], found, ".petitions"))


@bp.get("/petitions/<petition_id>")
def petition(petition_id: str):
    campaign = campaign_or_404(petition_id)
    return document(_petition(campaign, listings.confirmed_counts([campaign.id])[campaign.id]))


@bp.get("/petitions/<petition_id>/signatures")
def signatures(petition_id: str):
    campaign = campaign_or_404(petition_id)
    found = collections.page_of(listings.signatures(campaign.id, collections.conditions()))
    body = collections.answer(
        "signatures", [documents.signature(s, base_url=base_url()) for s in found.rows], found,
        ".signatures", petition_id=campaign.uuid)
    audited("api.signatures.read", campaign=campaign, rows=len(found.rows))
    return document(body)


@bp.get("/petitions/<petition_id>/signatures/<signature_id>")
def signature(petition_id: str, signature_id: str):
    campaign = campaign_or_404(petition_id)
    uuid = uuid_of(signature_id)
    found = listings.signature(campaign.id, uuid) if uuid else None
    if found is None:
        abort(404, "No signature of this petition has this identifier.")
    body = documents.signature(found, base_url=base_url())
    audited("api.signatures.read", campaign=campaign, rows=1)
    return document(body)


@bp.get("/people")
def people():
    found = collections.page_of(listings.people(current_owner(), collections.conditions()))
    bouncing = bounces.undeliverable_among([s.id for s in found.rows])
    body = collections.answer(
        "people", [documents.person(s, base_url=base_url(), bouncing=s.id in bouncing)
                   for s in found.rows], found, ".people")
    audited("api.people.read", rows=len(found.rows))
    return document(body)


@bp.get("/people/<person_id>")
def person(person_id: str):
    uuid = uuid_of(person_id)
    found = listings.person(current_owner(), uuid) if uuid else None
    if found is None:
        abort(404, "No person has this identifier.")
    body = documents.person(found, base_url=base_url())
    audited("api.people.read", campaign=found.campaign, rows=1)
    return document(body)
