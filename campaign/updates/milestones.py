"""Milestone updates: when a goal is reached, a short update to the signers who allowed contact.

Off unless the organizer ticked "Milestone emails" for the campaign. It is an update like any
other (the hourly cap, one per address, the unsubscribe link, the campaign page's timeline),
sent by the campaign itself rather than by an organizer.
"""
from __future__ import annotations

import logging

from flask import Flask
from flask_babel import format_number
from flask_babel import gettext as _

from campaign.clock import utcnow
from campaign.counts import goals
from campaign.languages import translations
from campaign.links import public_url
from campaign.models import Campaign
from campaign.updates import segments, sending, store

log = logging.getLogger(__name__)


def announce(campaign: Campaign, *, reached: int, next_goal: int, count: int) -> int:
    """Send the milestone update for a goal just reached, if the campaign wants them; how many."""
    if not campaign.milestone_emails:
        return 0
    everyone = segments.Segment()
    recipients = segments.count(campaign, everyone)
    if not recipients:
        return 0
    now = utcnow()
    page = public_url("public.campaign", slug=campaign.slug)
    # One update for every signer, so written in the campaign's own language (the email around
    # it speaks each signer's: sending.feed).
    with translations.speaking(campaign.language):
        title = _("%(num)s signatures: thank you", num=format_number(reached))
        body = _("%(title)s has passed its goal of %(reached)s signatures: %(count)s people have "
                 "signed. The next goal is %(next_goal)s.", title=campaign.title,
                 reached=format_number(reached), count=format_number(count),
                 next_goal=format_number(next_goal))
        body += "\n\n" + _("Every signature adds weight when the petition is delivered. If you know "
                            "someone who would sign, please send them the page: %(page)s", page=page)
    update = store.create(campaign, organizer=None, now=now, title=title, body=body)
    for _attempt in range(3):
        try:
            return sending.send(campaign, update, everyone, expected=recipients, organizer=None, now=now)
        except sending.CountChanged as changed:  # someone confirmed or withdrew meanwhile
            recipients = changed.now
        except sending.NoRecipients:
            break
    # Left as a draft the organizers can send from the updates tab.
    log.warning("milestone update of %s left as a draft: its recipients kept changing", campaign.slug)
    return 0


def init_app(app: Flask) -> None:
    """Hear of every goal reached."""
    goals.add_listener(app, announce)
