"""Error pages: every failure gets a human page with the right status, never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

_MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    404: ("Page not found", "There is no page at this address. It may have moved, or the link may be mistyped."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too much data", "What you sent is larger than this form accepts. Please shorten it and try again."),
    429: ("Too many requests", "Please wait a moment and try again."),
    500: ("Something went wrong", "Sorry, we could not finish your request. Nothing was saved; please try again in a moment."),
}


def _page(status: int, title: str | None = None, message: str | None = None):
    default_title, default_message = _MESSAGES.get(status, _MESSAGES[400])
    html = render_template(
        "errors/error.html", status=status, title=title or default_title, message=message or default_message
    )
    return html, status


def register_error_handlers(app: Flask) -> None:
    """Turn HTTP errors, expired forms and crashes into pages."""

    @app.errorhandler(CSRFError)
    def form_expired(error: CSRFError):
        return _page(
            400,
            "This form has expired",
            "For your security, forms expire after a while or when cookies are blocked. "
            "Please go back, reload the page and send the form again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request.path.endswith(".json"):
            return {"error": error.name, "status": error.code}, error.code
        return _page(error.code)

    @app.errorhandler(Exception)
    def crash(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        return _page(500)
