"""A campaign's allow and block lists: see, add and remove entries."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField

from campaign.abuse import list_rules
from campaign.extensions import db
from campaign.models import RuleKind
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp


class ListRuleForm(FlaskForm):
    """One new entry: which list, the value, and a note for the other organizers."""

    kind = SelectField(_l("List"), choices=[SelectChoice(kind.value, label)
                                        for kind, label in list_rules.KIND_LABELS.items()])
    value = StringField(_l("Address, network, domain or email"), render_kw={"maxlength": 320})
    note = StringField(_l("Note (optional: why, whose address)"),
                       render_kw={"maxlength": list_rules.NOTE_MAX})
    every_campaign = BooleanField(_l("For every campaign (administrators)"))


class RemoveRuleForm(FlaskForm):
    """The remove button: only its CSRF token."""


def _page(campaign, form: ListRuleForm, status: int = 200):
    organizer = current_organizer()
    rules = list_rules.entries(campaign)
    return render_template(
        "organizer/lists.html", campaign=campaign, form=form, remove_form=RemoveRuleForm(),
        groups=[(kind, label, [r for r in rules if r.kind == kind])
                for kind, label in list_rules.KIND_LABELS.items()],
        is_admin=organizer.is_admin,
    ), status


@bp.get("/c/<slug>/lists")
def lists(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    # ?kind=&value= fill the form in (the abuse watch links a domain to block here).
    kind = request.args.get("kind", "")
    form = ListRuleForm(formdata=None, value=request.args.get("value", "")[:320],
                        kind=kind if kind in list_rules.KIND_LABELS else RuleKind.BLOCK_IP)
    return _page(campaign, form)


@bp.post("/c/<slug>/lists")
def add_list_rule(slug: str):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    form = ListRuleForm()
    if not form.validate_on_submit():
        return _page(campaign, form, 422)
    try:
        rule = list_rules.add(campaign, form.kind.data, form.value.data, organizer=organizer,
                              note=form.note.data or "",
                              every_campaign=bool(form.every_campaign.data))
    except (list_rules.InvalidRule, list_rules.DuplicateRule) as error:
        db.session.rollback()
        form.value.errors.append(str(error))
        return _page(campaign, form, 422)
    db.session.commit()
    list_rules.forget()  # after the commit, or a signer could cache the old lists again
    kind = str(list_rules.KIND_LABELS[RuleKind(rule.kind)]).lower()
    if rule.campaign_id is None:
        flash(_("%(value)s added: %(kind)s for every campaign.", value=rule.value, kind=kind))
    else:
        flash(_("%(value)s added: %(kind)s.", value=rule.value, kind=kind))
    return redirect(url_for(".lists", slug=slug), 303)


@bp.post("/c/<slug>/lists/<int:rule_id>/remove")
def remove_list_rule(slug: str, rule_id: int):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    rule = list_rules.rule_of(campaign, rule_id, organizer)
    if rule is None:
        abort(404)
    if not RemoveRuleForm().validate_on_submit():
        abort(400)
    value = rule.value
    list_rules.remove(campaign, rule, organizer=organizer)
    db.session.commit()
    list_rules.forget()
    flash(_("%(value)s removed.", value=value))
    return redirect(url_for(".lists", slug=slug), 303)
