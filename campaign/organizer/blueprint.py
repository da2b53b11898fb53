"""Blueprint "organizer": the logged-in area; each view module of the package adds its routes."""
from flask import Blueprint, Response
from flask_login import current_user

from campaign.organizer.access import login_redirect_or_401

bp = Blueprint("organizer", __name__, url_prefix="/organizer")


@bp.before_request
def _only_organizers():
    # Every organizer URL, present and future, refuses strangers in one place.
    if not current_user.is_authenticated:
        return login_redirect_or_401()
    return None


@bp.after_request
def _never_cache(response: Response) -> Response:
    # Signer data must not linger in a shared browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response
