"""The embed page: the HTML an organizer copies to show the sign form or the count on another site."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from markupsafe import escape

from campaign.links import public_url
from campaign.models import Campaign, CampaignStatus
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp

# The frame's first height, before embed.js sets the height the form reports.
FRAME_HEIGHT = 720


@dataclass(frozen=True)
class Snippet:
    """One piece of HTML to copy, with what it is for."""

    id: str
    title: str
    hint: str
    code: str


def snippets(campaign: Campaign) -> list[Snippet]:
    """The iframe with its resizing script, and the badge, with absolute URLs and escaped text."""
    form_url = escape(public_url("embed.form", slug=campaign.slug))
    # Unstamped (v=None): other sites keep the snippet for years, and should get a changed
    # script within the hour nginx lets browsers keep it, not a year later.
    script_url = escape(public_url("static", filename="embed.js", v=None))
    page_url = escape(public_url("public.campaign", slug=campaign.slug))
    badge_url = escape(public_url("embed.badge_svg", slug=campaign.slug))
    title = escape(campaign.title)
    frame = (
        f'<iframe src="{form_url}" title="Sign the petition: {title}" width="100%" '
        f'height="{FRAME_HEIGHT}" style="border:0;max-width:36rem" loading="lazy"></iframe>\n'
        f'<script src="{script_url}" async></script>'
    )
    image = (
        f'<a href="{page_url}"><img src="{badge_url}" width="320" height="68" '
        f'alt="{title}: signatures so far"></a>'
    )
    return [
        Snippet("embed-form", _("The sign form"),
                _("Visitors sign without leaving the page. The script makes the frame as tall as the "
                  "form; add ?ref=name to the frame's address to count these signatures under that name."),
                frame),
        Snippet("embed-badge", _("The count badge"),
                _("An image of the count and the goal, updated every minute, linking to the campaign."),
                image),
    ]


@bp.get("/c/<slug>/embed", endpoint="embed")
def embed_code(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    return render_template(
        "organizer/embed.html", campaign=campaign, snippets=snippets(campaign),
        is_public=campaign.status != CampaignStatus.DRAFT,
    )
