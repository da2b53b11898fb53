"""Blueprint "auth": organizer login and logout, on server-side sessions."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from . import organizers
from .clock import utcnow
from .extensions import db, login_manager
from .forms import LoginForm
from .models import Organizer

bp = Blueprint("auth", __name__, url_prefix="/auth")


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
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else fallback


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    now = utcnow()
    organizer = organizers.authenticate(form.email.data or "", form.password.data or "", now=now)
    if organizer is None:
        db.session.commit()  # keep the failure count
        form.password.errors.append("Wrong email or password, or the account is locked for a while.")
        return render_template("auth/login.html", form=form), 401
    token = organizers.start_session(organizer, now=now)
    db.session.commit()
    session.clear()  # a fresh session: nothing from before login carries over
    login_user(OrganizerLogin(organizer, token))
    current_app.logger.info("organizer %s logged in", organizer.id)
    return redirect(safe_next(request.args.get("next")), 303)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        organizers.end_session(current_user.token, now=utcnow())
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for(".login"), 303)
