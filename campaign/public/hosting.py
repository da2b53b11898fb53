"""Blueprint "hosting": a visitor's offer to host an event, its confirmation, and the host's page.

The offer form and the host's page are each a visitor's own (never cached, a session's CSRF
token in each form); the offer is limited as signing is (rate_limits.sign_limit), its
confirmation as a signature's.
"""
from __future__ import annotations

import dataclasses

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField

from campaign.abuse import network, rate_limits
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.events import event_input, host_links, host_messages, hosting, times
from campaign.events.event_input import EventInput, InvalidEvent
from campaign.extensions import db
from campaign.models import ActionKind, Campaign, Event, EventStatus
from campaign.places import countries
from campaign.signing import signer_input
from campaign.signing.signer_input import InvalidInput

bp = Blueprint("hosting", __name__)

DURATIONS = [SelectChoice("60", _l("1 hour")), SelectChoice("90", _l("1½ hours")),
             SelectChoice("120", _l("2 hours")), SelectChoice("180", _l("3 hours")),
             SelectChoice("240", _l("4 hours"))]


class OfferForm(FlaskForm):
    """What, when, where, how many, and who: shape only; the rules are event_input's."""

    title = StringField(_l("What will you hold?"), render_kw={"maxlength": event_input.TITLE_MAX})
    description = TextAreaField(_l("A few words about it (optional)"),
                                render_kw={"rows": 4, "maxlength": event_input.DESCRIPTION_MAX})
    date = StringField(_l("Date"), render_kw={"type": "date"})
    start_time = StringField(_l("Start time"), render_kw={"type": "time"})
    duration_minutes = SelectField(_l("How long"), choices=DURATIONS, default="90",
                                   validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    venue_name = StringField(_l("Place (a library, a café, your home...)"),
                             render_kw={"maxlength": event_input.VENUE_MAX})
    address = StringField(_l("Street address"), render_kw={"maxlength": event_input.ADDRESS_MAX,
                                                          "autocomplete": "street-address"})
    town = StringField(_l("Town or city"), render_kw={"maxlength": event_input.TOWN_MAX})
    postcode = StringField(_l("ZIP code or postcode"),
                           render_kw={"maxlength": 16, "autocomplete": "postal-code"})
    country = SelectField(_l("Country"), validate_choice=False, render_kw={"autocomplete": "country"})
    online_url = StringField(_l("Or a link, for an online meeting"),
                             render_kw={"maxlength": event_input.URL_MAX, "type": "url",
                                        "placeholder": "https://"})
    capacity = StringField(_l("How many people can come (guests included; empty: no limit)"),
                           render_kw={"inputmode": "numeric", "maxlength": 7})
    host_name = StringField(_l("Your name"), render_kw={"maxlength": 255, "autocomplete": "name"})
    host_email = EmailField(_l("Your email"), render_kw={"maxlength": 320, "autocomplete": "email"})

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.country.choices = [SelectChoice(code, name) for code, name in countries.names().items()]
        self.timezone.choices = [SelectChoice(z) for z in event_input.zone_choices(campaign.default_country)]
        if not self.country.raw_data:
            self.country.data = campaign.default_country
        if not self.timezone.raw_data:
            self.timezone.data = event_input.default_zone(campaign.default_country)
        self.offer: hosting.HostOffer | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        raw = EventInput(**{name: self[name].data or "" for name in (
            "title", "description", "date", "start_time", "duration_minutes", "timezone",
            "venue_name", "address", "town", "postcode", "online_url", "capacity")},
            country=self.country.data if self.country.raw_data else None)
        fields = None
        try:
            fields = event_input.check(raw, default_country=self.campaign.default_country, now=utcnow())
        except InvalidEvent as problems:
            for name, message in problems.errors.items():
                target = self._fields.get(name, self.duration_minutes)
                target.errors = [*target.errors, message]
        name = self._clean(self.host_name, signer_input.clean_name)
        email = self._clean(self.host_email, signer_input.clean_email,
                            check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"])
        if self.errors or fields is None:
            return False
        self.offer = hosting.HostOffer(host_name=name, host_email=email, fields=fields,
                                       action_id=_host_action_id(self.campaign))
        return True

    @staticmethod
    def _clean(field, clean, **kwargs) -> str:
        try:
            return clean(field.data, **kwargs)
        except InvalidInput as error:
            field.errors = [*field.errors, str(error)]
            return ""


class ButtonForm(FlaskForm):
    """Only the CSRF token: the button that confirms."""


class MessageForm(FlaskForm):
    """The host's message to the attendees who allowed it."""

    subject = StringField(_l("Subject"), render_kw={"maxlength": host_messages.SUBJECT_MAX})
    body = TextAreaField(_l("Message (plain text)"),
                         render_kw={"rows": 8, "maxlength": host_messages.BODY_MAX})


def _host_action_id(campaign: Campaign) -> int | None:
    return next((a.id for a in campaign.actions if a.kind == ActionKind.HOST), None)


def _campaign_or_404(slug: str) -> Campaign:
    campaign = store.get_public(slug)
    if campaign is None:
        abort(404)
    return campaign


def _private(page, status: int = 200):
    """A page of one visitor's own: never stored by a cache, never sent as a referrer."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _offer_page(campaign: Campaign, form: OfferForm | None, status: int = 200):
    return _private(render_template("public/hosting/offer.html", campaign=campaign, form=form,
                                    closed=form is None), status)


@bp.get("/c/<slug>/host")
def offer(slug: str):
    campaign = _campaign_or_404(slug)
    if not campaign.accepts_signatures(utcnow()):
        return _offer_page(campaign, None, 409)
    return _offer_page(campaign, OfferForm(formdata=None, campaign=campaign))


@bp.post("/c/<slug>/host")
@rate_limits.sign_limit
def send_offer(slug: str):
    campaign = _campaign_or_404(slug)
    now = utcnow()
    if not campaign.accepts_signatures(now):
        return _offer_page(campaign, None, 409)
    form = OfferForm(campaign=campaign)
    if not form.validate_on_submit():
        return _offer_page(campaign, form, 422)
    secret = current_app.config["SECRET_KEY"]
    ip_hash, _net = network.ip_hashes(secret, request.remote_addr)
    details = dataclasses.replace(form.offer, ip_address=request.remote_addr or "", ip_hash=ip_hash)
    hosting.offer(campaign, details, now=now)
    db.session.commit()
    # The same answer whether an offer was made, repeated or blocked.
    return redirect(url_for(".offer_sent", slug=slug), 303)


@bp.get("/c/<slug>/host/sent")
def offer_sent(slug: str):
    campaign = _campaign_or_404(slug)
    return _private(render_template("public/hosting/sent.html", campaign=campaign))


@bp.route("/c/<slug>/host/confirm/<token>", methods=["GET", "POST"])
@rate_limits.confirm_limit
def confirm(slug: str, token: str):
    campaign = _campaign_or_404(slug)
    now = utcnow()
    try:
        event = host_links.offer_to_confirm(campaign, token, now=now)
    except host_links.LinkInvalid:
        return _link_problem(campaign, 404, expired=False)
    except host_links.LinkExpired:
        return _link_problem(campaign, 410, expired=True)
    form = ButtonForm()
    handled = event.status != EventStatus.PROPOSED or event.host_confirmed_at is not None
    if handled or request.method == "GET" or not form.validate_on_submit():
        # Mail scanners follow links: only the button's POST confirms.
        return _private(render_template("public/hosting/confirm.html", campaign=campaign,
                                        event=event, form=form, done=handled, when=_when(event)))
    hosting.confirm(event, now=now)
    db.session.commit()
    return _private(render_template("public/hosting/confirm.html", campaign=campaign, event=event,
                                    form=form, done=True, just_confirmed=True, when=_when(event)))


def _when(event: Event) -> str:
    return times.when(event.starts_at, event.ends_at, event.timezone)


def _link_problem(campaign: Campaign | None, status: int, *, expired: bool):
    return _private(render_template("public/hosting/link_problem.html", campaign=campaign,
                                    expired=expired), status)


def _hosted_event(token: str) -> Event:
    try:
        return host_links.event_of_page(token, now=utcnow())
    except host_links.LinkInvalid:
        abort(_link_problem(None, 404, expired=False))
    except host_links.LinkExpired:
        abort(_link_problem(None, 410, expired=True))


def _host_page(event: Event, form: MessageForm, status: int = 200):
    now = utcnow()
    guests = hosting.guest_list(event)
    return _private(render_template(
        "public/hosting/host_page.html", event=event, campaign=event_campaign(event), form=form,
        guests=guests, going=sum(1 + g.guests for g in guests if g.status == "going"),
        waiting=sum(1 + g.guests for g in guests if g.status == "waiting"),
        writable=sum(1 for g in guests if g.email), left=host_messages.left_today(event, now=now),
        when=_when(event), expires_at=host_links.page_expires_at(event)), status)


def event_campaign(event: Event) -> Campaign:
    """The campaign of an event (any status: a closed campaign's host still sees their list)."""
    return db.session.get(Campaign, event.campaign_id)


@bp.get("/host/<token>")
def host_page(token: str):
    event = _hosted_event(token)
    return _host_page(event, MessageForm(formdata=None))


@bp.post("/host/<token>/message")
def host_message(token: str):
    event = _hosted_event(token)
    form = MessageForm()
    if not form.validate_on_submit():
        return _host_page(event, form, 400)
    try:
        sent = host_messages.send(event_campaign(event), event, form.subject.data, form.body.data,
                                  now=utcnow())
    except host_messages.InvalidMessage as error:
        form[error.field].errors = [str(error)]
        return _host_page(event, form, 422)
    except host_messages.TooManyMessages:
        db.session.rollback()
        form.body.errors = [str(_l("You have sent the most messages allowed today. Try again "
                                   "tomorrow."))]
        return _host_page(event, form, 429)
    except host_messages.NotOpen:
        db.session.rollback()
        form.body.errors = [str(_l("This event was cancelled: there is no one to write to."))]
        return _host_page(event, form, 409)
    db.session.commit()
    flash(ngettext("Your message is on its way to %(num)d attendee.",
                   "Your message is on its way to %(num)d attendees.", sent))
    return redirect(url_for(".host_page", token=token), 303)
