"""Organizer passwords: argon2id at OWASP's recommended cost, and what a password must be."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 8
MAX_LENGTH = 1024  # long enough for any passphrase, short enough to bound hashing work

# Checked against when the account does not exist, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("no such account, same work")


class WeakPassword(ValueError):
    """The password breaks a rule; the message says which."""


def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether password matches; with no hash, the same work is done and False returned."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password[:MAX_LENGTH]) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker settings than today's."""
    return _hasher.check_needs_rehash(stored_hash)


def check_strength(password: str, *, email: str = "") -> None:
    """Refuse passwords that are too short, too long, or easy to guess."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use at most {MAX_LENGTH} characters.")
    if len(set(password)) < 3:
        raise WeakPassword("This password repeats too few characters to be safe.")
    local_part = email.split("@")[0].lower()
    if local_part and len(local_part) >= 4 and local_part in password.lower():
        raise WeakPassword("Do not use your email address in your password.")
