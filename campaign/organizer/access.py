"""Who may see what in the organizer area: logged-in organizers, their own campaigns only."""
from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from campaign.accounts.memberships import visible_campaign
from campaign.models import Campaign, Organizer

# Every download of the organizer area ends so (signers, representatives, packets, the zip).
DOWNLOAD_SUFFIXES = (".csv", ".json", ".pdf", ".zip")
DOWNLOAD_TYPES = ("application/json", "text/csv", "application/pdf", "application/zip")


def wants_data() -> bool:
    """Whether the request is for a download (CSV, JSON, PDF, zip) rather than a page."""
    if request.path.endswith(DOWNLOAD_SUFFIXES):
        return True
    return request.accept_mimetypes.best in DOWNLOAD_TYPES


def login_redirect_or_401():
    """Strangers get the login page (for pages) or 401 (for downloads: a file, not a page)."""
    if wants_data():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def organizer_required(view):
    """Decorate a view that only a logged-in organizer may see."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect_or_401()
        return view(*args, **kwargs)

    return wrapped


def current_organizer() -> Organizer:
    """The logged-in organizer (inside organizer_required views)."""
    return current_user.organizer


def campaign_or_404(organizer: Organizer, slug: str) -> Campaign:
    """The campaign at slug if this organizer may see it; 404 otherwise (never 403: no hint)."""
    campaign = visible_campaign(organizer, slug)
    if campaign is None:
        abort(404)
    return campaign

