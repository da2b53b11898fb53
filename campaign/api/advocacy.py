"""Advocacy campaigns: each campaign's "contact your representatives", its targets and outreaches."""
from __future__ import annotations

import uuid as uuid_module

from flask import Response, abort, current_app, request

from campaign import database
from campaign.api import collections, limits
from campaign.api.blueprint import (
    audited,
    base_url,
    bp,
    current_key,
    current_owner,
    document,
    problem,
    writes,
)
from campaign.api.petitions import campaign_or_404
from campaign.clock import utcnow
from campaign.links import public_url
from campaign.models import Campaign, Representative
from campaign.osdi import documents, listings
from campaign.osdi.identifiers import uuid_of
from campaign.representatives import outreach as outreaches_domain


def _advocacy_campaign(campaign: Campaign) -> dict:
    return documents.advocacy_campaign(
        campaign, base_url=base_url(), total_outreaches=listings.outreach_count(campaign.id),
        browser_url=public_url("public.campaign", slug=campaign.slug))


@bp.get("/advocacy_campaigns")
def advocacy_campaigns():
    found = collections.page_of(listings.campaigns(current_owner(), collections.conditions()))
    return document(collections.answer(
        "advocacy_campaigns", [_advocacy_campaign(c) for c in found.rows], found,
        ".advocacy_campaigns"))


@bp.get("/advocacy_campaigns/<campaign_id>")
def advocacy_campaign(campaign_id: str):
    return document(_advocacy_campaign(campaign_or_404(campaign_id)))


@bp.get("/advocacy_campaigns/<campaign_id>/targets")
def targets(campaign_id: str):
    """Every representative a visitor may contact, with this campaign's outreaches to each."""
    campaign = campaign_or_404(campaign_id)
    found = collections.page_of(listings.targets())
    counts = outreaches_domain.counts(campaign.id)
    return document(collections.answer(
        "targets", [documents.target(r, total_outreaches=sum(counts.get(r.id, {}).values()))
                    for r in found.rows], found, ".targets", campaign_id=campaign.uuid))


@bp.get("/advocacy_campaigns/<campaign_id>/outreaches")
def outreaches(campaign_id: str):
    campaign = campaign_or_404(campaign_id)
    found = collections.page_of(listings.outreaches(campaign.id, collections.conditions()))
    return document(collections.answer(
        "outreaches", [documents.outreach(o, base_url=base_url()) for o in found.rows], found,
        ".outreaches", campaign_id=campaign.uuid))


@bp.get("/advocacy_campaigns/<campaign_id>/outreaches/<outreach_id>")
def outreach(campaign_id: str, outreach_id: str):
    campaign = campaign_or_404(campaign_id)
    uuid = uuid_of(outreach_id)
    found = listings.outreach(campaign.id, uuid) if uuid else None
    if found is None:
        abort(404, "No outreach of this campaign has this identifier.")
    return document(documents.outreach(found, base_url=base_url()))


@bp.post("/advocacy_campaigns/<campaign_id>/outreaches")
@writes
def record_outreach(campaign_id: str):
    """record_outreach_helper: {"type": channel, "targets": [{"identifiers": [...]}]}."""
    campaign = campaign_or_404(campaign_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "Invalid request", "Send a JSON object.")
    checked = _checked_outreach(body)
    if isinstance(checked, Response):
        return checked
    channel, representatives = checked
    if not campaign.accepts_signatures(utcnow()):
        return problem(409, "Campaign closed", "This campaign no longer takes outreaches.")
    refused = limits.over("OUTREACH_RATE_LIMIT", "api-outreach", campaign)
    if refused is not None:
        return refused
    # One visitor per request, or the client's own id for it: a retry is then counted once.
    visitor = _client_id(body) or str(uuid_module.uuid4())
    key = outreaches_domain.visitor_key(current_app.config["SECRET_KEY"],
                                        f"api:{current_key().id}:{visitor}")
    database.start_writing()
    made = sum(outreaches_domain.record(campaign.id, r, channel, key, now=utcnow())
               for r in representatives)
    rows = listings.outreaches_of_visitor(campaign.id, key, [r.id for r in representatives])
    audited("api.outreaches.recorded", campaign=campaign, rows=made)  # commits
    limits.spend("OUTREACH_RATE_LIMIT", "api-outreach", campaign)
    return document({"total_outreaches": made,
                     "_embedded": {"osdi:outreaches": [documents.outreach(o, base_url=base_url())
                                                       for o in rows]}}, 201 if made else 200)


def _checked_outreach(body: dict) -> tuple[str, list[Representative]] | Response:
    """The channel and the representatives an outreach names, or the 400 problem saying why not."""
    channel = body.get("type")
    wanted = _target_uuids(body.get("targets"))
    if wanted is None:
        message = "Name one to 10 targets by their identifiers."
        return problem(400, "Invalid targets", message, errors={"targets": message})
    found = listings.representatives_by_uuid(wanted)
    errors = {}
    for index, uuid in enumerate(wanted):
        representative = found.get(uuid)
        if representative is None:
            errors[f"targets[{index}]"] = "No target has this identifier."
        elif channel not in outreaches_domain.channels_for(representative):
            errors["type"] = ("The type must be one of "
                              f"{', '.join(outreaches_domain.channels_for(representative))}.")
    if errors:
        return problem(400, "Invalid outreach", "Nothing was recorded.", errors=errors)
    return channel, [found[uuid] for uuid in wanted]


def _target_uuids(targets) -> list[str] | None:
    if not isinstance(targets, list) or not 1 <= len(targets) <= 10:
        return None
    uuids = []
    for target in targets:
        identifiers = target.get("identifiers") if isinstance(target, dict) else None
        if not isinstance(identifiers, list):
            return None
        found = next((uuid_of(i) for i in identifiers if isinstance(i, str) and uuid_of(i)), None)
        if found is None:
            return None
        uuids.append(found)
    return list(dict.fromkeys(uuids))


def _client_id(body: dict) -> str:
    identifiers = body.get("identifiers")
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], str):
        return identifiers[0][:200]
    return ""

