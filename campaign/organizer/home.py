"""The organizer's first page: their campaigns with confirmed, pending, today and goal."""
from flask import render_template

from campaign.accounts.memberships import visible_campaigns
from campaign.clock import utcnow
from campaign.counts import stats
from campaign.extensions import db
from campaign.organizer.access import current_organizer
from campaign.organizer.blueprint import bp


@bp.get("/")
def home():
    organizer = current_organizer()
    campaigns = db.session.scalars(visible_campaigns(organizer)).all()
    totals = stats.totals_for(list(campaigns), now=utcnow())
    return render_template("organizer/home.html", campaigns=campaigns, totals=totals,
                           is_admin=organizer.is_admin)
