"""Blueprint "auth": organizer login, logout and password change, on server-side sessions."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo

from campaign import audit
from campaign.abuse import network
from campaign.accounts import organizers, passwords
from campaign.clock import utcnow
from campaign.extensions import db, limiter, login_manager
from campaign.models import Organizer
from campaign.organizer.access import current_organizer, organizer_required
from campaign.organizer.forms import LoginForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
# Log lines name organizers by id only: never an email address, never a password.
log = logging.getLogger(__name__)

# One message for an unknown address, a wrong password and a locked account: no hint which.
LOGIN_FAILED = _l("Wrong email or password, or the account is locked for a while.")
CURRENT_PASSWORD_FAILED = _l("This is not your current password, or the account is locked for a while.")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), render_kw={"maxlength": 1024, "autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("New password"), render_kw={"maxlength": 1024, "autocomplete": "new-password"}
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two new passwords differ."))],
        render_kw={"maxlength": 1024, "autocomplete": "new-password"},
    )


class OrganizerLogin(UserMixin):
    """The logged-in organizer and the token of their session (what the cookie holds)."""

    def __init__(self, organizer: Organizer, token: str) -> None:
        self.organizer = organizer
        self.token = token

    def get_id(self) -> str:
        return self.token


@login_manager.user_loader
def _load_login(token: str) -> OrganizerLogin | None:
    idle = timedelta(minutes=current_app.config["ORGANIZER_IDLE_MINUTES"])
    organizer = organizers.load_session(token, now=utcnow(), idle=idle)
    return OrganizerLogin(organizer, token) if organizer is not None else None


def safe_next(target: str | None) -> str:
    """Where to go after login: a local path only, never another site."""
    fallback = url_for("organizer.home")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    # Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become "//evil...".
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else fallback


def _client_key() -> str:
    """Whom password attempts are counted against: the address, or its /64 for IPv6."""
    return network.client_group(request.remote_addr)


def _attempt_failed(response: Response) -> bool:
    return bool(g.get("password_attempt_failed"))


# Only wrong passwords count (deduct_when), on login and on password change together, so an
# address that guesses gets 429 while a busy office that logs in rightly never does.
password_attempts = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    scope="password-attempts",
    key_func=_client_key,
    methods=["POST"],
    deduct_when=_attempt_failed,
)


@bp.after_request
def _headers(response: Response) -> Response:
    # Login and password pages carry form tokens and the organizer's address.
    response.headers["Cache-Control"] = "no-store"
    limit = limiter.current_limit
    if response.status_code == 429 and limit is not None:
        # Only the refusal says when to come back; other answers tell a guesser nothing.
        response.headers["Retry-After"] = str(max(1, int(limit.reset_at - time.time())))
    return response


@bp.route("/login", methods=["GET", "POST"])
@password_attempts
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit() or not _filled(form.email, form.password):
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    now = utcnow()
    organizer = organizers.authenticate(form.email.data or "", form.password.data or "", now=now)
    if organizer is None:
        db.session.commit()  # keep the failure count
        g.password_attempt_failed = True
        form.password.errors.append(str(LOGIN_FAILED))
        return render_template("auth/login.html", form=form), 401
    _start_login(organizer, now)
    log.info("organizer %s logged in", organizer.id)
    return redirect(safe_next(request.args.get("next")), 303)


def _filled(*fields) -> bool:
    """Whether every field was typed in; an empty one is a slip, not a guess to count."""
    empty = [field for field in fields if not field.data]
    for field in empty:
        field.errors.append(_("Enter your %(field)s.", field=str(field.label.text).lower()))
    return not empty


def _start_login(organizer: Organizer, now: datetime) -> None:
    """Commit a new session for organizer and make this browser's cookie carry it, alone."""
    token = organizers.start_session(organizer, now=now)
    db.session.commit()
    session.clear()  # a fresh session: nothing from before (a planted value, a CSRF token) stays
    login_user(OrganizerLogin(organizer, token))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        organizers.end_session(current_user.token, now=utcnow())
        db.session.commit()
        log.info("organizer %s logged out", current_user.organizer.id)
    logout_user()
    session.clear()
    return redirect(url_for(".login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@password_attempts
@organizer_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit() or not _filled(form.current_password, form.new_password):
        status = 422 if request.method == "POST" else 200
        return render_template("auth/password.html", form=form), status
    organizer, now = current_organizer(), utcnow()
    try:
        organizers.change_password(
            organizer, form.current_password.data or "", form.new_password.data or "", now=now
        )
    except organizers.WrongPassword:
        db.session.commit()  # keep the failure count
        g.password_attempt_failed = True
        form.current_password.errors.append(str(CURRENT_PASSWORD_FAILED))
        return render_template("auth/password.html", form=form), 422
    except passwords.WeakPassword as error:
        db.session.rollback()
        form.new_password.errors.append(str(error))
        return render_template("auth/password.html", form=form), 422
    audit.record("organizer.password_changed", organizer=organizer)
    _start_login(organizer, now)  # every session ended with the change; this one goes on anew
    flash(_("Your password is changed. Any other device logged in as you has been logged out."))
    return redirect(url_for("organizer.home"), 303)
