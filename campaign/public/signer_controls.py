"""Blueprint "signer": a signer removing their signature, or every signature of their address,
or stopping a campaign's updates.

Mail scanners follow links, so opening one only shows what would go; the button's POST acts.
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from campaign import cache
from campaign.abuse import rate_limits
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import csrf, db
from campaign.models import Campaign
from campaign.public import page_language
from campaign.public.forms import ConfirmForm, ResendForm
from campaign.signing import removal, removal_links
from campaign.updates import consent

bp = Blueprint("signer", __name__)


@bp.after_request
def _private(response: Response) -> Response:
    # These pages show a name and carry a link's token: kept out of caches and Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _link_problem(error: removal_links.LinkInvalid | removal_links.LinkExpired) -> ResponseReturnValue:
    expired = isinstance(error, removal_links.LinkExpired)
    return render_template("signer/link_problem.html", expired=expired), 410 if expired else 404


@bp.route("/c/<slug>/remove/<token>", methods=["GET", "POST"])
def remove(slug: str, token: str):
    # Any status: a signer may leave a closed petition, or one taken back to draft.
    campaign = store.get_by_slug(slug) if store.is_valid_slug(slug) else None
    try:
        if campaign is None:
            raise removal_links.LinkInvalid()
        signature = removal_links.signature_to_remove(campaign, token, now=utcnow())
    except (removal_links.LinkInvalid, removal_links.LinkExpired) as error:
        return _link_problem(error)
    page_language.note_language(campaign)
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("signer/remove.html", campaign=page_language.shown(campaign), form=form,
                               name=signature.full_name, email=removal_links.mask_email(signature.email),
                               public=_is_public(campaign))
    removal.remove(campaign, signature)
    db.session.commit()
    cache.forget(campaign.id)  # after the commit, or a reader could cache the old count again
    return redirect(url_for(".removed", slug=slug), 303)


def _is_public(campaign: Campaign) -> bool:
    return store.get_public(campaign.slug) is not None


@bp.get("/c/<slug>/removed")
def removed(slug: str):
    # A draft's title stays private: the page then just says it is done.
    campaign = store.get_public(slug)
    if campaign is not None:
        page_language.note_language(campaign)
    return render_template("signer/removed.html", campaign=campaign and page_language.shown(campaign))


@bp.route("/delete-my-data", methods=["GET", "POST"])
@rate_limits.email_request_limit  # one budget per address, across the site
def delete_my_data():
    form = ResendForm()  # one email field, cleaned like the sign form's
    if request.method == "GET":
        return render_template("signer/delete_my_data.html", form=form, sent=False)
    if not form.validate_on_submit():
        return render_template("signer/delete_my_data.html", form=form, sent=False), 422
    removal.request_deletion(form.clean_email, now=utcnow(), language=page_language.interface_language())
    db.session.commit()
    # The same answer whatever the address: the page must not reveal who signed.
    return render_template("signer/delete_my_data.html", form=form, sent=True)


@bp.route("/delete-my-data/<token>", methods=["GET", "POST"])
def forget(token: str):
    try:
        found = removal.signatures_to_forget(token, now=utcnow())
    except (removal_links.LinkInvalid, removal_links.LinkExpired) as error:
        return _link_problem(error)
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("signer/forget.html", form=form, signatures=found,
                               email=removal_links.mask_email(found[0].email))
    campaign_ids = {signature.campaign_id for signature in found}
    removal.forget(found)
    db.session.commit()
    for campaign_id in campaign_ids:
        cache.forget(campaign_id)
    return redirect(url_for(".forgotten"), 303)


@bp.get("/delete-my-data/done")
def forgotten():
    return render_template("signer/forgotten.html")


def _to_unsubscribe(slug: str, token: str):
    campaign = store.get_by_slug(slug) if store.is_valid_slug(slug) else None
    if campaign is None:
        raise removal_links.LinkInvalid()
    page_language.note_language(campaign)
    return campaign, removal_links.signature_to_unsubscribe(campaign, token, now=utcnow())


@bp.get("/c/<slug>/unsubscribe/<token>")
def unsubscribe(slug: str, token: str):
    """The link in an update's body: a page with a button, since mail scanners follow links."""
    try:
        campaign, signature = _to_unsubscribe(slug, token)
    except (removal_links.LinkInvalid, removal_links.LinkExpired) as error:
        return _link_problem(error)
    return render_template("signer/unsubscribe.html", campaign=page_language.shown(campaign), done=False,
                           email=removal_links.mask_email(signature.email),
                           already=not signature.contact_ok)


@bp.post("/c/<slug>/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: the mail client posts `List-Unsubscribe=One-Click` with no session
# or form token; the signed token in the address is the proof, as the removal link's is.
def unsubscribe_now(slug: str, token: str):
    """Withdraw the signer's consent to updates: the one-click POST, or the page's button."""
    try:
        campaign, signature = _to_unsubscribe(slug, token)
    except (removal_links.LinkInvalid, removal_links.LinkExpired) as error:
        return _link_problem(error)
    consent.withdraw(campaign, signature)
    db.session.commit()
    return render_template("signer/unsubscribe.html", campaign=page_language.shown(campaign), done=True,
                           email=removal_links.mask_email(signature.email), already=False)
