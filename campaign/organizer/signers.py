"""Signers of one campaign: the list with search and filters, and keeping it clean."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _

from campaign import query_args
from campaign.abuse import list_rules
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import SignatureStatus
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.auth import safe_next
from campaign.organizer.blueprint import bp
from campaign.organizer.forms import (
    REASON_MAX,
    BulkStatusForm,
    ConfirmDeleteForm,
    SignerFilterForm,
    SignerRowForm,
)
from campaign.signing import bounces, moderation

PAGE_SIZE = 50


def _filtered(campaign):
    """The filter form from the query string and the query it gives (400 on bad values)."""
    form = SignerFilterForm(request.args)
    if not form.validate():
        return form, None
    try:
        query = moderation.filtered(campaign, form.to_filter(), current_app.config["SECRET_KEY"])
    except moderation.InvalidFilter as error:
        form[error.field].errors.append(str(error))
        return form, None
    return form, query


def _filter_args() -> dict:
    return {k: v for k, v in request.args.items() if k not in ("before",) and v}


@bp.get("/c/<slug>/signers")
def signers(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    form, query = _filtered(campaign)
    if query is None:
        return render_template("organizer/signers.html", campaign=campaign, form=form, rows=[],
                               total=0, next_before=None, args={}, held_reasons={},
                               undeliverable=set()), 400
    rows = moderation.page(query, before_id=query_args.bounded_int("before"), size=PAGE_SIZE)
    return render_template(
        "organizer/signers.html", campaign=campaign, form=form, rows=rows,
        total=moderation.count(query), args=_filter_args(),
        next_before=rows[-1].id if len(rows) == PAGE_SIZE else None,
        held_reasons=list_rules.KIND_LABELS,
        undeliverable=bounces.undeliverable_among([s.id for s in rows]),
    )


@bp.route("/c/<slug>/signers/bulk", methods=["GET", "POST"])
def bulk_status(slug: str):
    """Invalidate, restore or release all matching signers, after seeing how many that is."""
    campaign = campaign_or_404(current_organizer(), slug)
    form, query = _filtered(campaign)
    if query is None or form.to_filter().is_empty():
        flash(_("Choose at least one filter before acting on many signers at once."))
        return redirect(url_for(".signers", slug=slug, **_filter_args()))
    matching = moderation.count(query)
    bulk = BulkStatusForm(operation=request.args.get("operation", "invalidate"), expected=matching)
    if request.method == "POST" and bulk.validate_on_submit():
        if bulk.expected.data != matching:
            flash(_("The number of matching signers changed from %(before)s to %(now)s: "
                    "check the list and confirm again.",
                    before=format_number(bulk.expected.data), now=format_number(matching)))
            return render_template("organizer/bulk.html", campaign=campaign, form=form, bulk=bulk,
                                   matching=matching, args=_filter_args()), 409
        done = _apply(campaign, query, bulk.operation.data, reason=bulk.reason.data or "")
        db.session.commit()
        flash(done)
        return redirect(url_for(".signers", slug=slug, **_filter_args()), 303)
    return render_template("organizer/bulk.html", campaign=campaign, form=form, bulk=bulk,
                           matching=matching, args=_filter_args())


def _apply(campaign, query, operation: str, *, reason: str = "",
           signature_id: int | None = None) -> str:
    """Invalidate, restore or release the signers of query (one, with signature_id); says how
    many, in a sentence."""
    organizer = current_organizer()
    if operation == "release":
        released = moderation.release(campaign, query, organizer=organizer, now=utcnow())
        return ngettext("%(count)s held signer released.", "%(count)s held signers released.", released,
                        count=format_number(released))
    status = SignatureStatus.INVALIDATED if operation == "invalidate" else SignatureStatus.CONFIRMED
    changed = moderation.set_status(campaign, query, status, organizer=organizer, now=utcnow(),
                                    reason=reason, signature_id=signature_id)
    if operation == "invalidate":
        return ngettext("%(count)s signer invalidated.", "%(count)s signers invalidated.", changed,
                        count=format_number(changed))
    return ngettext("%(count)s signer restored.", "%(count)s signers restored.", changed, count=format_number(changed))


ROW_OPERATIONS = {"invalidate", "restore", "release", "hide-comment", "show-comment"}


@bp.post("/c/<slug>/signers/<int:signature_id>/<operation>")
def signer_operation(slug: str, signature_id: int, operation: str):
    """One signer: invalidate, restore, release (a held one), hide or show their comment."""
    campaign = campaign_or_404(current_organizer(), slug)
    signature = moderation.signature_of(campaign, signature_id)
    if signature is None or operation not in ROW_OPERATIONS:
        abort(404)
    organizer = current_organizer()
    row = SignerRowForm()
    if not row.validate_on_submit():
        return render_template("errors/error.html", status=422, title=_("Nothing was changed"),
                               message=_("A reason may be at most %(num)s characters.", num=REASON_MAX)), 422
    if operation in ("invalidate", "restore", "release"):
        only_this = moderation.filtered(campaign, moderation.SignerFilter(), "").where(
            moderation.Signature.id == signature.id)
        _apply(campaign, only_this, operation, signature_id=signature.id,
               reason=(row.reason.data or "").strip() if operation == "invalidate" else "")
    else:
        moderation.set_comment_hidden(campaign, signature, operation == "hide-comment", organizer=organizer)
    db.session.commit()
    back = request.form.get("back", "")
    local = back.startswith(f"/organizer/c/{slug}/signers") and safe_next(back) == back
    return redirect(back if local else url_for(".signers", slug=slug), 303)


@bp.route("/c/<slug>/signers/<int:signature_id>/delete", methods=["GET", "POST"])
def delete_signer(slug: str, signature_id: int):
    """Erase one signer's data on their request, after an explicit confirmation."""
    campaign = campaign_or_404(current_organizer(), slug)
    signature = moderation.signature_of(campaign, signature_id)
    if signature is None:
        abort(404)
    form = ConfirmDeleteForm()
    if form.validate_on_submit() and form.sure.data:
        moderation.delete_signer(campaign, signature, organizer=current_organizer())
        db.session.commit()
        flash(_("The signer's personal data was deleted; the counts no longer include them."))
        return redirect(url_for(".signers", slug=slug), 303)
    if request.method == "POST":
        form.sure.errors.append(_("Tick the box to confirm."))
    return render_template("organizer/delete_signer.html", campaign=campaign, signature=signature,
                           form=form), 422 if request.method == "POST" else 200
