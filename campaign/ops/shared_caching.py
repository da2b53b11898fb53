"""Answers a shared cache (nginx, a CDN) may keep: the same for every visitor without a session.

A visitor who sent no session cookie and was given none gets an answer that depends on the
address alone: no cookie is set and no `Vary: Cookie` is sent, so one copy can serve them all.
A visitor with a session (an organizer, a signer within the hour) may get a personal page;
any answer that read or set a session is made private, whatever the view said, so that no
shared cache ever hands it to someone else.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class SharedCacheSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without `Vary: Cookie` for visitors who have none."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        came_with_one = has_session_cookie(app, request)
        if not session and not came_with_one:
            # None came and none goes: Flask would still add Vary: Cookie because the session
            # was looked at, which makes every anonymous answer uncacheable.
            return
        super().save_session(app, session, response)
        if session.accessed or "Set-Cookie" in response.headers:
            keep_private(response)


def has_session_cookie(app: Flask, req: Request) -> bool:
    """Whether this request carries a session cookie (valid or not)."""
    return app.config["SESSION_COOKIE_NAME"] in req.cookies


def keep_private(response: Response) -> None:
    """No shared cache may store this answer; the visitor's own browser need not either."""
    if response.cache_control.no_store:
        return
    response.cache_control.public = False
    response.cache_control.s_maxage = None
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.cache_control.max_age = None


def shared(response: Response, seconds: int, *, browser_seconds: int | None = None) -> Response:
    """Let shared caches keep this answer for seconds, with an ETag to revalidate it cheaply.

    browser_seconds: how long a browser may reuse it without asking (default: as long as a
    shared cache). Pages a visitor may change by signing use 0: the browser asks again, and
    gets a 304 while nothing changed.
    """
    response.cache_control.public = True
    response.cache_control.max_age = seconds if browser_seconds is None else browser_seconds
    if browser_seconds is not None:
        response.cache_control.s_maxage = seconds
    if response.status_code == 200 and not response.direct_passthrough:
        response.add_etag()
        response.make_conditional(request)
    return response


def stamp_static_urls(endpoint: str, values: dict) -> None:
    """url_for("static", ...) with ?v=<content hash>: a changed file gets a new URL, so that
    browsers and nginx may keep each version for a year (deploy/nginx.conf). v=None asks for
    the plain URL (a script other sites link to)."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    path = Path(current_app.static_folder or "") / values["filename"]
    try:
        stat = path.stat()
    except OSError:
        return
    values["v"] = _content_hash(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _content_hash(path: Path, mtime_ns: int, size: int) -> str:
    # mtime and size in the key: an edited file (in development) is hashed again.
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    app.session_interface = SharedCacheSessions()
    app.url_defaults(stamp_static_urls)
