"""Blueprint "public_data": a campaign's counts as a public JSON document (counts.public_document)."""
from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, jsonify

from campaign import cache
from campaign.campaigns import store
from campaign.counts import public_document
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
