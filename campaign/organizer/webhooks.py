"""A campaign's webhooks: register an endpoint, choose its events, and watch its deliveries."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Campaign, Webhook, WebhookEvent
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp
from campaign.webhooks import addresses, hooks, queue

EVENT_LABELS = {
    WebhookEvent.SIGNATURE_CONFIRMED: _l("A signature counts (confirmed by email, or needing no confirmation)"),
    WebhookEvent.SIGNATURE_REMOVED: _l("A signature that counted is removed (by its signer or an organizer)"),
    WebhookEvent.OUTREACH_RECORDED: _l("A visitor says they contacted a representative"),
    WebhookEvent.RSVP_CONFIRMED: _l("An RSVP to an event is confirmed"),
}
DELIVERIES_SHOWN = 50


class EventsField(SelectMultipleField):
    """Checkboxes, one per event."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _event_choices():
    return [SelectChoice(event.value, label) for event, label in EVENT_LABELS.items()]


class EventsForm(FlaskForm):
    """Which events a hook gets."""

    events = EventsField(_l("Events to send"), choices=_event_choices())


class WebhookForm(EventsForm):
    """A new hook: where to send, and which events."""

    url = StringField(_l("Endpoint address (https://…)"),
                      render_kw={"maxlength": addresses.URL_MAX, "inputmode": "url",
                                 "autocomplete": "off", "spellcheck": "false"})


class ButtonForm(FlaskForm):
    """A button that changes one hook: only its CSRF token."""


def _hook_or_404(campaign: Campaign, hook_id: int) -> Webhook:
    hook = hooks.hook_of(campaign, hook_id)
    if hook is None:
        abort(404)
    return hook


def _list_page(campaign: Campaign, form: WebhookForm, status: int = 200):
    found = hooks.hooks_of(campaign)
    latest = hooks.recent_deliveries([hook.id for hook in found], per_hook=1)
    return render_template("organizer/webhooks/list.html", campaign=campaign, form=form,
                           hooks=found, latest=latest, labels=EVENT_LABELS), status


@bp.get("/c/<slug>/webhooks")
def webhooks(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    form = WebhookForm(formdata=None, events=[WebhookEvent.SIGNATURE_CONFIRMED.value])
    return _list_page(campaign, form)


@bp.post("/c/<slug>/webhooks")
def create_webhook(slug: str):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    form = WebhookForm()
    if not form.validate_on_submit():
        return _list_page(campaign, form, 422)
    try:
        hook = hooks.create(campaign, form.url.data or "", form.events.data or [],
                            organizer=organizer, now=utcnow())
    except hooks.InvalidHook as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(str(error))
        return _list_page(campaign, form, 422)
    db.session.commit()
    flash(_("Webhook added. Give its secret, below, to your receiver: it signs every delivery."))
    return redirect(url_for(".webhook", slug=slug, hook_id=hook.id), 303)


def _hook_page(campaign: Campaign, hook: Webhook, *, events_form: EventsForm | None = None,
               problem: str = "", status: int = 200):
    deliveries = hooks.recent_deliveries([hook.id], per_hook=DELIVERIES_SHOWN)[hook.id]
    return render_template(
        "organizer/webhooks/hook.html", campaign=campaign, hook=hook, deliveries=deliveries,
        events_form=events_form or EventsForm(formdata=None, events=list(hook.events or [])),
        button=ButtonForm(), labels=EVENT_LABELS, problem=problem,
        shown=DELIVERIES_SHOWN), status


@bp.get("/c/<slug>/webhooks/<int:hook_id>")
def webhook(slug: str, hook_id: int):
    campaign = campaign_or_404(current_organizer(), slug)
    return _hook_page(campaign, _hook_or_404(campaign, hook_id))


@bp.post("/c/<slug>/webhooks/<int:hook_id>/events")
def webhook_events(slug: str, hook_id: int):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    hook = _hook_or_404(campaign, hook_id)
    form = EventsForm()
    if not form.validate_on_submit():
        return _hook_page(campaign, hook, events_form=form, status=422)
    try:
        hooks.set_events(campaign, hook, form.events.data or [], organizer=organizer)
    except hooks.InvalidHook as error:
        db.session.rollback()
        form.events.errors.append(str(error))
        return _hook_page(campaign, hook, events_form=form, status=422)
    db.session.commit()
    flash(_("Events saved."))
    return redirect(url_for(".webhook", slug=slug, hook_id=hook_id), 303)


def _button(slug: str, hook_id: int) -> tuple[Campaign, Webhook]:
    """The campaign and hook of a button's POST, its CSRF token checked (400 otherwise)."""
    campaign = campaign_or_404(current_organizer(), slug)
    hook = _hook_or_404(campaign, hook_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return campaign, hook


@bp.post("/c/<slug>/webhooks/<int:hook_id>/rotate")
def rotate_webhook_secret(slug: str, hook_id: int):
    campaign, hook = _button(slug, hook_id)
    hooks.rotate_secret(campaign, hook, organizer=current_organizer())
    db.session.commit()
    flash(_("New secret made: deliveries are signed with it from now on. "
            "Give it to your receiver."))
    return redirect(url_for(".webhook", slug=slug, hook_id=hook_id), 303)


@bp.post("/c/<slug>/webhooks/<int:hook_id>/pause")
def pause_webhook(slug: str, hook_id: int):
    campaign, hook = _button(slug, hook_id)
    hooks.pause(campaign, hook, organizer=current_organizer())
    db.session.commit()
    flash(_("Webhook paused: no new deliveries are queued, and queued ones wait."))
    return redirect(url_for(".webhook", slug=slug, hook_id=hook_id), 303)


@bp.post("/c/<slug>/webhooks/<int:hook_id>/resume")
def resume_webhook(slug: str, hook_id: int):
    campaign, hook = _button(slug, hook_id)
    try:
        hooks.resume(campaign, hook, organizer=current_organizer(), now=utcnow())
    except hooks.InvalidHook as error:
        db.session.rollback()
        return _hook_page(campaign, hook, problem=str(error), status=422)
    db.session.commit()
    flash(_("Webhook resumed."))
    return redirect(url_for(".webhook", slug=slug, hook_id=hook_id), 303)


@bp.post("/c/<slug>/webhooks/<int:hook_id>/ping")
def ping_webhook(slug: str, hook_id: int):
    campaign, hook = _button(slug, hook_id)
    if not hook.active:
        return _hook_page(campaign, hook, status=409,
                          problem=_("Resume the webhook first: a paused one sends nothing."))
    queue.ping(hook, now=utcnow())
    db.session.commit()
    flash(_("Test delivery queued: it appears below once sent."))
    return redirect(url_for(".webhook", slug=slug, hook_id=hook_id), 303)


@bp.post("/c/<slug>/webhooks/<int:hook_id>/delete")
def delete_webhook(slug: str, hook_id: int):
    campaign, hook = _button(slug, hook_id)
    hooks.delete(campaign, hook, organizer=current_organizer())
    db.session.commit()
    flash(_("Webhook deleted."))
    return redirect(url_for(".webhooks", slug=slug), 303)
