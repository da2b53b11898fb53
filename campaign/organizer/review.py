"""The review step between importing and opening: the drafted ask, and what still needs a look."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from campaign import audit
from campaign.campaigns import readiness
from campaign.extensions import db
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp

OPEN_ANYWAY = "confirm_open_items"


def review_page(campaign, *, message: str = "", status: int = 200):
    """The review page; the open action shows it too (409) when it refuses to open."""
    matches = readiness.official_matches(campaign)
    return render_template(
        "organizer/review.html", campaign=campaign, fields=readiness.drafted_fields(campaign),
        items=readiness.open_items(campaign, matches), matches=matches, message=message,
        translation_gaps=readiness.translation_gaps(campaign),
        OPEN_ANYWAY=OPEN_ANYWAY,
    ), status


@bp.get("/c/<slug>/review")
def review(slug: str):
    return review_page(campaign_or_404(current_organizer(), slug))


@bp.post("/c/<slug>/review/keep")
def keep_draft(slug: str):
    """Keep a drafted field as it stands: it no longer counts as a draft to look at."""
    campaign = campaign_or_404(current_organizer(), slug)
    name = request.form.get("field", "")
    if name not in readiness.DRAFTABLE:
        abort(400)
    if readiness.keep_draft(campaign, name):
        audit.record("campaign.draft_kept", organizer=current_organizer(), campaign=campaign, field=name)
        db.session.commit()
        flash(_("%(field)s kept as drafted.", field=readiness.FIELD_NAMES[name]))
    return redirect(url_for(".review", slug=slug), 303)
