"""Deliveries and answers: each office's delivery and answer, recorded by the campaign's organizers."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from campaign import cache
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import tallies
from campaign.delivery import accountability, answers
from campaign.extensions import db
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp
from campaign.organizer.forms import DeliveryForm


@bp.get("/c/<slug>/answers")
def deliveries(slug: str):
    """Every office with constituents who signed, its delivery and its answer."""
    campaign = campaign_or_404(current_organizer(), slug)
    confirmed = tallies.confirmed_count(campaign.id)
    return render_template("organizer/deliveries.html", campaign=campaign, confirmed=confirmed,
                           due=accountability.delivery_due(campaign, confirmed),
                           rows=accountability.rows(campaign, today=utcnow().date()))


def _office_or_404(campaign, office_key: str) -> answers.Office:
    office = answers.office_of(campaign, office_key)
    if office is None or (office.key not in accountability.office_keys(campaign)
                          and answers.record_of(campaign.id, office.key) is None):
        abort(404)  # no such office, or no constituent of theirs signed
    return office


def _filled(campaign, office: answers.Office) -> DeliveryForm:
    """The form as the office's record stands (empty, today's date, when none)."""
    record = answers.record_of(campaign.id, office.key)
    if record is None:
        return DeliveryForm(formdata=None, delivered_on=None)
    return DeliveryForm(
        formdata=None, delivered_on=record.delivered_on, method=record.method,
        with_packet=record.packet_sha256 is not None, answer_status=record.answer_status or "",
        answered_on=record.answered_on, answer_quote=record.answer_quote,
        answer_url=record.answer_url)


def _page(campaign, office: answers.Office, form: DeliveryForm, status: int = 200):
    record = answers.record_of(campaign.id, office.key)
    download = (answers.last_packet_download(campaign.id, office.representative_id)
                if office.representative_id else None)
    return render_template("organizer/delivery_record.html", campaign=campaign, office=office,
                           form=form, record=record, download=download), status


@bp.route("/c/<slug>/answers/<office_key>", methods=["GET", "POST"])
def delivery_record(slug: str, office_key: str):
    """One office's delivery and answer: the form, and recording it."""
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    office = _office_or_404(campaign, office_key)
    if request.method == "GET":
        return _page(campaign, office, _filled(campaign, office))
    form = DeliveryForm()
    if not form.validate_on_submit():
        return _page(campaign, office, form, 422)
    try:
        if form.delivered_on.data is None:
            changed = answers.clear(campaign, office, organizer=organizer)
            message = _("Recorded as not delivered.") if changed else _("Nothing was recorded.")
        else:
            answers.record(campaign, office, organizer=organizer,
                           delivered_on=form.delivered_on.data, method=form.method.data,
                           with_packet=bool(form.with_packet.data), answer=form.answer(),
                           today=utcnow().date())
            message = _("Saved the delivery to %(office)s.", office=office.name)
    except answers.InvalidRecord as problem:
        db.session.rollback()
        getattr(form, problem.field).errors.append(str(problem))
        return _page(campaign, office, form, 422)
    store.touch(campaign)  # the public page and JSON show it at once
    db.session.commit()
    cache.forget(campaign.id)
    flash(message)
    return redirect(url_for(".deliveries", slug=campaign.slug), 303)
