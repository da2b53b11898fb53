"""The API: OSDI 1.2 resources and record helpers for organizers' keys, at /api/v1/.

Each view module adds its routes to blueprint.bp when imported; importing the package imports
them all.
"""
from campaign.api import advocacy, collections, events, petitions, record_signature
from campaign.api.blueprint import bp

VIEW_MODULES = (advocacy, collections, events, petitions, record_signature)

__all__ = ["VIEW_MODULES", "bp"]
