"""Absolute links for emails and share tags."""
from flask import current_app, has_request_context, request, url_for


def public_url(endpoint: str, **values) -> str:
    """An absolute URL: under BASE_URL when set, since a Host header can be forged."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        base = request.host_url
    return f"{(base or 'http://localhost').rstrip('/')}{path}"
