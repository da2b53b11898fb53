"""Organizer accounts: creating them, checking passwords with lockout, and login sessions."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from campaign import database, tokens
from campaign.accounts import passwords
from campaign.extensions import db
from campaign.models import CampaignMember, Organizer, OrganizerRole, OrganizerSession
from campaign.signing.signer_input import InvalidInput, clean_email

# Log lines name organizers by id only: never an email address, never a password.
log = logging.getLogger(__name__)

LOCK_AFTER_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
# Writing last_seen_at on every request would make each page a write; once a minute is enough.
SEEN_RESOLUTION = timedelta(minutes=1)


class AccountExists(ValueError):
    """An organizer with this email already exists."""


class WrongPassword(ValueError):
    """The current password given was wrong, or the account is locked for a while."""


@dataclass(frozen=True)
class OrganizerSummary:
    """One line of the organizer list: the account and how many campaigns it has."""

    organizer: Organizer
    campaigns: int


def normalize_email(email: str) -> str:
    """The form of an address under which an organizer account is stored."""
    return clean_email(email).lower()


def create(email: str, password: str, *, role: str = OrganizerRole.ORGANIZER) -> Organizer:
    """A new organizer (the caller commits); raises InvalidInput, WeakPassword or AccountExists."""
    address = normalize_email(email)
    passwords.check_strength(password, email=address)
    if get_by_email(address) is not None:
        raise AccountExists(address)
    organizer = Organizer(email=address, password_hash=passwords.hash_password(password), role=role)
    try:  # two creations at once: the unique index decides, in a savepoint
        with db.session.begin_nested():
            db.session.add(organizer)
    except IntegrityError:
        raise AccountExists(address) from None
    log.info("organizer %s created (%s)", organizer.id, role)
    return organizer


def get_by_email(email: str) -> Organizer | None:
    """The organizer with this address, however it is typed; None for none or a malformed one."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return None
    return db.session.scalar(select(Organizer).where(Organizer.email == address))


def summaries() -> list[OrganizerSummary]:
    """Every organizer by email, with the number of campaigns each owns or was added to."""
    counts = (
        select(CampaignMember.organizer_id, func.count().label("n"))
        .group_by(CampaignMember.organizer_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organizer, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organizer_id == Organizer.id)
        .order_by(Organizer.email)
    )
    return [OrganizerSummary(organizer, count) for organizer, count in rows]


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
        log.info("failed login for an unknown account")
        return None
    if is_locked(organizer, now):
        log.info("failed login for organizer %s: locked", organizer.id)
        return None
    if not matches:
        _record_failure(organizer, now)
        return None
    _clear_failures(organizer)
    organizer.last_login_at = now
    if passwords.needs_rehash(organizer.password_hash):
        organizer.password_hash = passwords.hash_password(password)
    return organizer


def is_locked(organizer: Organizer, now: datetime) -> bool:
    """Whether too many wrong passwords lately keep this account from logging in."""
    return organizer.locked_until is not None and organizer.locked_until > now


def unlock(organizer: Organizer) -> None:
    """Lift a lock and forget recent failures (an admin vouches for the organizer)."""
    _clear_failures(organizer)
    log.info("organizer %s unlocked", organizer.id)


def _clear_failures(organizer: Organizer) -> None:
    organizer.failed_logins, organizer.first_failed_at, organizer.locked_until = 0, None, None


def _record_failure(organizer: Organizer, now: datetime) -> None:
    if organizer.first_failed_at is None or now - organizer.first_failed_at > FAILURE_WINDOW:
        organizer.failed_logins, organizer.first_failed_at = 0, now
    organizer.failed_logins += 1
    log.info("failed login for organizer %s (%s in a row)", organizer.id, organizer.failed_logins)
    if organizer.failed_logins >= LOCK_AFTER_FAILURES:
        organizer.locked_until = now + LOCK_FOR
        organizer.failed_logins, organizer.first_failed_at = 0, None
        log.warning("organizer %s locked until %s", organizer.id, organizer.locked_until)


def change_password(organizer: Organizer, current: str, new: str, *, now: datetime) -> None:
    """Check the current password (a wrong one counts towards the lock), then set the new one.

    Raises WrongPassword or WeakPassword; ends every session of the organizer, so the caller
    starts a new one for the person who made the change.
    """
    db.session.refresh(organizer, with_for_update=True)  # count failures without losing any
    matches = passwords.verify(organizer.password_hash, current)
    if is_locked(organizer, now):
        raise WrongPassword()
    if not matches:
        _record_failure(organizer, now)
        raise WrongPassword()
    if new == current:
        raise passwords.WeakPassword(_("Choose a password different from the current one."))
    set_password(organizer, new, now=now)


def set_password(organizer: Organizer, password: str, *, now: datetime) -> None:
    """Change the password and end every session of this organizer (the caller may start one)."""
    passwords.check_strength(password, email=organizer.email)
    organizer.password_hash = passwords.hash_password(password)
    organizer.password_changed_at = now
    _clear_failures(organizer)
    end_all_sessions(organizer, now=now)
    log.info("organizer %s changed password; every session ended", organizer.id)


def start_session(organizer: Organizer, *, now: datetime) -> str:
    """A new login session; returns the token the cookie carries (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    db.session.add(OrganizerSession(organizer_id=organizer.id, token_hash=tokens.hash_token(token),
                                    created_at=now, last_seen_at=now))
    return token


def load_session(token: str, *, now: datetime, idle: timedelta) -> Organizer | None:
    """The organizer of a live session; None once it ended or sat idle too long."""
    row = db.session.scalar(
        select(OrganizerSession).where(OrganizerSession.token_hash == tokens.hash_token(token))
    )
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle:
        _write_session(row.id, ended_at=now)
        return None
    if now - row.last_seen_at > SEEN_RESOLUTION:
        _write_session(row.id, last_seen_at=now)
    return row.organizer


def _write_session(row_id: int, **values) -> None:
    statement = update(OrganizerSession).where(OrganizerSession.id == row_id).values(**values)
    if database.sqlite_write_intent.get():
        # This request already holds SQLite's write lock: a second connection would wait on
        # it until timing out. The write joins the request's transaction instead; lost if that
        # is not committed, which is harmless for a time stamp.
        db.session.execute(statement)
        return
    # A read-only request's transaction is never committed, so the write goes on its own.
    with database.separate_write() as connection:
        connection.execute(statement)


def end_session(token: str, *, now: datetime) -> None:
    """End one session: its cookie no longer logs anyone in."""
    db.session.execute(
        update(OrganizerSession)
        .where(OrganizerSession.token_hash == tokens.hash_token(token))
        .where(OrganizerSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_sessions(organizer: Organizer, *, now: datetime) -> None:
    """End every session of an organizer (after a password change)."""
    db.session.execute(
        update(OrganizerSession)
        .where(OrganizerSession.organizer_id == organizer.id, OrganizerSession.ended_at.is_(None))
        .values(ended_at=now)
    )
