"""Blueprint "events": a campaign's events as a visitor finds and attends them: the list
(nearest first to a postcode), an event's page and RSVP form, the links that confirm or cancel
an RSVP, and the calendar files (one event, and the feed of them all)."""
from __future__ import annotations

import dataclasses

from babel.numbers import format_decimal
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from campaign import database
from campaign.abuse import network, rate_limits
from campaign.campaigns import store as campaign_store
from campaign.clock import utcnow
from campaign.events import calendar_files, finding, rsvp_links, rsvps, times
from campaign.events import store as event_store
from campaign.extensions import db
from campaign.models import Campaign, Event, EventStatus, Rsvp, RsvpStatus
from campaign.ops import shared_caching
from campaign.public import page_language
from campaign.public.event_forms import RsvpButtonForm, RsvpForm
from campaign.public.forms import LookupForm

bp = Blueprint("events", __name__)


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaign_store.get_public_recent(slug)
    if campaign is None:
        abort(404)
    page_language.note_language(campaign)
    return campaign


def _event_or_404(campaign: Campaign, event_uuid: str) -> Event:
    event = event_store.get_public(campaign.id, event_uuid)
    if event is None:
        abort(404)
    return event


def _shared(response):
    return shared_caching.shared(response, current_app.config["PAGE_CACHE_SECONDS"], browser_seconds=0)


@dataclasses.dataclass(frozen=True)
class Shown:
    """An event ready for a template: its time in its own zone, its place, its seats."""

    event: Event
    when: str
    where: str
    url: str
    going: int
    waiting: int
    seats_left: int | None
    miles: float | None = None
    near: bool = False

    @property
    def distance(self) -> str:
        """The distance as the page writes it: "3.2" under 10 miles, "27" beyond; "" unknown."""
        if self.miles is None:
            return ""
        return format_decimal(round(self.miles, 1) if self.miles < 10 else round(self.miles),
                              locale=page_language.interface_language())


def _shown(campaign: Campaign, events: list[finding.Listed], counts: dict) -> list[Shown]:
    rows = []
    for listed in events:
        event = listed.event
        going, waiting = counts.get(event.id, (0, 0))
        rows.append(Shown(
            event=event, when=times.when(event.starts_at, event.ends_at, event.timezone),
            where=finding.address_line(event),
            url=url_for(".event", slug=campaign.slug, event_uuid=event.uuid),
            going=going, waiting=waiting,
            seats_left=None if event.capacity is None else max(0, event.capacity - going),
            miles=listed.miles, near=listed.near))
    return rows


@bp.get("/c/<slug>/events")
def listing(slug: str):
    """Upcoming events, nearest first to the postcode asked for (else by date); online apart."""
    campaign = _campaign_or_404(slug)
    asked = bool(request.args.get("postcode", "").strip())
    form = LookupForm(request.args if asked else None, default_country=campaign.default_country)
    status, country, postcode = 200, "", ""
    if asked:
        if form.validate():
            country, postcode = form.clean_country, form.clean_postcode
        else:
            status = 422
    events = event_store.upcoming(campaign.id, now=utcnow())
    found = finding.listing(events, country=country, postcode=postcode)
    counts = event_store.counts([event.id for event in events])
    page = render_template(
        "public/events/list.html", campaign=page_language.shown(campaign), form=form,
        in_person=_shown(campaign, found.in_person, counts), online=_shown(campaign, found.online, counts),
        sorted_by=found.sorted_by, unknown=found.unknown, postcode=postcode, asked=asked)
    response = current_app.make_response((page, status))
    return _shared(response) if status == 200 else response


def _rsvp_form(event: Event, **kwargs) -> RsvpForm:
    return RsvpForm(country="" if event.online_url else event.country,
                    check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"], **kwargs)


def _render_event(campaign: Campaign, event: Event, form: RsvpForm | None, status: int = 200,
                  notice: str = ""):
    counts = event_store.counts([event.id])
    shown = _shown(campaign, [finding.Listed(event)], counts)[0]
    open_now = rsvps.takes_rsvps(event, utcnow())
    full = shown.seats_left is not None and (shown.seats_left == 0 or shown.waiting > 0)
    page = render_template(
        "public/events/event.html", campaign=page_language.shown(campaign), item=shown,
        form=form if open_now else None, open_now=open_now, full=full,
        cancelled=event.status == EventStatus.CANCELLED, notice=notice,
        postcode_word=_postcode_word(event))
    return page, status


def _postcode_word(event: Event) -> str:
    return "ZIP" if not event.online_url and event.country == "US" else "postcode"


@bp.get("/c/<slug>/events/<event_uuid>")
def event(slug: str, event_uuid: str):
    campaign = _campaign_or_404(slug)
    event = _event_or_404(campaign, event_uuid)
    # Private: the form carries this visitor's session token.
    return _render_event(campaign, event, _rsvp_form(event))


@bp.post("/c/<slug>/events/<event_uuid>/rsvp")
@rate_limits.rsvp_limit
def rsvp(slug: str, event_uuid: str):
    database.read_first()  # check the form without holding SQLite's write lock
    campaign = _campaign_or_404(slug)
    event = _event_or_404(campaign, event_uuid)
    now = utcnow()
    if not rsvps.takes_rsvps(event, now):
        return _closed(campaign, event)
    form = _rsvp_form(event)
    if not form.validate_on_submit():
        return _render_event(campaign, event, form, 422)
    secret = current_app.config["SECRET_KEY"]
    details = dataclasses.replace(
        form.details, language=page_language.interface_language(),
        ip_hash=network.ip_hashes(secret, request.remote_addr)[0],
        ip_address=request.remote_addr or "")
    database.start_writing()
    try:
        rsvps.rsvp(campaign, event, details, now=now)
    except rsvps.EventClosed:
        db.session.rollback()
        return _closed(campaign, event)
    db.session.commit()
    return redirect(url_for(".rsvped", slug=slug, event_uuid=event_uuid), 303)


def _closed(campaign: Campaign, event: Event):
    """410 for a cancelled event, 409 for one that is over: no RSVP is taken."""
    if event.status == EventStatus.CANCELLED:
        return _render_event(campaign, event, None, 410)
    return _render_event(campaign, event, None, 409)


@bp.get("/c/<slug>/events/<event_uuid>/rsvp")
def rsvp_page(slug: str, event_uuid: str):
    # The form posts here: a reload or a shared address lands on GET. Show the form.
    return redirect(url_for(".event", slug=slug, event_uuid=event_uuid, _anchor="rsvp"), 303)


@bp.get("/c/<slug>/events/<event_uuid>/rsvped")
def rsvped(slug: str, event_uuid: str):
    # The same page whether the address was new or had answered before: it reveals nothing.
    campaign = _campaign_or_404(slug)
    event = _event_or_404(campaign, event_uuid)
    return render_template("public/events/rsvped.html", campaign=page_language.shown(campaign),
                           event=event, event_url=url_for(".event", slug=slug, event_uuid=event_uuid))


def _attendee_or_problem(purpose: str, campaign: Campaign, event: Event, token: str):
    """(the RSVP a link names, None), or (None, the problem page and its status)."""
    try:
        return rsvp_links.verified(purpose, event, token, now=utcnow()), None
    except rsvp_links.LinkInvalid:
        return None, _link_problem(campaign, event, expired=False, status=404)
    except rsvp_links.LinkExpired:
        return None, _link_problem(campaign, event, expired=True, status=410)


def _link_problem(campaign: Campaign, event: Event, *, expired: bool, status: int):
    page = render_template("public/events/link_problem.html", campaign=page_language.shown(campaign),
                           event=event, expired=expired,
                           event_url=url_for(".event", slug=campaign.slug, event_uuid=event.uuid))
    return _no_referrer(page, status)


def _no_referrer(page: str, status: int = 200):
    response = current_app.make_response((page, status))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _answer(action: str, campaign: Campaign, event: Event, attendee: Rsvp, status: int = 200,
            form: RsvpButtonForm | None = None):
    page = render_template(
        "public/events/answer.html", campaign=page_language.shown(campaign), event=event,
        action=action, attendee=attendee, form=form,
        when=times.when(event.starts_at, event.ends_at, event.timezone),
        cancelled=event.status == EventStatus.CANCELLED,
        event_url=url_for(".event", slug=campaign.slug, event_uuid=event.uuid),
        calendar_url=url_for(".event_calendar", slug=campaign.slug, event_uuid=event.uuid))
    return _no_referrer(page, status)


@bp.route("/c/<slug>/events/<event_uuid>/confirm/<token>", methods=["GET", "POST"])
@rate_limits.confirm_limit
def confirm(slug: str, event_uuid: str, token: str):
    """The link of an RSVP's first email: a button (mail scanners follow links), then seats
    or the waiting list."""
    campaign = _campaign_or_404(slug)
    event = _event_or_404(campaign, event_uuid)
    attendee, problem = _attendee_or_problem(rsvp_links.CONFIRM, campaign, event, token)
    if problem is not None:
        return problem
    now = utcnow()
    if attendee.status != RsvpStatus.PENDING:
        return _answer("confirm", campaign, event, attendee)  # says where they stand
    if not rsvps.takes_rsvps(event, now):
        return _answer("confirm", campaign, event, attendee,
                       410 if event.status == EventStatus.CANCELLED else 409)
    form = RsvpButtonForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _answer("confirm", campaign, event, attendee, form=form)
    try:
        rsvps.confirm(event, attendee, now=now)
    except rsvps.EventClosed:
        db.session.rollback()
        return redirect(request.path, 303)
    db.session.commit()
    return redirect(request.path, 303)


@bp.route("/c/<slug>/events/<event_uuid>/cancel/<token>", methods=["GET", "POST"])
@rate_limits.confirm_limit
def cancel(slug: str, event_uuid: str, token: str):
    """The cancel link of every attendee email: a button, then the RSVP withdrawn."""
    campaign = _campaign_or_404(slug)
    event = _event_or_404(campaign, event_uuid)
    attendee, problem = _attendee_or_problem(rsvp_links.CANCEL, campaign, event, token)
    if problem is not None:
        return problem
    if attendee.status == RsvpStatus.CANCELLED:
        return _answer("cancel", campaign, event, attendee)
    form = RsvpButtonForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _answer("cancel", campaign, event, attendee, form=form)
    rsvps.cancel(event, attendee, now=utcnow())
    db.session.commit()
    return redirect(request.path, 303)


def _calendar_response(text: str, filename: str):
    response = current_app.make_response(text)
    response.mimetype = calendar_files.CONTENT_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _shared(response)


@bp.get("/c/<slug>/events.ics")
def feed(slug: str):
    """The campaign's upcoming published events as an iCalendar feed to subscribe to."""
    campaign = _campaign_or_404(slug)
    events = event_store.upcoming(campaign.id, now=utcnow())
    text = calendar_files.feed(events, campaign.slug, campaign.title, now=utcnow())
    return _calendar_response(text, f"{campaign.slug}-events.ics")


@bp.get("/c/<slug>/events/<event_uuid>/calendar.ics")
def event_calendar(slug: str, event_uuid: str):
    """One event's calendar file (without an online event's link: that goes to attendees)."""
    campaign = _campaign_or_404(slug)
    event = _event_or_404(campaign, event_uuid)
    return _calendar_response(calendar_files.event_file(event, campaign.slug, now=utcnow()), "event.ics")
