"""The organizer's API keys: make one (shown once), list them, revoke one."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField

from campaign.accounts import api_keys
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import KeyAccess
from campaign.organizer.access import current_organizer
from campaign.organizer.blueprint import bp


class NewKeyForm(FlaskForm):
    """A key's name, and whether it may write."""

    name = StringField(_l("Name (what uses the key: “Action Network sync”)"),
                       render_kw={"maxlength": api_keys.NAME_MAX})
    access = RadioField(_l("Access"), default=KeyAccess.READ.value, choices=[
        SelectChoice(KeyAccess.READ.value,
                     _l("Read only: petitions, signatures, people, outreaches, events")),
        SelectChoice(KeyAccess.READ_WRITE.value,
                     _l("Read and write: also record signatures and outreaches")),
    ])


class RevokeKeyForm(FlaskForm):
    """The revoke button: only its CSRF token."""


def _page(form: NewKeyForm, *, new_secret: str | None = None, status: int = 200):
    return render_template("organizer/api_keys.html", form=form, revoke_form=RevokeKeyForm(),
                           keys=api_keys.keys_of(current_organizer()), new_secret=new_secret,
                           header="OSDI-API-Token",
                           entry_point=url_for("api.entry", _external=True)), status


@bp.get("/api-keys")
def api_keys_page():
    return _page(NewKeyForm(formdata=None))


@bp.post("/api-keys")
def create_api_key():
    form = NewKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        made = api_keys.create(current_organizer(), form.name.data or "", form.access.data,
                               now=utcnow())
    except api_keys.InvalidKeyName:
        db.session.rollback()
        form.name.errors = [_("Give the key a name of up to %(max)d characters.",
                              max=api_keys.NAME_MAX)]
        return _page(form, status=422)
    db.session.commit()
    # Shown on this answer only (never in a flash message, which would sit in the cookie).
    return _page(NewKeyForm(formdata=None), new_secret=made.secret, status=201)


@bp.post("/api-keys/<int:key_id>/revoke")
def revoke_api_key(key_id: int):
    key = api_keys.key_of(current_organizer(), key_id)
    if key is None:
        abort(404)
    if not RevokeKeyForm().validate_on_submit():
        abort(400)
    if api_keys.revoke(key, now=utcnow()):
        db.session.commit()
        flash(_("The key “%(name)s” is revoked: it no longer works.", name=key.name))
    return redirect(url_for(".api_keys_page"), 303)
