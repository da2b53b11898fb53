"""Updates to a campaign's signers: write, preview, test, choose who gets it, and send."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Campaign, Update, UpdateStatus
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp
from campaign.updates import segments, sending
from campaign.updates import store as update_store


class UpdateForm(FlaskForm):
    """An update's title (the email's subject) and text (Markdown)."""

    title = StringField(_l("Title (the email's subject)"), render_kw={"maxlength": update_store.TITLE_MAX})
    body = TextAreaField(_l("Text (Markdown)"), render_kw={"rows": 12, "maxlength": update_store.BODY_MAX})


class SegmentForm(FlaskForm):
    """Which opted-in signers; read from the query string or the send form, no CSRF of its own."""

    class Meta:
        csrf = False

    country = SelectField(_l("Country"), default="")
    region = SelectField(_l("US state or region"), default="")
    district = SelectField(_l("District"), default="")
    representative_id = SelectField(_l("Representative's constituents"), default="")
    signed_from = DateField(_l("Signed on or after (UTC)"), validators=[Optional()])
    signed_before = DateField(_l("Signed before (UTC)"), validators=[Optional()])

    def offer(self, choices: dict[str, list]) -> SegmentForm:
        """Fill the lists with what the campaign's opted-in signers have."""
        anything = [SelectChoice("", _("Any"))]
        self.country.choices = anything + [SelectChoice(c) for c in choices["countries"]]
        self.region.choices = anything + [SelectChoice(r) for r in choices["regions"]]
        self.district.choices = anything + [SelectChoice(d) for d in choices["districts"]]
        self.representative_id.choices = anything + [
            SelectChoice(str(rep_id), label) for rep_id, label in choices["representatives"]]
        return self

    def to_segment(self) -> segments.Segment:
        rep = self.representative_id.data
        return segments.Segment(
            country=self.country.data or "", region=self.region.data or "",
            district=self.district.data or "", representative_id=int(rep) if rep else None,
            signed_from=self.signed_from.data, signed_before=self.signed_before.data)

    def values(self) -> dict[str, str]:
        """The segment's fields as sent, to carry into the send form and links."""
        return {name: request_value for name in ("country", "region", "district",
                                                 "representative_id", "signed_from", "signed_before")
                if (request_value := self[name].raw_data[0] if self[name].raw_data else "")}


class SendForm(FlaskForm):
    """The send button: the number of recipients the organizer saw."""

    expected = IntegerField(validators=[NumberRange(min=0)])


class TestForm(FlaskForm):
    """The "send me a test" button: only its CSRF token."""


def _update_or_404(campaign: Campaign, update_id: int) -> Update:
    found = update_store.get(campaign, update_id)
    if found is None:
        abort(404)
    return found


@bp.get("/c/<slug>/updates")
def updates(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    return _list_page(campaign, UpdateForm(formdata=None))


def _list_page(campaign: Campaign, form: UpdateForm, status: int = 200):
    rows = update_store.of_campaign(campaign)
    return render_template("organizer/updates.html", campaign=campaign, form=form, updates=rows,
                           progress={u.id: sending.progress(u) for u in rows
                                     if u.status == UpdateStatus.SENT}), status


@bp.post("/c/<slug>/updates")
def create_update(slug: str):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _list_page(campaign, form, 400)
    try:
        update = update_store.create(campaign, title=form.title.data or "", body=form.body.data or "",
                                     organizer=organizer, now=utcnow())
    except update_store.InvalidUpdate as error:
        form[error.field].errors = [str(error)]
        return _list_page(campaign, form, 422)
    db.session.commit()
    flash(_("Draft saved. Preview it, send yourself a test, then choose who gets it."))
    return redirect(url_for(".update_page", slug=slug, update_id=update.id), 303)


def _update_page(campaign: Campaign, update: Update, *, form: UpdateForm | None = None,
                 segment: SegmentForm | None = None, status: int = 200, matching: int | None = None):
    choices = segments.choices(campaign)
    if segment is None:
        segment = SegmentForm(request.args).offer(choices)
        if segment.validate():
            try:
                matching = segments.count(campaign, segment.to_segment())
            except segments.InvalidSegment as error:
                segment[error.field].errors = [str(error)]
                status = 400
        else:
            status = 400
    return render_template(
        "organizer/update.html", campaign=campaign, update=update, segment=segment,
        form=form or UpdateForm(formdata=None, title=update.title, body=update.body),
        send_form=SendForm(formdata=None, expected=matching), test_form=TestForm(),
        matching=matching, values=segment.values(),
        progress=sending.progress(update) if update.status == UpdateStatus.SENT else None,
    ), status


@bp.get("/c/<slug>/updates/<int:update_id>")
def update_page(slug: str, update_id: int):
    campaign = campaign_or_404(current_organizer(), slug)
    return _update_page(campaign, _update_or_404(campaign, update_id))


@bp.post("/c/<slug>/updates/<int:update_id>/edit")
def edit_update(slug: str, update_id: int):
    campaign = campaign_or_404(current_organizer(), slug)
    update = _update_or_404(campaign, update_id)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _update_page(campaign, update, form=form, status=400)
    try:
        update_store.edit(update, title=form.title.data or "", body=form.body.data or "", now=utcnow())
    except update_store.NotADraft:
        return _update_page(campaign, update, form=form, status=409)
    except update_store.InvalidUpdate as error:
        form[error.field].errors = [str(error)]
        return _update_page(campaign, update, form=form, status=422)
    db.session.commit()
    flash(_("Draft saved."))
    return redirect(url_for(".update_page", slug=slug, update_id=update.id), 303)


@bp.post("/c/<slug>/updates/<int:update_id>/test")
def test_update(slug: str, update_id: int):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    update = _update_or_404(campaign, update_id)
    if not TestForm().validate_on_submit():
        abort(400)
    sending.send_test(campaign, update, organizer=organizer)
    db.session.commit()
    flash(_("A test is on its way to %(email)s.", email=organizer.email))
    return redirect(url_for(".update_page", slug=slug, update_id=update.id), 303)


@bp.post("/c/<slug>/updates/<int:update_id>/send")
def send_update(slug: str, update_id: int):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    update = _update_or_404(campaign, update_id)
    send_form = SendForm()
    segment = SegmentForm(request.form).offer(segments.choices(campaign))
    if not send_form.validate_on_submit() or not segment.validate():
        flash(_("Nothing was sent: check who the update goes to."))
        return _update_page(campaign, update, segment=segment, status=422)
    try:
        sent = sending.send(campaign, update, segment.to_segment(), expected=send_form.expected.data,
                            organizer=organizer, now=utcnow())
    except segments.InvalidSegment as error:
        segment[error.field].errors = [str(error)]
        return _update_page(campaign, update, segment=segment, status=422)
    except sending.CountChanged as error:
        flash(_("Nothing was sent: the number of recipients changed from %(before)s to %(now)s. "
                "Check it and send again.",
                before=format_number(send_form.expected.data), now=format_number(error.now)))
        return _update_page(campaign, update, segment=segment, status=409, matching=error.now)
    except sending.NoRecipients:
        flash(_("Nothing was sent: no signer who allowed contact matches."))
        return _update_page(campaign, update, segment=segment, status=422, matching=0)
    except update_store.NotADraft:
        flash(_("This update was sent already."))
        return _update_page(campaign, update, segment=segment, status=409)
    db.session.commit()
    flash(ngettext("Sending to %(count)s signer; it is on the campaign page now.",
                   "Sending to %(count)s signers; it is on the campaign page now.", sent, count=format_number(sent)))
    return redirect(url_for(".update_page", slug=slug, update_id=update.id), 303)
