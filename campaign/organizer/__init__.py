"""The organizer area: logging in (blueprint `auth`) and the logged-in pages (blueprint `organizer`).

Each view module adds its routes to blueprint.bp when imported; importing the package imports
them all, so `bp` below carries every organizer page.
"""
from campaign.organizer import (
    actions,
    api_keys,
    audit,
    dashboard,
    deliveries,
    downloads,
    embed,
    events,
    home,
    lists,
    manage,
    representatives,
    review,
    signers,
    translations,
    updates,
    webhooks,
)
from campaign.organizer.blueprint import bp

VIEW_MODULES = (actions, api_keys, audit, dashboard, deliveries, downloads, embed, events, home,
                lists, manage, representatives, review, signers, translations, updates,
                webhooks)

__all__ = ["VIEW_MODULES", "bp"]
