"""Values worth reusing for a few seconds, kept per process: counts, and whole rendered pages.

One store for every caller, keyed by the database (tests run several apps in one process) and
then by whatever tuple the caller names, its first element the campaign's id so that forget()
can drop one campaign's entries after a change made here.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from campaign.extensions import db

T = TypeVar("T")

_cache: dict[tuple, tuple[float, object]] = {}
MAX_ENTRIES = 1000
# Reentrant: a cached page computes cached counts inside its own computation.
_lock = threading.RLock()


def cached(key: tuple, compute: Callable[[], T]) -> T:
    """compute(), reused for TALLY_CACHE_SECONDS; one thread recomputes while others wait."""
    ttl = current_app.config["TALLY_CACHE_SECONDS"]
    if ttl <= 0:
        return compute()
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], *key)
    hit = _cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]  # type: ignore[return-value]
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]  # type: ignore[return-value]
        value = compute()
        now = time.monotonic()
        if len(_cache) >= MAX_ENTRIES:  # versions and limits make new keys: drop the stale
            for stale in [k for k, (expires, _) in _cache.items() if expires <= now]:
                del _cache[stale]
        _cache[key] = (now + ttl, value)
        return value


# Keys being recomputed by a background thread, so that only one thread recomputes each.
_refreshing: set[tuple] = set()
# A value older than this many lifetimes is recomputed while the viewer waits, not served.
STALE_LIFETIMES = 10


def refreshed_in_background(key: tuple, compute: Callable[[], T], ttl: float) -> T:
    """compute() once; then its value, recomputed by a background thread once ttl has passed.

    Only the first viewer (and one after a long quiet spell) waits for the computation;
    everyone else gets the last value at once, at most about ttl seconds old.
    """
    if ttl <= 0:
        return compute()
    app = current_app._get_current_object()
    full_key = (app.config["SQLALCHEMY_DATABASE_URI"], *key)
    now = time.monotonic()
    hit = _cache.get(full_key)
    if hit is None or now - hit[0] > ttl * STALE_LIFETIMES:
        value = compute()
        with _lock:
            _cache[full_key] = (time.monotonic() + ttl, value)
        return value
    expires, value = hit
    if expires <= now:
        with _lock:
            start = full_key not in _refreshing
            _refreshing.add(full_key)
        if start:
            threading.Thread(target=_refresh, args=(app, full_key, compute, ttl), daemon=True,
                             name="tally-refresh").start()
    return value  # type: ignore[return-value]


def _refresh(app, full_key: tuple, compute: Callable[[], object], ttl: float) -> None:
    try:
        with app.app_context():
            try:
                value = compute()
            finally:
                db.session.remove()
        with _lock:
            _cache[full_key] = (time.monotonic() + ttl, value)
    except Exception:  # the next view tries again; the viewer keeps the last figures
        app.logger.exception("background recount failed")
    finally:
        with _lock:
            _refreshing.discard(full_key)


def forget(campaign_id: int) -> None:
    """Drop this process's cached values for a campaign (after a change made here)."""
    with _lock:
        for key in [k for k in _cache if k[1] == campaign_id]:
            del _cache[key]
