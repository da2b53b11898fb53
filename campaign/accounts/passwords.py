"""Organizer passwords: argon2id at OWASP's recommended cost, and what a password must be."""
from __future__ import annotations

import functools
import secrets
import string
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 8
MAX_LENGTH = 1024  # long enough for any passphrase, short enough to bound hashing work
# "Password123!" is as easy to guess as "password": the list is checked with these trimmed too.
_TRIMMED = string.digits + string.punctuation + string.whitespace
_SHORTEST_STEM = 4  # shorter stems ("abc" of "abc12345!") would refuse too much by chance

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
        matches = _hasher.verify(stored_hash or _DUMMY_HASH, password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    # Only the first MAX_LENGTH characters are hashed, so a longer one must not pass as them.
    return matches and stored_hash is not None and len(password) <= MAX_LENGTH


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker settings than today's."""
    return _hasher.check_needs_rehash(stored_hash)


def check_strength(password: str, *, email: str = "") -> None:
    """Refuse passwords that are too short, too long, or easy to guess."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(_("Use at least %(num)s characters.", num=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_("Use at most %(num)s characters.", num=MAX_LENGTH))
    if len(set(password)) < 3:
        raise WeakPassword(_("This password repeats too few characters to be safe."))
    local_part = email.split("@")[0].lower()
    if local_part and len(local_part) >= 4 and local_part in password.lower():
        raise WeakPassword(_("Do not use your email address in your password."))
    if is_common(password):
        raise WeakPassword(
            _("This is one of the most common passwords; choose one that is harder to guess.")
        )


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the commonest passwords, lower-cased; read once per process."""
    text = (resources.files(__package__) / "data" / "common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def is_common(password: str) -> bool:
    """Whether the password, in any case and with digits or punctuation around it, is common."""
    lowered = password.lower()
    candidates = {lowered, lowered.strip(), lowered.rstrip(_TRIMMED), lowered.strip(_TRIMMED)}
    common = common_passwords()
    return any(len(word) >= _SHORTEST_STEM and word in common for word in candidates)


def generate() -> str:
    """A strong random password (about 140 bits) for an account made from the command line."""
    while True:
        password = secrets.token_urlsafe(18)
        if not is_common(password) and len(set(password)) >= 3:
            return password
