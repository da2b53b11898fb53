"""Blueprint "embed": the sign form alone, for an <iframe> on other sites, and the count badge.

Only the form and its answers may be framed (frame-ancestors from EMBED_ALLOWED_ORIGINS);
every other page keeps frame-ancestors 'none'. Browsers do not send the SameSite=Lax session
cookie to a frame on another site, so the form's POST cannot use the session's CSRF token.
It is checked instead with a signed, short-lived form token (form_tokens) and with the
request's Origin, which for a form inside the frame is this site's own origin (the framed
page is ours), never the embedding site's.
"""
from __future__ import annotations

import functools
import logging
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from campaign import database
from campaign.abuse import rate_limits
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import tallies
from campaign.extensions import csrf
from campaign.models import Campaign
from campaign.ops import security, shared_caching
from campaign.public import badge, form_tokens, forms, page_language
from campaign.signing import submission

log = logging.getLogger(__name__)

bp = Blueprint("embed", __name__)

# The pages shown inside the frame; the badge is an image and needs no framing.
FRAMED_ENDPOINTS = frozenset({"embed.form", "embed.sign", "embed.signed"})
# A signature from the frame is counted under this share channel unless the iframe's URL
# names another (?ref=news-site), so organizers see what the embed brings.
DEFAULT_REF = "embed"
_SOURCE = re.compile(r"^(\*|https?:|https?://(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?)$", re.IGNORECASE)


@functools.cache
def frame_ancestors(setting: str) -> str:
    """The CSP frame-ancestors sources for EMBED_ALLOWED_ORIGINS: this site, and those listed."""
    sources = [s.rstrip("/") for s in setting.replace(",", " ").split()]
    wrong = [s for s in sources if not _SOURCE.match(s)]
    if wrong or not sources:
        raise RuntimeError(
            "EMBED_ALLOWED_ORIGINS must list origins such as https://news.example.org, "
            f"https://*.example.org, https: or *; not {' '.join(wrong) or 'nothing'}"
        )
    return " ".join(["'self'", *sources])


@bp.record_once
def _check_settings(state) -> None:
    # A mistyped setting stops the app at start, not on the first framed page.
    frame_ancestors(state.app.config["EMBED_ALLOWED_ORIGINS"])


@bp.after_request
def _let_other_sites_frame(response: Response) -> Response:
    if request.endpoint in FRAMED_ENDPOINTS:
        security.allow_framing(response, frame_ancestors(current_app.config["EMBED_ALLOWED_ORIGINS"]))
    return response


def _campaign_or_404(slug: str) -> Campaign:
    campaign = store.get_public(slug)
    if campaign is None:
        abort(404)
    page_language.note_language(campaign)
    return campaign


def _render_form(campaign: Campaign, form, status: int = 200, notice: str = "", ref: str = DEFAULT_REF):
    """The framed page: title, count, the form with a fresh token (or the closed notice)."""
    count = tallies.confirmed_count(campaign.id)
    token = form_tokens.issue(current_app.config["SECRET_KEY"], campaign.id, now=utcnow())
    return render_template(
        "embed/form.html", campaign=page_language.shown(campaign), form=form, count=count, notice=notice,
        form_token=token, ref=ref,
    ), status


def _problem(campaign: Campaign, status: int, title: str, message: str):
    return render_template("embed/problem.html", campaign=page_language.shown(campaign), title=title, message=message), status


@bp.get("/c/<slug>/embed")
def form(slug: str):
    campaign = _campaign_or_404(slug)
    if not campaign.accepts_signatures(utcnow()):
        return _render_form(campaign, None, notice=submission.CLOSED_NOTICE)
    return _render_form(campaign, forms.sign_form(campaign), ref=request.args.get("ref") or DEFAULT_REF)


@bp.post("/c/<slug>/embed/sign")
@csrf.exempt  # only because sign() checks the form token and the Origin itself
@rate_limits.sign_limit  # one budget per campaign and address with the page's own form
def sign(slug: str):
    database.read_first()
    campaign = _campaign_or_404(slug)
    try:
        form_tokens.check_post(campaign.id, now=utcnow())
    except form_tokens.SentElsewhere:
        log.info("embedded form for %s refused: sent from another site", campaign.slug)
        return _problem(campaign, 403, gettext("This form was sent from another site"),
                        gettext("Only the form on this petition's own page can be sent. "
                                "Please reload the form and sign again."))
    except (form_tokens.TokenInvalid, form_tokens.TokenExpired) as error:
        log.info("embedded form for %s refused: %s %s", campaign.slug, type(error).__name__, error)
        return _problem(campaign, 400, gettext("This form has expired"),
                        gettext("Forms stay valid for a while only. Please reload the form and sign again."))
    signer_form = forms.sign_form(campaign)
    taken = forms.take_signature(campaign, signer_form)
    if taken.outcome == submission.SignOutcome.CLOSED:
        return _render_form(campaign, None, 409, submission.CLOSED_NOTICE)
    if taken.outcome == submission.SignOutcome.INVALID:
        return _render_form(campaign, signer_form, 422, ref=signer_form.ref.data or DEFAULT_REF)
    return redirect(url_for(".signed", slug=slug), 303)


@bp.get("/c/<slug>/embed/signed")
def signed(slug: str):
    # The same page whether the address was new, pending or confirmed: it reveals nothing.
    return render_template("embed/signed.html", campaign=page_language.shown(_campaign_or_404(slug)))


@bp.get("/c/<slug>/badge.svg")
def badge_svg(slug: str) -> Response:
    """The count badge: no personal data, cacheable for a minute by browsers and proxies."""
    campaign = _campaign_or_404(slug)
    drawing = badge.layout(campaign.title, tallies.confirmed_count(campaign.id), campaign.goal)
    response = current_app.response_class(render_template("embed/badge.svg", badge=drawing),
                                          mimetype="image/svg+xml")
    return shared_caching.shared(response, 60)
