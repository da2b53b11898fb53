"""Blueprint "representatives": find your representatives, "I contacted them", my district."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from campaign import cache
from campaign.abuse import rate_limits
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Campaign, Representative
from campaign.places import districts
from campaign.public import page_language, signer_memory
from campaign.public.forms import ContactedForm, DistrictChoiceForm, LookupForm
from campaign.representatives import contact_cards, outreach
from campaign.representatives.contact_cards import Lookup
from campaign.signing import district_choice, signer_input

bp = Blueprint("representatives", __name__)

NOTED = _l("Thank you — noted.")
DISTRICT_REFUSED = "district-refused"  # the category of the flashed message, shown in the form


def _campaign_or_404(slug: str) -> Campaign:
    campaign = store.get_public(slug)
    if campaign is None:
        abort(404)
    page_language.note_language(campaign)
    return campaign


def _visitor(*, create: bool) -> str | None:
    """This browser's outreach key: a random id in its session, used only as a salted hash."""
    visitor_id = session.get("visitor")
    if not isinstance(visitor_id, str) or not visitor_id:
        if not create:
            return None
        visitor_id = session["visitor"] = secrets.token_urlsafe(16)
    return outreach.visitor_key(current_app.config["SECRET_KEY"], visitor_id)


def _find(campaign: Campaign, country: str, postcode: str,
          remembered: signer_memory.Remembered | None) -> Lookup:
    visitor = _visitor(create=False)
    return contact_cards.find(
        campaign, country, postcode, remembered.signer if remembered else None,
        (lambda ids: outreach.contacted_by(campaign.id, visitor, ids)) if visitor else None,
    )


def representatives_url(campaign: Campaign) -> str:
    """The lookup page of a campaign, or "" while no representative of its country is loaded."""
    if not contact_cards.representatives_known(campaign.default_country):
        return ""
    return url_for("representatives.lookup", slug=campaign.slug)


@bp.get("/c/<slug>/representatives")
def lookup(slug: str):
    campaign = _campaign_or_404(slug)
    remembered = signer_memory.recall(campaign)
    args = request.args
    if "postcode" not in args and remembered and remembered.postcode:  # who just signed here
        args = MultiDict({"country": remembered.country, "postcode": remembered.postcode})
    asked = "postcode" in args
    form = LookupForm(args if asked else None, default_country=campaign.default_country)
    found, status = None, 200
    if asked:
        if form.validate():
            found = _find(page_language.shown(campaign), form.clean_country, form.clean_postcode, remembered)
        else:
            status = 422
    noted = dict(get_flashed_messages(with_categories=True))
    # "None found" means little on a site where nobody has imported that country's list.
    listed = found is None or found.found or contact_cards.representatives_known(found.place.country)
    page = render_template("representatives/lookup.html", campaign=page_language.shown(campaign), form=form,
                           lookup=found, listed=listed, contacted_form=ContactedForm(), noted=noted)
    # It may carry the signer's name in the letters, and form tokens: never in a shared cache.
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/c/<slug>/representatives/<int:rep_id>/contacted")
@rate_limits.outreach_limit
def contacted(slug: str, rep_id: int):
    campaign = _campaign_or_404(slug)
    representative = db.session.get(Representative, rep_id)
    if representative is None:
        abort(404)
    form = ContactedForm()
    back = _place_args(form, campaign)
    channel = form.channel.data
    if not form.validate_on_submit() or channel not in outreach.channels_for(representative):
        return _refused(400, _("Please choose how you contacted them"),
                        _("Press one of the buttons under their name: by email (where they have "
                          "one), by phone, through their web form or by letter."),
                        campaign, url_for(".lookup", slug=slug, **back))
    outreach.record(campaign.id, representative, channel, _visitor(create=True), now=utcnow())
    db.session.commit()
    flash(str(NOTED), f"rep-{rep_id}")  # shown in that card, where the browser scrolls to
    return redirect(url_for(".lookup", slug=slug, **back, _anchor=f"rep-{rep_id}"), 303)


def _place_args(form: ContactedForm, campaign: Campaign) -> dict[str, str]:
    """The postcode the visitor was looking at, when it still reads as one."""
    try:
        country = signer_input.clean_country(form.country.data, default=campaign.default_country)
        postcode = signer_input.clean_postcode(form.postcode.data, country)
    except signer_input.InvalidInput:
        return {}
    return {"country": country, "postcode": postcode} if postcode else {}


@dataclass(frozen=True)
class AfterSigning:
    """The thank-you page's part: the signer's representatives, and which district is theirs."""

    lookup: Lookup
    lookup_url: str
    form: DistrictChoiceForm | None
    chosen: str  # the area the signer said is theirs
    error: str = ""  # why the last choice was refused, shown in the form asked again


def after_signing(campaign: Campaign) -> AfterSigning | None:
    """From the session's memory of who just signed, so the same for a new or a repeat signer."""
    remembered = signer_memory.recall(campaign)
    if remembered is None or not remembered.postcode:
        return None
    found = _find(campaign, remembered.country, remembered.postcode, remembered)
    if not found.sections:
        return None
    options = found.district_options() if found.place.shared else []
    return AfterSigning(
        lookup=found,
        lookup_url=url_for("representatives.lookup", slug=campaign.slug,
                           country=remembered.country, postcode=remembered.postcode),
        form=DistrictChoiceForm(options=options, district=remembered.district or None)
        if options else None,
        chosen=dict(options).get(remembered.district, ""),
        error=" ".join(get_flashed_messages(category_filter=[DISTRICT_REFUSED])) if options else "",
    )


@bp.post("/c/<slug>/signed/district")
def choose_district(slug: str):
    """Store the district a signer in a shared ZIP picked, for the signature this session made.

    Without a reference to a new signature (a repeat, an old session) nothing is stored, and
    the answer is the same: the page must not tell whether an email had signed before.
    """
    campaign = _campaign_or_404(slug)
    remembered = signer_memory.recall(campaign)
    if remembered is not None and remembered.postcode:
        candidates = districts.lookup(remembered.country, remembered.postcode).districts
        form = DistrictChoiceForm(options=[(code, code) for code in candidates])
        if not form.validate_on_submit():
            # Asked again where it was asked, with the reason: the form, not a dead end.
            flash(_("Choose one of the districts listed: the one your representative sits for, "
                    "or leave it."), DISTRICT_REFUSED)
            return redirect(_district_choice_url(slug), 303)
        if remembered.signature_id is not None:
            district_choice.choose(campaign.id, remembered.signature_id, form.district.data)
            db.session.commit()
            cache.forget(campaign.id)
        signer_memory.note_district(form.district.data)
    flash(str(NOTED))
    return redirect(_district_choice_url(slug), 303)


def _district_choice_url(slug: str) -> str:
    return url_for("public.signed", slug=slug, _anchor="district-choice")


def _refused(status: int, title: str, message: str, campaign: Campaign, back_url: str):
    return render_template("representatives/refused.html", campaign=campaign, title=title,
                           message=message, back_url=back_url), status
