"""The record helpers' per-address limits: the public forms' own settings, counted per campaign.

A helper writing a signature draws on SIGN_RATE_LIMIT, one recording outreaches on
OUTREACH_RATE_LIMIT, per address (the client's) and campaign, as the forms do; a budget of its
own (scope "api-sign"...). An address on the campaign's allow-list is exempt, as for the forms.
Checked before the write, spent after it, so a refusal or a failure costs nothing.
"""
from __future__ import annotations

import math
import time

from flask import Response, current_app, request
from limits import parse

from campaign.abuse import list_rules, network
from campaign.api.blueprint import problem
from campaign.extensions import limiter
from campaign.models import Campaign


def _budget(setting: str, scope: str, campaign: Campaign):
    identifiers = (scope, campaign.slug, network.client_group(request.remote_addr))
    return parse(current_app.config[setting]), identifiers


def _exempt(campaign: Campaign) -> bool:
    return (not current_app.config.get("RATELIMIT_ENABLED", True)
            or list_rules.rules_for(campaign.slug).allows(request.remote_addr))


def over(setting: str, scope: str, campaign: Campaign) -> Response | None:
    """A 429 problem when this address has used its budget on this campaign; else None."""
    if _exempt(campaign):
        return None
    item, identifiers = _budget(setting, scope, campaign)
    if limiter.limiter.test(item, *identifiers):
        return None
    reset = limiter.limiter.get_window_stats(item, *identifiers).reset_time
    seconds = max(1, math.ceil(reset - time.time()))
    response = problem(429, "Too many requests",
                       f"This address may send {item} to this campaign; try again in "
                       f"{seconds} seconds. Nothing was stored.")
    response.headers["Retry-After"] = str(seconds)
    return response


def spend(setting: str, scope: str, campaign: Campaign) -> None:
    """Count one request against the budget (after it was answered)."""
    if not _exempt(campaign):
        item, identifiers = _budget(setting, scope, campaign)
        limiter.limiter.hit(item, *identifiers)
