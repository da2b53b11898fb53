"""Blueprint "public": the pages a visitor sees, and signing."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup, escape

from campaign import cache, database
from campaign.abuse import rate_limits
from campaign.accounts import memberships
from campaign.campaigns import action_cards, markdown, sharing, social_card, store
from campaign.clock import utcnow
from campaign.counts import constituents, goals, history, history_chart, tallies, tile_map
from campaign.delivery import accountability
from campaign.extensions import csrf, db
from campaign.languages import choice, translations
from campaign.links import public_url
from campaign.models import Campaign, CampaignStatus, SignatureStatus
from campaign.ops import shared_caching
from campaign.public import find_representatives, form_tokens, forms, page_language, signer_memory
from campaign.public.forms import ConfirmForm, ResendForm, SignForm
from campaign.signing import confirmations, signatures, submission
from campaign.signing.submission import SignOutcome
from campaign.updates import store as update_store

bp = Blueprint("public", __name__)


def _campaign_or_404(slug: str, *, recent: bool = False) -> Campaign:
    # recent: the row this process read within seconds will do (see store.get_public_recent)
    campaign = store.get_public_recent(slug) if recent else store.get_public(slug)
    if campaign is None:
        abort(404)
    page_language.note_language(campaign)
    return campaign


def _render_campaign(campaign: Campaign, form: SignForm | None, status: int = 200, notice: str = "",
                     *, preview: bool = False, **slots):
    # preview: a draft shown to its organizers, its form shown but disabled, nothing cached
    count = tallies.confirmed_count(campaign.id)
    slots.setdefault("form_token", _form_token(campaign))
    form = form if preview or campaign.accepts_signatures(utcnow()) else None
    shown = page_language.shown(campaign)
    return render_template(
        "public/campaign.html",
        campaign=shown,
        written_in=page_language.written_in(shown),
        page_languages=page_language.page_languages(campaign),
        language_alternates=page_language.alternates(campaign),
        form=form,
        count=count,
        percent=tallies.progress_percent(count, campaign.goal),
        signers=signatures.latest_public(campaign.id),
        body_html=_campaign_body(shown, can_sign=form is not None, shared=not preview),
        card_image_url=public_url("public.card_image", slug=campaign.slug,
                                  v=social_card.count_bucket(count),
                                  lang=shown.language if shown.language != campaign.language else None),
        notice=notice,
        preview=preview,
        # Sending an update or recording a delivery moves updated_at (store.touch): the key
        # changes at once, and a signer's own page or a refused form reuses the rest.
        **cache.cached((campaign.id, "updates-and-answers", campaign.updated_at), lambda: {
            "updates": update_store.timeline(campaign.id),
            "accountability_rows": accountability.public_rows(campaign, today=utcnow().date())}),
        **_state_map(campaign.id),
        history=history_chart.figure(history.cached_history(
            campaign.id, open_now=campaign.accepts_signatures(utcnow()))),
        **slots,
    ), status


def _state_map(campaign_id: int) -> dict:
    """The map of signatures by US state, from counts recounted in the background."""
    states = constituents.map_state_counts(campaign_id)
    if not tile_map.on_the_map(states):
        return {}
    return {"state_map": tile_map.state_map(states, map_id="state-map", title=gettext("Signatures by US state")),
            "state_rows": tile_map.table_rows(states)}


def _campaign_body(campaign: translations.CampaignView, *, can_sign: bool, shared: bool = True) -> Markup:
    """The article, commentary and cards; rendered once per version for visitors who have not signed.

    The key holds the campaign's updated_at, which every edit of it, its article or its
    actions moves (store.touch), so an edit shows at once in every process.
    """
    signer = _session_signer(campaign)

    def render() -> Markup:
        cards = action_cards.build(campaign, _page_url(campaign), signer)
        article = campaign.article
        return Markup(render_template("public/_campaign_body.html", campaign=campaign, cards=cards,
                                      can_sign=can_sign,
                                      story=markdown.folded(article.body if article else "", keep=STORY_LEAD),
                                      commentary=markdown.folded(campaign.commentary, keep=COMMENTARY_LEAD),
                                      representatives_url=find_representatives.representatives_url(campaign)))

    # A letter signed with this visitor's name is theirs alone; a draft's preview is no one's.
    if signer is not None or not shared:
        return render()
    key = (campaign.id, "body", campaign.updated_at, can_sign, request.host_url,
           page_language.interface_language(), campaign.language)
    return cache.cached(key, render)


# Paragraphs shown before the fold: enough to tell the story, short enough to reach the actions.
STORY_LEAD = 3
COMMENTARY_LEAD = 2


def _page_url(campaign: Campaign) -> str:
    return public_url("public.campaign", slug=campaign.slug)


def _session_signer(campaign: Campaign) -> action_cards.Signer | None:
    """Who signed in this browser within the hour (signer_memory), to prefill letters."""
    remembered = signer_memory.recall(campaign)
    return remembered.signer if remembered else None


@bp.get("/")
def index():
    open_campaigns = store.list_open(utcnow())
    counts = tallies.confirmed_counts([c.id for c in open_campaigns])
    shown = translations.localized_all(open_campaigns, page_language.interface_language())
    page = render_template("public/index.html", campaigns=shown, counts=counts)
    return shared_caching.shared(current_app.make_response(page), current_app.config["PAGE_CACHE_SECONDS"],
                                 browser_seconds=0)


@bp.get("/c/<slug>")
def campaign(slug: str):
    campaign = store.get_public_recent(slug)
    if campaign is None:
        return _draft_preview(slug)
    page_language.note_language(campaign)
    ref = request.args.get("ref", "")
    if _session_signer(campaign) is not None:
        # Signed in this browser: "You signed" and the next steps, not an empty form again.
        return _render_campaign(campaign, forms.sign_form(campaign, ref=ref), signed_here=True,
                                share_links=action_cards.share_links(page_language.shown(campaign), _page_url(campaign)),
                                representatives_url=find_representatives.representatives_url(campaign))
    # The page is the same for every visitor without a session but for their share channel:
    # render it once per few seconds with a slot, then fill the slot per request. It sets no
    # cookie (the form carries a form token instead), so shared caches may keep it briefly;
    # browsers ask again each time and get a 304 while it has not changed.
    page = cache.cached((campaign.id, "page", campaign.updated_at, request.host_url, _form_token(campaign),
                         page_language.interface_language(), choice.explicit_language()),
                        lambda: _render_campaign(campaign, forms.sign_form(campaign), ref_value=_REF_SLOT)[0])
    response = current_app.make_response(page.replace(_REF_SLOT, escape(ref)))
    response.vary.add("Accept-Language")  # one address, a page per language the browser prefers
    return shared_caching.shared(response, current_app.config["PAGE_CACHE_SECONDS"], browser_seconds=0)


def _form_token(campaign: Campaign) -> str:
    """The sign form's proof that this site rendered it (form_tokens), the same within a minute."""
    return form_tokens.issue(current_app.config["SECRET_KEY"], campaign.id, now=utcnow(), stable=True)


def _draft_preview(slug: str):
    """A draft's page, with a banner, for the organizers who may see it; 404 for everyone else.

    Never through the page cache, and no-store, so that no one else is ever served it.
    Signing a draft stays refused: sign() reads public campaigns only.
    """
    draft = None
    if current_user.is_authenticated and store.is_valid_slug(slug):
        draft = memberships.visible_campaign(current_user.organizer, slug)
    if draft is None or draft.status != CampaignStatus.DRAFT:
        abort(404)
    page_language.note_language(draft)
    page, status = _render_campaign(draft, forms.sign_form(draft), preview=True)
    return page, status, {"Cache-Control": "no-store"}


_REF_SLOT = "ref-slot-9b1e4c"


@bp.post("/c/<slug>/sign")
@csrf.exempt  # only because sign() checks the form token and the Origin itself
@rate_limits.sign_limit
def sign(slug: str):
    database.read_first()  # look up and check without holding SQLite's write lock
    campaign = _campaign_or_404(slug, recent=True)
    form = forms.sign_form(campaign)
    refused = _refused_post(campaign)
    if refused:
        # What they typed stays in the form, with a fresh token: sending again will do.
        return _render_campaign(campaign, form, *refused)
    taken = forms.take_signature(campaign, form)
    if taken.outcome == SignOutcome.CLOSED:
        return _render_campaign(campaign, None, 409, submission.CLOSED_NOTICE)
    if taken.outcome == SignOutcome.INVALID:
        return _render_campaign(campaign, form, 422)
    signer_memory.remember(campaign, form.details, taken.new_signature_id)
    return redirect(url_for(".signed", slug=slug), 303)


def _refused_post(campaign: Campaign) -> tuple[int, str] | None:
    """Why this sign form may not be taken (a forged or stale form), as status and notice."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    try:
        form_tokens.check_post(campaign.id, now=utcnow())
    except form_tokens.SentElsewhere:
        return 403, gettext("This form was sent from another site, so nothing was signed. "
                            "If you meant to sign, check your details below and sign again.")
    except (form_tokens.TokenInvalid, form_tokens.TokenExpired):
        return 400, gettext("This form was open too long, so nothing was signed yet. "
                            "Your details are still below: check them and sign again.")
    return None


@bp.get("/c/<slug>/sign")
def sign_page(slug: str):
    # The form posts here, so a reload or a shared address lands on GET: show the form.
    _campaign_or_404(slug, recent=True)
    return redirect(url_for(".campaign", slug=slug, _anchor="sign"), 303)


@bp.get("/c/<slug>/signed")
def signed(slug: str):
    # The same page whether the address was new, pending or confirmed: it reveals nothing.
    campaign = _campaign_or_404(slug, recent=True)
    shown = page_language.shown(campaign)
    cards = action_cards.build(shown, _page_url(campaign), _session_signer(campaign))
    return render_template("public/signed.html", campaign=shown,
                           signed_here=signer_memory.recall(campaign) is not None,
                           cards=[c for c in cards if c.kind in ("contact", "letter", "share")],
                           representatives=find_representatives.after_signing(campaign))


@bp.route("/c/<slug>/confirm/<token>", methods=["GET", "POST"])
@rate_limits.confirm_limit
def confirm(slug: str, token: str):
    # Read afresh, not within seconds: a campaign closed a moment ago must show no button.
    campaign = _campaign_or_404(slug)
    now = utcnow()
    try:
        signature = confirmations.find(campaign, token, now=now)
    except confirmations.TokenInvalid:
        return _token_problem(campaign, 404, expired=False)
    except confirmations.TokenExpired:
        return _token_problem(campaign, 410, expired=True)
    if signature.status == SignatureStatus.INVALIDATED:
        return _no_referrer(render_template("public/closed.html", campaign=page_language.shown(campaign), invalidated=True)), 409
    if signature.status == SignatureStatus.PENDING and not campaign.accepts_signatures(now):
        return _no_referrer(render_template("public/closed.html", campaign=page_language.shown(campaign))), 409
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        # Mail scanners follow links: only the button's POST confirms.
        return _no_referrer(render_template("public/confirm.html", campaign=page_language.shown(campaign), form=form))
    signatures.confirm(signature, now=now)
    db.session.commit()
    signer_memory.note_confirmed(campaign)
    cache.forget(campaign.id)  # after the commit, or a reader could cache the old count again
    if goals.climb(campaign) is not None:  # the count reached the goal: the next step
        db.session.commit()
        cache.forget(campaign.id)
    return redirect(url_for(".confirmed", slug=slug), 303)


def _token_problem(campaign: Campaign, status: int, *, expired: bool):
    page = render_template("public/token_problem.html", campaign=page_language.shown(campaign), expired=expired,
                           form=ResendForm())
    return _no_referrer(page), status


def _no_referrer(page):
    response = current_app.make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/c/<slug>/confirmed")
def confirmed(slug: str):
    campaign = _campaign_or_404(slug, recent=True)
    count = tallies.confirmed_count(campaign.id)
    page_url = _page_url(campaign)
    shown = page_language.shown(campaign)
    cards = action_cards.build(shown, page_url, _session_signer(campaign))
    return render_template(
        "public/confirmed.html", campaign=shown, count=count,
        percent=tallies.progress_percent(count, campaign.goal),
        confirmed_here=signer_memory.confirmed_here(campaign),
        share_links=action_cards.share_links(shown, page_url),
        copy_url=sharing.tagged(page_url, "copy"),
        cards=[card for card in cards if card.kind not in ("share", "petition")],
        representatives_url=find_representatives.representatives_url(campaign))


@bp.route("/c/<slug>/resend", methods=["GET", "POST"])
@rate_limits.email_request_limit
def resend(slug: str):
    campaign = _campaign_or_404(slug)
    if not campaign.accepts_signatures(utcnow()):
        # No link could confirm anything now (confirm() refuses): say so, whatever the address.
        return render_template("public/resend.html", campaign=page_language.shown(campaign), closed=True), 409
    form = ResendForm()
    if request.method == "GET":
        return render_template("public/resend.html", campaign=page_language.shown(campaign), form=form, sent=False)
    if not form.validate_on_submit():
        return render_template("public/resend.html", campaign=page_language.shown(campaign), form=form, sent=False), 422
    signatures.resend_confirmation(campaign, form.clean_email, now=utcnow())
    db.session.commit()
    # Same answer whatever the address: the page must not reveal who signed.
    return render_template("public/resend.html", campaign=page_language.shown(campaign), form=form, sent=True)


@bp.get("/c/<slug>/card.png")
def card_image(slug: str):
    """The social preview image, rebuilt only when the rounded count changes."""
    original = _campaign_or_404(slug)
    # The card of the language named in its address (?lang=es), the same for every browser.
    campaign = translations.localized(original, request.args.get("lang") or original.language)
    count = social_card.count_bucket(tallies.confirmed_count(campaign.id))
    headline = campaign.article.headline if campaign.article else ""
    key = (campaign.id, campaign.title, headline, count, campaign.goal)
    png = current_app.extensions["campaign_cards"].get(
        key, lambda: social_card.render_card(title=campaign.title, headline=headline,
                                             count=count, goal=campaign.goal)
    )
    response = current_app.response_class(png, mimetype="image/png")
    return shared_caching.shared(response, 300)


@bp.get("/c/<slug>/count.json")
def count_json(slug: str):
    campaign = _campaign_or_404(slug, recent=True)
    response = jsonify(
        slug=campaign.slug,
        title=campaign.title,
        status=campaign.status,
        accepting_signatures=campaign.accepts_signatures(utcnow()),
        count=tallies.confirmed_count(campaign.id),
        goal=campaign.goal,
    )
    return shared_caching.shared(response, 5)
