"""Error pages: every failure gets a human page with the right status, never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from campaign import audit, database
from campaign.abuse import rate_limits
from campaign.extensions import limiter
from campaign.ops import outages, request_ids, request_text

log = logging.getLogger(__name__)

_MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    401: (_l("Log in first"), _l("This download is for logged-in organizers. Please log in and try again.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have moved, or the link may be mistyped.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too much data"), _l("What you sent is larger than this form accepts. Please shorten it and try again.")),
    429: (_l("Too many requests"), _l("Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("Sorry, we could not finish your request. Nothing was saved; please try again in a moment.")),
    503: (_l("Please try again in a moment"), _l("We could not save or read that right now. Nothing was lost: "
          "please try again in a few seconds.")),
}
# How long a visitor (or a client honouring Retry-After) should wait when the database is away.
RETRY_AFTER_SECONDS = 5


def _page(status: int, title: str | None = None, message: str | None = None):
    default_title, default_message = _MESSAGES.get(status, _MESSAGES[400])
    # A failure on our side carries the request's id, to quote when reporting it.
    reference = request_ids.current() if status >= 500 else None
    if request.path.startswith("/api/"):  # the API answers in JSON problems (campaign/api/)
        problem = {"type": "about:blank", "title": str(title or default_title), "status": status,
                   "detail": str(message or default_message)}
        response = jsonify(problem | {"reference": reference} if reference else problem)
        response.mimetype = "application/problem+json"
        response.headers["Cache-Control"] = "private, no-store"
        return response, status
    if request.path.endswith(".json"):
        # JSON answers are for programs: their error stays in English, whatever the language.
        with force_locale("en"):
            body = {"error": str(title or default_title), "status": status}
        return (body | {"reference": reference} if reference else body), status
    html = render_template(
        "errors/error.html", status=status, title=str(title or default_title),
        message=str(message or default_message),
        reference=reference,
    )
    return html, status


def _too_many_requests(error: HTTPException):
    """A limit's own page (signing, confirming) as it is; else the general one, with when to retry."""
    if error.response is not None:
        return error.response
    limit = limiter.current_limit
    seconds = rate_limits.seconds_until_retry(limit) if limit is not None else 60
    body, status = _page(429, message=_("Please wait about %(wait)s and try again.",
                                        wait=rate_limits.wait_in_words(seconds)))
    return body, status, {"Retry-After": str(seconds)}


def register_error_handlers(app: Flask) -> None:
    """Turn HTTP errors, expired forms and crashes into pages."""

    @app.errorhandler(CSRFError)
    def form_expired(error: CSRFError):
        return _page(
            400,
            _("This form has expired"),
            _("For your security, forms expire after a while or when cookies are blocked. "
              "Please go back, reload the page and send the form again."),
        )

    @app.errorhandler(request_text.UnreadableText)
    def unreadable_text(error: request_text.UnreadableText):
        return _page(400, str(request_text.TITLE), str(request_text.MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return _too_many_requests(error)
        if request.path.endswith(".json"):
            return _page(error.code, error.name)
        return _page(error.code)

    @app.errorhandler(Exception)
    def crash(error: Exception):
        outages.roll_back()
        # Once, with the request id from the log format; no form values, no query string.
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        return _page(500)

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)  # no free connection in the pool
    def database_away(error: Exception):
        if not outages.is_outage(error):
            return crash(error)
        outages.roll_back()
        # The page only reads (the organizer's menu): on SQLite without the write lock, which
        # a locked or read-only file would refuse again.
        database.read_first()
        log.warning("database unavailable on %s %s: %s", request.method, request.endpoint,
                    outages.describe(error))
        body, status = _page(503)
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(audit.AuditUnavailable)
    def not_audited(error: audit.AuditUnavailable):
        # Logged where it failed. A download is sent only once its audit line is written.
        outages.roll_back()
        body, status = _page(503, _("The download did not start"), _(
            "It could not be recorded in the audit log, so nothing was sent. "
            "Please try again in a moment."))
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    for driver_error in outages.DRIVER_OUTAGES:  # raised outside SQLAlchemy's wrapping
        app.register_error_handler(driver_error, database_away)
    # Runs before Flask-SQLAlchemy's own session teardown (registered earlier), which is then
    # left nothing to do: a connection that died after the answer was made cannot break it.
    app.teardown_appcontext(outages.end_session)
