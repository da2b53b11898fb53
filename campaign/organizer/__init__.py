"""The organizer area: logging in (blueprint `auth`) and the logged-in pages (blueprint `organizer`).

Each view module adds its routes to blueprint.bp when imported; importing the package imports
them all, so `bp` below carries every organizer page.
"""
from campaign.organizer import (
    actions,
    audit,
    dashboard,
    deliveries,
    downloads,
    embed,
    home,
    lists,
    manage,
    representatives,
    review,
    signers,
    updates,
)
from campaign.organizer.blueprint import bp

VIEW_MODULES = (actions, audit, dashboard, deliveries, downloads, embed, home, lists, manage,
                representatives, review, signers, updates)

__all__ = ["VIEW_MODULES", "bp"]
