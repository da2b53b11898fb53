"""The call to action of one campaign: list, add, edit, reorder, remove, verify contacts."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from campaign import audit
from campaign.campaigns import action_editing
from campaign.extensions import db
from campaign.models import Action, ActionKind
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp
from campaign.organizer.forms import ActionForm
from campaign.representatives import officials
from campaign.signing.signer_input import InvalidInput, clean_email


def _action_or_404(campaign, action_id: int) -> Action:
    action = next((a for a in campaign.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    return action


@bp.get("/c/<slug>/actions")
def actions(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    matches: dict[int | None, list[officials.Match]] = {}
    for match in officials.match_campaign(campaign):
        matches.setdefault(match.action_id, []).append(match)
    return render_template("organizer/actions.html", campaign=campaign, matches=matches)


def _form_for(action: Action | None) -> ActionForm:
    if action is None:
        return ActionForm(kind=ActionKind.TEXT, data={"contacts": [{}]})
    values = action_editing.values_of(action)
    event = values.event
    return ActionForm(data={
        "kind": values.kind, "title": values.title, "body": values.body,
        "contacts": values.contacts + [{}],  # one empty row to add a contact without JavaScript
        "what_to_say": "\n".join(values.what_to_say), "example": values.example,
        "hashtags": " ".join(f"#{t}" for t in values.hashtags),
        "organizations": "\n".join(" | ".join(filter(None, (o.get("name", ""), o.get("description", ""), o.get("url", ""))))
                                   for o in values.organizations),
        "event_what": event.get("what", ""), "event_when": event.get("when", ""), "event_where": event.get("where", ""),
        "petition_titles": "\n".join(values.petition_titles),
    })


def _contacts(form: ActionForm) -> list[dict]:
    """The contact rows that are kept; each email checked, and verified only if one is given."""
    contacts = []
    for row in form.contacts:
        data = row.form.data
        if data["remove"] or not (data["name"] or "").strip():
            continue
        email = (data["email"] or "").strip()
        if email:
            try:
                email = clean_email(email)
            except InvalidInput as error:
                row.form.email.errors.append(str(error))
        contacts.append({
            "name": data["name"].strip(), "office": (data["office"] or "").strip(), "email": email,
            "email_verified": bool(email and data["email_verified"]), "address": (data["address"] or "").strip(),
            "phone": (data["phone"] or "").strip(), "contact_form": (data["contact_form"] or "").strip(), "note": "",
            "by_organizer": True,  # what an organizer saves is theirs: shown, but its email only once checked
        })
    return contacts


def _values(form: ActionForm) -> action_editing.ActionValues:
    return action_editing.ActionValues(
        kind=form.kind.data, title=form.title.data or "", body=form.body.data or "",
        contacts=_contacts(form), what_to_say=form.line_list("what_to_say"), example=(form.example.data or "").strip(),
        hashtags=form.hashtag_list(), organizations=form.organization_list(),
        event={"what": (form.event_what.data or "").strip(), "when": (form.event_when.data or "").strip(),
               "where": (form.event_where.data or "").strip()},
        petition_titles=form.line_list("petition_titles"),
    )


@bp.route("/c/<slug>/actions/new", methods=["GET", "POST"], defaults={"action_id": None})
@bp.route("/c/<slug>/actions/<int:action_id>", methods=["GET", "POST"])
def edit_action(slug: str, action_id: int | None):
    campaign = campaign_or_404(current_organizer(), slug)
    action = _action_or_404(campaign, action_id) if action_id is not None else None
    form = ActionForm() if request.method == "POST" else _form_for(action)
    if request.method == "POST" and form.validate_on_submit():
        values = _values(form)
        if not form.errors and not any(row.form.errors for row in form.contacts):
            if action is None:
                action = action_editing.add(campaign, values)
            else:
                action_editing.apply(action, values)
            audit.record("campaign.action_saved", organizer=current_organizer(), campaign=campaign,
                         kind=values.kind)
            db.session.commit()
            flash(_("Action saved."))
            return redirect(url_for(".actions", slug=slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("organizer/action_edit.html", campaign=campaign, action=action, form=form), status


@bp.post("/c/<slug>/actions/<int:action_id>/move")
def move_action(slug: str, action_id: int):
    campaign = campaign_or_404(current_organizer(), slug)
    action = _action_or_404(campaign, action_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    action_editing.move(campaign, action, step)
    db.session.commit()
    return redirect(url_for(".actions", slug=slug) + f"#action-{action.id}", 303)


@bp.post("/c/<slug>/actions/<int:action_id>/delete")
def delete_action(slug: str, action_id: int):
    campaign = campaign_or_404(current_organizer(), slug)
    action_editing.remove(campaign, _action_or_404(campaign, action_id))
    audit.record("campaign.action_removed", organizer=current_organizer(), campaign=campaign)
    db.session.commit()
    flash(_("Action removed."))
    return redirect(url_for(".actions", slug=slug), 303)
