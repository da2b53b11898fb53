"""Milestone updates: when a goal is reached, a short update to the signers who allowed contact.

Off unless the organizer ticked "Milestone emails" for the campaign. It is an update like any
other (the hourly cap, one per address, the unsubscribe link, the campaign page's timeline),
sent by the campaign itself rather than by an organizer.
"""
from __future__ import annotations

import logging

from flask import Flask

from campaign.clock import utcnow
from campaign.counts import goals
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
    update = store.create(
        campaign, organizer=None, now=now,
        title=f"{reached:,} signatures: thank you",
        body=(f"{campaign.title} has passed its goal of {reached:,} signatures: {count:,} people "
              f"have signed. The next goal is {next_goal:,}.\n\n"
              f"Every signature adds weight when the petition is delivered. If you know someone "
              f"who would sign, please send them the page: {page}"))
    for _ in range(3):
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
