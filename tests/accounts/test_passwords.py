"""Passwords: argon2id at OWASP's cost, the strength rules and the list of common passwords."""
from importlib import resources

import pytest

from campaign.accounts import passwords


@pytest.mark.parametrize(
    ("password", "email", "message"),
    [
        ("short1!", "", "at least 8"),
        ("x1" * 513, "", "at most 1024"),
        ("abababababab", "", "repeats too few"),
        ("Lovelace-rocks-9", "lovelace@example.org", "email address"),
        ("password", "", "most common"),
        ("PASSWORD", "", "most common"),
        ("Password123!", "", "most common"),
        ("password 123", "", "most common"),
        ("  letmein  ", "", "most common"),
        ("1password", "", "most common"),
        ("!!Password!!", "", "most common"),
        ("qwerty123", "", "most common"),
        ("1q2w3e4r5t", "", "most common"),
        ("iloveyou!!", "", "most common"),
        ("Summer2024", "", "most common"),
        ("Dragon2024!!", "", "most common"),
        ("P@ssw0rd", "", "most common"),
        ("trustno1", "", "most common"),
        ("Campaign2025!", "", "most common"),
        ("petition-2024", "", "most common"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, email, message):
    with pytest.raises(passwords.WeakPassword, match=message):
        passwords.check_strength(password, email=email)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "violet-kettle-argues-softly",
        "Tr0ub4dor&3x",
        "ünïcödé pässwörd 42",
        "abc12345!",  # its stem is too short to match by chance; long enough to be allowed
        "x" * 3 + "yz" * 510,  # 1,023 characters: long passphrases are welcome
    ],
)
def test_good_passwords_pass(password):
    passwords.check_strength(password, email="ada@example.org")


def test_the_common_list_is_read_once():
    passwords.common_passwords.cache_clear()
    for word in ("password", "letmein", "a strong one indeed"):
        passwords.is_common(word)
    info = passwords.common_passwords.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_the_shipped_list_is_lowercase_unique_and_a_few_thousand_long():
    text = (resources.files("campaign.accounts") / "data" / "common-passwords.txt").read_text("utf-8")
    entries = [line for line in text.splitlines() if not line.startswith("#")]
    assert 1000 <= len(entries) <= 10000
    assert len(set(entries)) == len(entries)
    assert all(entry == entry.strip().lower() and entry for entry in entries)
    assert {"password", "123456789", "qwertyuiop", "iloveyou"} <= set(entries)


def test_hashes_are_argon2id_at_owasp_cost():
    stored = passwords.hash_password("violet-kettle-argues-softly")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(stored, "violet-kettle-argues-softly")
    assert not passwords.verify(stored, "violet-kettle-argues-softly ")
    assert not passwords.needs_rehash(stored)


def test_weaker_old_hashes_are_flagged_for_rehash():
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("a passphrase")
    assert passwords.verify(old, "a passphrase")
    assert passwords.needs_rehash(old)


def test_no_hash_or_a_broken_one_never_matches():
    assert passwords.verify(None, "no such account, same work") is False
    assert passwords.verify("not a hash", "anything") is False


def test_a_longer_password_does_not_pass_as_its_first_1024_characters():
    password = "ab" * 512
    stored = passwords.hash_password(password)
    assert passwords.verify(stored, password)
    assert not passwords.verify(stored, password + "tail")


def test_generated_passwords_are_long_distinct_and_strong():
    made = {passwords.generate() for _ in range(20)}
    assert len(made) == 20
    for password in made:
        assert len(password) >= 20
        passwords.check_strength(password, email="ada@example.org")
