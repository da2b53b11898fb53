"""Blueprint "public": the pages a visitor sees, and signing."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for

from . import campaigns, confirmations, signatures, tallies
from .clock import utcnow
from .extensions import db
from .forms import ConfirmForm, ResendForm, SignForm
from .models import Campaign, SignatureStatus

bp = Blueprint("public", __name__)


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaigns.get_public(slug)
    if campaign is None:
        abort(404)
    return campaign


def _sign_form(campaign: Campaign, **kwargs) -> SignForm:
    return SignForm(
        default_country=campaign.default_country,
        check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"],
        **kwargs,
    )


def _render_campaign(campaign: Campaign, form: SignForm | None, status: int = 200, notice: str = ""):
    count = tallies.confirmed_count(campaign.id)
    return render_template(
        "public/campaign.html",
        campaign=campaign,
        form=form if campaign.accepts_signatures(utcnow()) else None,
        count=count,
        percent=tallies.progress_percent(count, campaign.goal),
        signers=signatures.latest_public(campaign.id),
        notice=notice,
    ), status


@bp.get("/")
def index():
    open_campaigns = campaigns.list_open(utcnow())
    counts = tallies.confirmed_counts([c.id for c in open_campaigns])
    return render_template("public/index.html", campaigns=open_campaigns, counts=counts)


@bp.get("/c/<slug>")
def campaign(slug: str):
    campaign = _campaign_or_404(slug)
    return _render_campaign(campaign, _sign_form(campaign, ref=request.args.get("ref", "")))


@bp.post("/c/<slug>/sign")
def sign(slug: str):
    campaign = _campaign_or_404(slug)
    if not campaign.accepts_signatures(utcnow()):
        return _render_campaign(campaign, None, 409, "This petition has closed: it no longer takes signatures.")
    form = _sign_form(campaign)
    if not form.validate_on_submit():
        return _render_campaign(campaign, form, 422)
    try:
        signatures.sign(campaign, form.details, now=utcnow())
    except signatures.CampaignClosed:
        db.session.rollback()
        return _render_campaign(campaign, None, 409, "This petition has closed: it no longer takes signatures.")
    db.session.commit()
    tallies.forget(campaign.id)
    return redirect(url_for(".signed", slug=slug), 303)


@bp.get("/c/<slug>/sign")
def sign_page(slug: str):
    # The form posts here, so a reload or a shared address lands on GET: show the form.
    _campaign_or_404(slug)
    return redirect(url_for(".campaign", slug=slug, _anchor="sign"), 303)


@bp.get("/c/<slug>/signed")
def signed(slug: str):
    # The same page whether the address was new, pending or confirmed: it reveals nothing.
    return render_template("public/signed.html", campaign=_campaign_or_404(slug))


@bp.route("/c/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str):
    campaign = _campaign_or_404(slug)
    now = utcnow()
    try:
        signature = confirmations.find(campaign, token, now=now)
    except confirmations.TokenInvalid:
        return _token_problem(campaign, 404, expired=False)
    except confirmations.TokenExpired:
        return _token_problem(campaign, 410, expired=True)
    if signature.status == SignatureStatus.INVALIDATED:
        return _no_referrer(render_template("public/closed.html", campaign=campaign, invalidated=True)), 409
    if signature.status == SignatureStatus.PENDING and not campaign.accepts_signatures(now):
        return _no_referrer(render_template("public/closed.html", campaign=campaign)), 409
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        # Mail scanners follow links: only the button's POST confirms.
        return _no_referrer(render_template("public/confirm.html", campaign=campaign, form=form))
    signatures.confirm(signature, now=now)
    db.session.commit()
    tallies.forget(campaign.id)  # after the commit, or a reader could cache the old count again
    return redirect(url_for(".confirmed", slug=slug), 303)


def _token_problem(campaign: Campaign, status: int, *, expired: bool):
    page = render_template("public/token_problem.html", campaign=campaign, expired=expired, form=ResendForm())
    return _no_referrer(page), status


def _no_referrer(page):
    response = current_app.make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/c/<slug>/confirmed")
def confirmed(slug: str):
    campaign = _campaign_or_404(slug)
    count = tallies.confirmed_count(campaign.id)
    return render_template("public/confirmed.html", campaign=campaign, count=count,
                           percent=tallies.progress_percent(count, campaign.goal))


@bp.route("/c/<slug>/resend", methods=["GET", "POST"])
def resend(slug: str):
    campaign = _campaign_or_404(slug)
    form = ResendForm()
    if request.method == "GET":
        return render_template("public/resend.html", campaign=campaign, form=form, sent=False)
    if not form.validate_on_submit():
        return render_template("public/resend.html", campaign=campaign, form=form, sent=False), 422
    signatures.resend_confirmation(campaign, form.clean_email, now=utcnow())
    db.session.commit()
    # Same answer whatever the address: the page must not reveal who signed.
    return render_template("public/resend.html", campaign=campaign, form=form, sent=True)


@bp.get("/c/<slug>/count.json")
def count_json(slug: str):
    campaign = _campaign_or_404(slug)
    response = jsonify(
        slug=campaign.slug,
        title=campaign.title,
        status=campaign.status,
        accepting_signatures=campaign.accepts_signatures(utcnow()),
        count=tallies.confirmed_count(campaign.id),
        goal=campaign.goal,
    )
    response.headers["Cache-Control"] = "public, max-age=5"
    return response
