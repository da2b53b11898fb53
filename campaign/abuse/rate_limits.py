"""Per-address limits on the public forms that write: signing, confirming, asking for an
email (a new confirmation link, a deletion link) and "I contacted them"; counted separately
for each campaign.

An address over the limit gets 429 with Retry-After and a page that says when to try again;
nothing is stored, so the count never rises. Addresses on the campaign's allow-list (a
school, a rally's wifi) are exempt. The address is the one the trusted proxies report
(PROXY_FIX_HOPS), and the counts live in RATELIMIT_STORAGE_URI (Redis with several workers).
"""
from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime

from flask import Response, current_app, render_template, request
from flask_babel import gettext, ngettext
from flask_limiter import RequestLimit
from sqlalchemy.exc import SQLAlchemyError

from campaign.abuse import list_rules, network
from campaign.extensions import limiter
from campaign.ops import outages

log = logging.getLogger(__name__)


def _campaign_and_address() -> str:
    """Whom a budget belongs to: one address (an IPv6 /64) on one campaign."""
    return f"{(request.view_args or {}).get('slug', '')}/{network.client_group(request.remote_addr)}"


def _exempt() -> bool:
    # Only POSTs are limited; the allow-list is read (cached) only for them.
    if request.method != "POST":
        return True
    slug = (request.view_args or {}).get("slug", "")
    try:
        return list_rules.rules_for(slug).allows(request.remote_addr)
    except SQLAlchemyError as error:
        # Exempt: neither checked nor counted. Checking would refuse an allow-listed school
        # whose budget filled up before it was listed, for our failure; and letting the
        # request through costs no protection, since a request that cannot read the list
        # meets the same database in the view, which answers 503 and stores nothing. (Raised
        # here, Flask-Limiter would take it for its own store failing.)
        log.warning("allow list of %s unreadable, %s not limited: %s", slug or "-",
                    request.endpoint, outages.describe(error))
        outages.roll_back()  # the view begins afresh, not in a transaction that failed
        return True


def _answered(response: Response) -> bool:
    """Whether a request uses up budget: only answers we gave count, never a failure on our
    side (5xx: the database away, a crash) nor the 429 refusal itself."""
    return response.status_code < 500 and response.status_code != 429


def seconds_until_retry(limit: RequestLimit) -> int:
    """Whole seconds until the limit lets one more request through (at least 1)."""
    return max(1, math.ceil(limit.window[0] - time.time()))  # reset_at adds a second


def wait_in_words(seconds: int) -> str:
    """How long to wait, in words for a page: "a minute", "7 minutes"."""
    if seconds < 90:
        return gettext("a minute")
    minutes = max(2, round(seconds / 60))
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def _refused(action: str):
    """An on_breach callback: the 429 page for this action, with Retry-After."""

    def page(limit: RequestLimit):
        seconds = seconds_until_retry(limit)
        html = render_template(
            "public/slow_down.html", action=action, slug=(request.view_args or {}).get("slug", ""),
            wait=wait_in_words(seconds),
            retry_at=datetime.fromtimestamp(time.time() + seconds, UTC),
        )
        response = current_app.make_response((html, 429))
        response.headers["Retry-After"] = str(seconds)
        return response

    return page


def _limit(setting: str, action: str):
    # Shared by scope: every view with the decorator (the page's form, the embedded one)
    # draws on one budget per campaign and address.
    return limiter.shared_limit(
        lambda: current_app.config[setting],
        scope=action,
        key_func=_campaign_and_address,
        exempt_when=_exempt,
        # Checked before the view and counted after it, by its answer. (Requests in flight at
        # once are all checked before any is counted: a parallel burst can pass the limit by
        # as many requests as it runs at once, a trade for never charging our failures.)
        deduct_when=_answered,
        methods=["POST"],
        on_breach=_refused(action),
    )


# Decorators for the views that sign (POST /c/<slug>/sign, and any other form that signs),
# for the confirmation button, for the forms that email the address typed in, and for the
# outreach buttons.
sign_limit = _limit("SIGN_RATE_LIMIT", "sign")
# An event's RSVP form: signing's limit, with a budget of its own.
rsvp_limit = _limit("SIGN_RATE_LIMIT", "rsvp")
confirm_limit = _limit("CONFIRM_RATE_LIMIT", "confirm")
email_request_limit = _limit("EMAIL_REQUEST_RATE_LIMIT", "email")
outreach_limit = _limit("OUTREACH_RATE_LIMIT", "outreach")
