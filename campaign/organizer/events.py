"""A campaign's events: the list with RSVP counts, pending offers to host, create, edit,
publish, decline, cancel, and the attendee export."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, SelectField, StringField, TextAreaField

from campaign import audit
from campaign.clock import utcnow
from campaign.events import attendee_export, event_input, organizing, store, times
from campaign.events.event_input import EventInput, InvalidEvent
from campaign.extensions import db
from campaign.models import Campaign, Event, EventStatus, Organizer
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp
from campaign.organizer.downloads import attachment
from campaign.places import countries
from campaign.signing import signer_input
from campaign.signing.signer_input import InvalidInput

_TYPED = ("title", "description", "date", "start_time", "end_time", "timezone", "venue_name",
          "address", "town", "region", "postcode", "online_url", "capacity")


class EventForm(FlaskForm):
    """An event's fields and its host; shape only, the rules are event_input's."""

    title = StringField(_l("Title"), render_kw={"maxlength": event_input.TITLE_MAX})
    description = TextAreaField(_l("Description (plain text)"),
                                render_kw={"rows": 5, "maxlength": event_input.DESCRIPTION_MAX})
    date = StringField(_l("Date"), render_kw={"type": "date"})
    start_time = StringField(_l("Starts at"), render_kw={"type": "time"})
    end_time = StringField(_l("Ends at"), render_kw={"type": "time"})
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    venue_name = StringField(_l("Venue"), render_kw={"maxlength": event_input.VENUE_MAX})
    address = StringField(_l("Street address"), render_kw={"maxlength": event_input.ADDRESS_MAX})
    town = StringField(_l("Town or city"), render_kw={"maxlength": event_input.TOWN_MAX})
    region = StringField(_l("State or region"), render_kw={"maxlength": event_input.REGION_MAX})
    postcode = StringField(_l("ZIP code or postcode"), render_kw={"maxlength": 16})
    country = SelectField(_l("Country"), validate_choice=False, render_kw={"autocomplete": "country"})
    online_url = StringField(_l("Online link (https://...)"),
                             render_kw={"maxlength": event_input.URL_MAX, "type": "url"})
    capacity = StringField(_l("Capacity (people, guests included; empty: no limit)"),
                           render_kw={"inputmode": "numeric", "maxlength": 7})
    host = RadioField(_l("Host"), choices=[SelectChoice("me", _l("I host it")),
                                           SelectChoice("other", _l("Someone else hosts it"))],
                      default="me")
    host_name = StringField(_l("Host's name"), render_kw={"maxlength": 255})
    host_email = EmailField(_l("Host's email (gets the private host page)"),
                            render_kw={"maxlength": 320})

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.country.choices = [SelectChoice(code, name) for code, name in countries.names().items()]
        self.timezone.choices = [SelectChoice(z) for z in event_input.zone_choices(campaign.default_country)]
        if not self.country.data:
            self.country.data = campaign.default_country
        if not self.timezone.data:
            self.timezone.data = event_input.default_zone(campaign.default_country)
        self.fields: event_input.EventFields | None = None
        self.host_details = ("", "")

    def check(self, organizer: Organizer, *, unchanged_start=None) -> bool:
        """Run the shape checks and event_input's rules; fills fields and host_details."""
        self.validate()
        raw = EventInput(**{name: self[name].data or "" for name in _TYPED},
                         country=self.country.data if self.country.raw_data else None)
        try:
            self.fields = event_input.check(raw, default_country=self.campaign.default_country,
                                            now=utcnow(), unchanged_start=unchanged_start)
        except InvalidEvent as problems:
            for name, message in problems.errors.items():
                target = self._fields.get(name, self.end_time)
                target.errors = [*target.errors, message]
        self.host_details = self._host(organizer)
        return not self.errors and self.fields is not None

    def _host(self, organizer: Organizer) -> tuple[str, str]:
        name = self.host_name.data or ""
        if self.host.data != "other":
            return (_clean(self.host_name, signer_input.clean_name) if name.strip()
                    else organizer.email.partition("@")[0]), organizer.email
        return (_clean(self.host_name, signer_input.clean_name),
                _clean(self.host_email, signer_input.clean_email))


class ButtonForm(FlaskForm):
    """Only the CSRF token: publish, decline, cancel."""


def _clean(field, clean) -> str:
    try:
        return clean(field.data)
    except InvalidInput as error:
        field.errors = [*field.errors, str(error)]
        return ""


def _event_or_404(campaign: Campaign, event_id: int) -> Event:
    event = organizing.get(campaign, event_id)
    if event is None or event.status == EventStatus.DECLINED:
        abort(404)
    return event


def _form_of(event: Event, campaign: Campaign, organizer: Organizer) -> EventForm:
    start = times.local(event.starts_at, event.timezone)
    end = times.local(event.ends_at, event.timezone)
    mine = event.host_email == organizer.email
    return EventForm(formdata=None, campaign=campaign, title=event.title,
                     description=event.description, date=start.strftime("%Y-%m-%d"),
                     start_time=start.strftime("%H:%M"), end_time=end.strftime("%H:%M"),
                     timezone=event.timezone, venue_name=event.venue_name, address=event.address,
                     town=event.town, region=event.region, postcode=event.postcode,
                     country=event.country, online_url=event.online_url,
                     capacity=str(event.capacity or ""), host="me" if mine else "other",
                     host_name=event.host_name, host_email="" if mine else event.host_email)


def when(event: Event) -> str:
    """The event's time in its own zone, with the zone named."""
    return times.when(event.starts_at, event.ends_at, event.timezone)


@bp.get("/c/<slug>/events")
def events(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    listed, offers = organizing.rows(campaign)
    return render_template("organizer/events/list.html", campaign=campaign, rows=listed,
                           offers=offers, when=when, button=ButtonForm(), now=utcnow())


@bp.get("/c/<slug>/events/new")
def new_event(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    return render_template("organizer/events/form.html", campaign=campaign,
                           form=EventForm(formdata=None, campaign=campaign), event=None)


@bp.post("/c/<slug>/events/new")
def create_event(slug: str):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    form = EventForm(campaign=campaign)
    if not form.check(organizer):
        status = 422
        return render_template("organizer/events/form.html", campaign=campaign, form=form,
                               event=None), status
    name, email = form.host_details
    event = organizing.create(campaign, form.fields, organizer=organizer, host_name=name,
                              host_email=email, now=utcnow())
    db.session.commit()
    flash(_("Event saved. Publish it when it is ready."))
    return redirect(url_for(".event", slug=slug, event_id=event.id), 303)


# One rule for GET and POST (and below for cancel): with two, an id too large for the
# database would be a 405 rather than a 404.
@bp.route("/c/<slug>/events/<int:event_id>", methods=["GET", "POST"])
def event(slug: str, event_id: int):
    """The event's page and edit form; POST saves the edit."""
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    found = _event_or_404(campaign, event_id)
    if request.method == "POST":
        return _edit(campaign, found, organizer)
    return _event_page(campaign, found, _form_of(found, campaign, organizer))


def _event_page(campaign: Campaign, found: Event, form: EventForm, status: int = 200):
    going, waiting = store.counts([found.id])[found.id]
    return render_template("organizer/events/form.html", campaign=campaign, form=form, event=found,
                           when=when(found), going=going, waiting=waiting, button=ButtonForm(),
                           offer=organizing.is_offer(found)), status


def _edit(campaign: Campaign, found: Event, organizer: Organizer):
    slug = campaign.slug
    form = EventForm(campaign=campaign)
    if found.status == EventStatus.CANCELLED:
        flash(_("A cancelled event cannot be changed."))
        return _event_page(campaign, found, form, 409)
    if not form.check(organizer, unchanged_start=found.starts_at):
        return _event_page(campaign, found, form, 422)
    name, email = form.host_details
    told = organizing.edit(campaign, found, form.fields, organizer=organizer, host_name=name,
                           host_email=email, now=utcnow())
    db.session.commit()
    flash(_("Saved; the attendees were told of the new time or place.") if told else _("Saved."))
    return redirect(url_for(".event", slug=slug, event_id=found.id), 303)


def _button_post(slug: str, event_id: int) -> tuple[Organizer, Campaign, Event]:
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    found = _event_or_404(campaign, event_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return organizer, campaign, found


@bp.post("/c/<slug>/events/<int:event_id>/publish")
def publish_event(slug: str, event_id: int):
    organizer, campaign, found = _button_post(slug, event_id)
    try:
        organizing.publish(campaign, found, organizer=organizer, now=utcnow())
    except organizing.WrongStatus:
        flash(_("Only an event not yet published can be published."))
        return redirect(url_for(".events", slug=slug), 303)
    db.session.commit()
    flash(_("Published: %(title)s is on the campaign's events page.", title=found.title))
    return redirect(url_for(".events", slug=slug), 303)


@bp.post("/c/<slug>/events/<int:event_id>/decline")
def decline_event(slug: str, event_id: int):
    organizer, campaign, found = _button_post(slug, event_id)
    try:
        organizing.decline(campaign, found, organizer=organizer, now=utcnow())
    except organizing.WrongStatus:
        flash(_("Only an offer to host can be declined."))
        return redirect(url_for(".events", slug=slug), 303)
    db.session.commit()
    flash(_("Declined; the person who offered was told, kindly."))
    return redirect(url_for(".events", slug=slug), 303)


@bp.route("/c/<slug>/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(slug: str, event_id: int):
    """The step that asks before cancelling; POST cancels."""
    if request.method == "POST":
        return _cancel(slug, event_id)
    campaign = campaign_or_404(current_organizer(), slug)
    found = _event_or_404(campaign, event_id)
    if found.status != EventStatus.PUBLISHED:
        return redirect(url_for(".event", slug=slug, event_id=found.id), 303)
    going, waiting = store.counts([found.id])[found.id]
    return render_template("organizer/events/cancel.html", campaign=campaign, event=found,
                           when=when(found), going=going, waiting=waiting, button=ButtonForm())


def _cancel(slug: str, event_id: int):
    organizer, campaign, found = _button_post(slug, event_id)
    try:
        told = organizing.cancel(campaign, found, organizer=organizer, now=utcnow())
    except organizing.WrongStatus:
        flash(_("Only a published event can be cancelled."))
        return redirect(url_for(".events", slug=slug), 303)
    db.session.commit()
    flash(ngettext("Cancelled; %(num)d attendee was told.", "Cancelled; %(num)d attendees were told.",
                   told))
    return redirect(url_for(".events", slug=slug), 303)


@bp.get("/c/<slug>/events/<int:event_id>/attendees.csv")
def attendees_csv(slug: str, event_id: int):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    found = _event_or_404(campaign, event_id)
    filename = f"{campaign.slug}-event-{found.id}-attendees-{utcnow():%Y%m%d}.csv"
    try:
        text = attendee_export.csv_text(found, organizer_id=organizer.id)
    except audit.AuditUnavailable:
        abort(503)
    return attachment(text, "text/csv; charset=utf-8", filename)
