"""API keys: an organizer's keys to the API, shown once, kept as a SHA-256 hash, revocable."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from campaign import database
from campaign.extensions import db
from campaign.models import ApiKey, KeyAccess, Organizer

KEY_PREFIX = "cmp_"
NAME_MAX = 100
# How much of a key its page shows, so its owner can tell keys apart ("cmp_Ab3dEf").
SHOWN_PREFIX = len(KEY_PREFIX) + 6
# last_used_at is written at most this often per key: an API client should not cost a write
# per request.
LAST_USED_EVERY = timedelta(minutes=1)


class InvalidKeyName(ValueError):
    """The name is empty or too long."""


@dataclass(frozen=True)
class NewKey:
    """A key just made: the row, and the key itself, which is never seen again."""

    key: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    """The SHA-256 hex digest a key is stored and found by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create(organizer: Organizer, name: str, access: str, *, now: datetime) -> NewKey:
    """Make a key for this organizer: "cmp_" and 40 random URL-safe characters."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise InvalidKeyName(name[:40])
    access = KeyAccess(access)
    secret = KEY_PREFIX + secrets.token_urlsafe(30)[:40]
    key = ApiKey(organizer_id=organizer.id, name=name, key_hash=hash_key(secret),
                 prefix=secret[:SHOWN_PREFIX], access=access, created_at=now)
    db.session.add(key)
    db.session.flush()
    return NewKey(key, secret)


def keys_of(organizer: Organizer) -> list[ApiKey]:
    """This organizer's keys, revoked ones too, newest first."""
    return list(db.session.scalars(
        select(ApiKey).where(ApiKey.organizer_id == organizer.id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))


def key_of(organizer: Organizer, key_id: int) -> ApiKey | None:
    """One of this organizer's keys; None for another's."""
    return db.session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.organizer_id == organizer.id))


def revoke(key: ApiKey, *, now: datetime) -> bool:
    """Stop a key working from now on; False if it was revoked already."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = now
    return True


def authenticate(secret: str, *, now: datetime) -> tuple[ApiKey, Organizer] | None:
    """The live key and its owner for a key sent to the API; None when unknown or revoked.

    A key is found by its hash (keys are long and random: a fast hash is enough, and the
    lookup by a unique index takes the same time for any key). Its owner's account must still
    exist: deleting an organizer deletes their keys with it.
    """
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    row = db.session.execute(
        select(ApiKey, Organizer).join(Organizer, Organizer.id == ApiKey.organizer_id)
        .where(ApiKey.key_hash == hash_key(secret), ApiKey.revoked_at.is_(None))).first()
    if row is None:
        return None
    key, owner = row
    return key, owner


def note_use(key: ApiKey, *, now: datetime) -> bool:
    """Record that the key was used now, at most once a minute; True when written."""
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_EVERY:
        return False
    statement = update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now)
    if database.sqlite_write_intent.get():
        # A writing request holds SQLite's write lock: a second connection would wait on it.
        # The stamp joins the request's transaction (lost with it, harmless for a time).
        db.session.execute(statement)
    else:
        with database.separate_write() as connection:  # reads are never committed
            connection.execute(statement)
    # As loaded, not as a change: the session must not write the row again at its next flush.
    set_committed_value(key, "last_used_at", now)
    return True
