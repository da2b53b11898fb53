"""Blueprint "api" at /api/v1/: key authentication, JSON problems, per-key limits, headers.

Every request carries an organizer's key in the `OSDI-API-Token` header; the key acts as its
owner (it sees the campaigns they may see). No cookie is read or set, so CSRF does not apply;
every answer is private and never stored by a cache.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_limiter import RequestLimit
from werkzeug.exceptions import HTTPException

from campaign import audit, database
from campaign.abuse import rate_limits
from campaign.accounts import api_keys
from campaign.clock import utcnow
from campaign.extensions import csrf, db, limiter
from campaign.models import ApiKey, KeyAccess, Organizer

HEADER = "OSDI-API-Token"
MEDIA_TYPE = "application/hal+json"
PROBLEM_TYPE = "application/problem+json"

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie authenticates a request here: the header does


def problem(status: int, title: str, detail: str = "", **extra) -> Response:
    """A JSON problem (RFC 9457): {"type", "title", "status", "detail", ...}."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    response = jsonify(body | extra)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    return response


def document(body: dict, status: int = 200) -> Response:
    """A HAL+JSON answer."""
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    return response


def _bucket() -> str:
    """Whose budget a request draws on: its key's hash (any key sent), else its address."""
    sent = request.headers.get(HEADER, "")
    if sent:
        return "key:" + hashlib.sha256(sent.encode()).hexdigest()
    return f"address:{request.remote_addr}"


def _too_many(limit: RequestLimit) -> Response:
    seconds = rate_limits.seconds_until_retry(limit)
    response = problem(429, "Too many requests",
                       f"This key may make {limit.limit} requests; try again in {seconds} seconds.")
    response.headers["Retry-After"] = str(seconds)
    return response


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_bucket,
              on_breach=_too_many, per_method=False)(bp)


@bp.before_request
def _authenticate() -> Response | None:
    sent = request.headers.get(HEADER, "").strip()
    if not sent:
        return problem(401, "No key", f"Send an API key in the {HEADER} header.")
    now = utcnow()
    found = api_keys.authenticate(sent, now=now)
    if found is None:
        return problem(401, "Invalid key", "This key is unknown or was revoked.")
    g.api_key, g.api_owner = found
    api_keys.note_use(g.api_key, now=now)
    return None


@bp.after_request
def _private(response: Response) -> Response:
    # Personal data for one key's holder: no cache may keep it, and no cookie goes out.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers.pop("Set-Cookie", None)
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    if error.code == 429 and error.response is not None:
        return error.response
    return problem(error.code or 500, error.name, error.description or "")


def current_key() -> ApiKey:
    """The key this request came with (after authentication)."""
    return g.api_key


def current_owner() -> Organizer:
    """The organizer whose key this is: the API sees what they may see."""
    return g.api_owner


def writes(view: Callable) -> Callable:
    """Decorate a view that changes data: a read-only key gets 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_key().access != KeyAccess.READ_WRITE:
            return problem(403, "Read-only key", "This key may read but not write.")
        return view(*args, **kwargs)

    return wrapped


def base_url() -> str:
    """Where links point: BASE_URL when set (a Host header can be forged), else this host."""
    return (current_app.config.get("BASE_URL") or request.host_url).rstrip("/")


def audited(action: str, *, campaign=None, **detail) -> None:
    """Write an audit entry for this key (id and counts only, never personal data) and commit."""
    database.start_writing()
    audit.record(action, organizer=current_owner(), campaign=campaign, key=current_key().id,
                 **detail)
    db.session.commit()
