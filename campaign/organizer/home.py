"""The organizer's first page: their campaigns with confirmed, pending, today and goal."""
from flask import render_template

from .. import stats
from ..access import current_organizer, visible_campaigns
from ..clock import utcnow
from ..extensions import db
from . import bp


@bp.get("/")
def home():
    organizer = current_organizer()
    campaigns = db.session.scalars(visible_campaigns(organizer)).all()
    totals = stats.totals_for(list(campaigns), now=utcnow())
    return render_template("organizer/home.html", campaigns=campaigns, totals=totals)
