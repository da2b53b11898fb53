"""Blueprint "public_data": a campaign's counts as public data: the JSON document, the history by hour."""
from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, jsonify

from campaign import cache
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import history, public_document
from campaign.links import public_url
from campaign.models import Campaign
from campaign.ops import shared_caching

bp = Blueprint("public_data", __name__)

# Browsers and proxies may reuse the document this long; the counts are cached as long here.
MIN_MAX_AGE = 5


@bp.get("/c/<slug>.json")
def campaign_json(slug: str):
    """The public counts document; 404 (as JSON) for a draft or an unknown campaign."""
    campaign = store.get_public(slug)
    if campaign is None:
        abort(404)
    body = cache.cached((campaign.id, "public-json", campaign.updated_at),
                        lambda: public_document.document(campaign))
    response = jsonify(body)
    seconds = max(MIN_MAX_AGE, math.ceil(current_app.config["TALLY_CACHE_SECONDS"]))
    return shared_caching.shared(response, seconds)


def _public_or_404(slug: str) -> Campaign:
    campaign = store.get_public_recent(slug)
    if campaign is None:
        abort(404)
    return campaign


def _history(campaign: Campaign) -> list[history.Hour]:
    return history.cached_history(campaign.id, open_now=campaign.accepts_signatures(utcnow()))


def _shared(response):
    return shared_caching.shared(response, max(MIN_MAX_AGE, math.ceil(history.cache_seconds())))


@bp.get("/c/<slug>/history.json")
def history_json(slug: str):
    """Confirmed signatures per hour (UTC) with the running total; 404 for a draft or unknown slug."""
    campaign = _public_or_404(slug)
    body = history.document(campaign.slug, public_url("public.campaign", slug=campaign.slug),
                            _history(campaign), counted_at=utcnow())
    return _shared(jsonify(body))


@bp.get("/c/<slug>/history.csv")
def history_csv(slug: str):
    """The same hours as CSV: hour_utc, signatures, total."""
    campaign = _public_or_404(slug)
    response = current_app.response_class(history.csv_text(_history(campaign)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{campaign.slug}-history.csv"'
    return _shared(response)
