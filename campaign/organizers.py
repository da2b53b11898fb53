"""Organizer accounts: creating them, checking passwords with lockout, and login sessions."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from . import database, passwords
from .extensions import db
from .models import Organizer, OrganizerRole, OrganizerSession
from .signer_input import InvalidInput, clean_email

LOCK_AFTER_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
# Writing last_seen_at on every request would make each page a write; once a minute is enough.
SEEN_RESOLUTION = timedelta(minutes=1)


class AccountExists(ValueError):
    """An organizer with this email already exists."""


def normalize_email(email: str) -> str:
    """The form of an address under which an organizer account is stored."""
    return clean_email(email).lower()


def create(email: str, password: str, *, role: str = OrganizerRole.ORGANIZER) -> Organizer:
    """A new organizer (the caller commits); InvalidInput, WeakPassword or AccountExists otherwise."""
    address = normalize_email(email)
    passwords.check_strength(password, email=address)
    if db.session.scalar(select(Organizer.id).where(Organizer.email == address)) is not None:
        raise AccountExists(address)
    organizer = Organizer(email=address, password_hash=passwords.hash_password(password), role=role)
    db.session.add(organizer)
    db.session.flush()
    return organizer


def authenticate(email: str, password: str, *, now: datetime) -> Organizer | None:
    """The organizer if the password is right and the account not locked; None otherwise.

    Unknown accounts, wrong passwords and locked accounts take the same time and give the
    same None, so the answer tells an attacker nothing.
    """
    try:
        address = normalize_email(email)
    except InvalidInput:
        address = ""
    organizer = db.session.scalar(
        select(Organizer).where(Organizer.email == address).with_for_update()
    ) if address else None
    matches = passwords.verify(organizer.password_hash if organizer else None, password)
    if organizer is None:
        return None
    if organizer.locked_until is not None and organizer.locked_until > now:
        return None
    if not matches:
        _record_failure(organizer, now)
        return None
    organizer.failed_logins, organizer.first_failed_at, organizer.locked_until = 0, None, None
    organizer.last_login_at = now
    if passwords.needs_rehash(organizer.password_hash):
        organizer.password_hash = passwords.hash_password(password)
    return organizer


def _record_failure(organizer: Organizer, now: datetime) -> None:
    if organizer.first_failed_at is None or now - organizer.first_failed_at > FAILURE_WINDOW:
        organizer.failed_logins, organizer.first_failed_at = 0, now
    organizer.failed_logins += 1
    if organizer.failed_logins >= LOCK_AFTER_FAILURES:
        organizer.locked_until = now + LOCK_FOR
        organizer.failed_logins, organizer.first_failed_at = 0, None


def set_password(organizer: Organizer, password: str, *, now: datetime) -> None:
    """Change the password and end every other session of this organizer."""
    passwords.check_strength(password, email=organizer.email)
    organizer.password_hash = passwords.hash_password(password)
    organizer.password_changed_at = now
    end_all_sessions(organizer, now=now)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start_session(organizer: Organizer, *, now: datetime) -> str:
    """A new login session; returns the token the cookie carries (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    db.session.add(OrganizerSession(organizer_id=organizer.id, token_hash=_token_hash(token),
                                    created_at=now, last_seen_at=now))
    return token


def load_session(token: str, *, now: datetime, idle: timedelta) -> Organizer | None:
    """The organizer of a live session; None once it ended or sat idle too long."""
    row = db.session.scalar(
        select(OrganizerSession).where(OrganizerSession.token_hash == _token_hash(token))
    )
    if row is None or row.ended_at is not None:
        return None
    # Written apart from the request's own transaction, which may be a read-only one.
    if now - row.last_seen_at > idle:
        with database.separate_write() as connection:
            connection.execute(update(OrganizerSession).where(OrganizerSession.id == row.id)
                               .values(ended_at=now))
        return None
    if now - row.last_seen_at > SEEN_RESOLUTION:
        with database.separate_write() as connection:
            connection.execute(update(OrganizerSession).where(OrganizerSession.id == row.id)
                               .values(last_seen_at=now))
    return row.organizer


def end_session(token: str, *, now: datetime) -> None:
    """End one session: its cookie no longer logs anyone in."""
    db.session.execute(
        update(OrganizerSession)
        .where(OrganizerSession.token_hash == _token_hash(token), OrganizerSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_sessions(organizer: Organizer, *, now: datetime) -> None:
    """End every session of an organizer (after a password change)."""
    db.session.execute(
        update(OrganizerSession)
        .where(OrganizerSession.organizer_id == organizer.id, OrganizerSession.ended_at.is_(None))
        .values(ended_at=now)
    )
