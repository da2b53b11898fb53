"""Signed, short-lived form tokens: the sign forms' proof against forged posts, without a session.

The campaign page is the same for every visitor without a session, so that shared caches can
serve it (ops.shared_caching); and a browser does not send a SameSite=Lax session cookie to a
page framed on another site (the embed). So the sign forms cannot use the session's CSRF
token. Instead each form carries its own proof that this site rendered it recently for this
campaign: the issue time, a nonce, and an HMAC of both and the campaign id under the
SECRET_KEY; and the post must come from a page of this site by its Origin (else Referer),
compared with the configured site address. Nothing is stored on the server.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, request

NONCE_BYTES = 16
STABLE_SECONDS = 60
# Web servers' clocks may differ a little: a token from a few seconds "ahead" is still good.
CLOCK_SKEW = timedelta(minutes=2)
_SHAPE = re.compile(r"^([0-9]{1,12})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$")


class TokenInvalid(Exception):
    """Not a token this site made for this form: malformed, altered, or for another campaign."""


class TokenExpired(Exception):
    """A genuine token, older than its lifetime: the visitor should reload the form."""


def _mac(secret_key: str, campaign_id: int, issued: int, nonce: str) -> str:
    # Its own key and message prefix, so that no other use of SECRET_KEY yields a valid token.
    key = f"embed-form-token:{secret_key}".encode()
    message = f"sign|{campaign_id}|{issued}|{nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret_key: str, campaign_id: int, *, now: datetime, stable: bool = False) -> str:
    """A new token for one campaign's form: "<issued unix time>.<nonce>.<hmac>".

    stable: the same token for every page rendered within the same minute, by every app
    process, so that a page shared by all visitors keeps its ETag (the proof is the HMAC and
    the Origin check; the nonce only keeps tokens apart).
    """
    issued = int(now.timestamp())
    if stable:
        issued -= issued % STABLE_SECONDS
        nonce = _mac(secret_key, campaign_id, issued, "stable")[:22]
    else:
        nonce = secrets.token_urlsafe(NONCE_BYTES)
    return f"{issued}.{nonce}.{_mac(secret_key, campaign_id, issued, nonce)}"


def check(secret_key: str, token: str, campaign_id: int, *, now: datetime, max_age: timedelta) -> None:
    """Return if token was issued here for this campaign within max_age; else raise why not."""
    match = _SHAPE.match(token or "")
    if match is None:
        raise TokenInvalid("malformed")
    issued_text, nonce, mac = match.groups()
    expected = _mac(secret_key, campaign_id, int(issued_text), nonce)
    if not hmac.compare_digest(mac.encode("ascii"), expected.encode("ascii")):
        raise TokenInvalid("signature")
    issued = datetime.fromtimestamp(int(issued_text), UTC)
    if issued > now + CLOCK_SKEW:
        raise TokenInvalid("issued in the future")
    if now - issued > max_age:
        raise TokenExpired(f"issued {now - issued} ago")


class SentElsewhere(Exception):
    """The post came from a page of another site (by its Origin, else its Referer)."""


def check_post(campaign_id: int, *, now: datetime) -> None:
    """Return if this request's sign form came from a page of this site with a good token.

    Raises SentElsewhere, TokenInvalid or TokenExpired.
    """
    if not sent_from_this_site(request.headers.get("Origin"), request.headers.get("Referer"),
                               own_origins()):
        raise SentElsewhere(request.headers.get("Origin") or request.headers.get("Referer") or "")
    check(current_app.config["SECRET_KEY"], request.form.get("form_token", ""), campaign_id,
          now=now, max_age=timedelta(minutes=current_app.config["SIGN_FORM_MINUTES"]))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower case, default ports left out (as browsers send it)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}".lower()


def own_origins() -> set[str]:
    """The origin this site answers on: BASE_URL's, never the request's own Host header, which
    the sender chooses. Only without BASE_URL (development; production requires it) the
    request's host stands in."""
    base = current_app.config.get("BASE_URL") or request.host_url
    return {origin_of(base)} - {""}


def sent_from_this_site(origin: str | None, referer: str | None, own: set[str]) -> bool:
    """Whether a POST came from a page of this site, by its Origin, else its Referer.

    A form inside the embed's frame is a page of this site, so a genuine POST carries this
    site's origin even on another site's page; only a forged one carries another. "null" (a
    sandboxed frame, some privacy settings) counts as no Origin. With neither header (old
    browsers, privacy tools), the signed form token alone decides.
    """
    if origin and origin.strip() != "null":
        return origin_of(origin) in own
    if referer:
        return origin_of(referer) in own
    return True
