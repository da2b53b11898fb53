"""What a signer types, checked and cleaned: each function returns the clean value or raises."""
from __future__ import annotations

import re
import unicodedata

import email_validator
from flask_babel import gettext as _

from campaign.places import countries


class InvalidInput(ValueError):
    """The value breaks a rule; the message is shown next to the field."""


NAME_MAX = 255
COMMENT_MAX = 1000
POSTCODE_MAX = 16

# Joiners shape scripts such as Arabic and the Indic ones; every other format character
# (bidi overrides, zero-width spaces, byte-order marks) only hides or reorders text.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_FORMULA_STARTS = ("=", "+", "-", "@")
_URL = re.compile(
    r"[a-z][a-z0-9+.-]*://"  # any scheme
    r"|\bwww\d?\."
    r"|\b(?:mailto|javascript|data):"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|io|co|me|ly|xyz|ru|cn|tk|top|"
    r"app|dev|site|online|shop|club|link|click|gov|edu|uk|us|de|fr|ca|au|in|eu|tv|ws|cc|gg)\b",
    re.IGNORECASE,
)
# Outward and inward codes, read without spaces; a hyphen may stand for the space between them.
_GB_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)-?([0-9][A-Z]{2})$")
_US_ZIP = re.compile(r"^([0-9]{5})(?:[- ]?([0-9]{4}))?$")
_OTHER_POSTCODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]*$")


def _refuse_hidden_characters(value: str, *, allow: str = "") -> None:
    for char in value:
        if char in allow or char in _ALLOWED_FORMAT:
            continue
        if char == "\ufffd":
            raise InvalidInput(_("Contains a character that could not be read."))
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise InvalidInput(_("Contains a control or invisible character."))


def check_printable(value: str, *, allow: str = "") -> None:
    """Raise InvalidInput if value holds a control or invisible character (joiners and allow
    excepted): the rule of names, for any other text a person types."""
    _refuse_hidden_characters(value, allow=allow)


def _a_word_starts_with_a_mark(value: str) -> bool:
    # A combining mark (an accent, a vowel sign) belongs after the letter it sits on: at the
    # start of a name or a word it sits on nothing, or on the text before it on the page.
    return any(word and unicodedata.category(word[0])[0] == "M" for word in value.split(" "))


def _collapse_spaces(value: str) -> str:
    return " ".join(part for part in re.split(r"[^\S\n\r\t]+", value) if part)


def clean_name(raw: str | None) -> str:
    """A signer's full name: NFC, trimmed, single spaces, printable, not a formula or a link."""
    value = unicodedata.normalize("NFC", raw or "")
    _refuse_hidden_characters(value)
    value = _collapse_spaces(value)
    if not value:
        raise InvalidInput(_("Please enter your name."))
    if len(value) > NAME_MAX:
        raise InvalidInput(_("Please keep your name to %(num)d characters.", num=NAME_MAX))
    if _a_word_starts_with_a_mark(value):
        raise InvalidInput(_("Your name, or a word in it, cannot start with an accent or other "
                             "combining mark: type the letter first."))
    if not any(unicodedata.category(c)[0] in "LN" for c in value):
        raise InvalidInput(_("Your name needs at least one letter or digit."))
    if value.startswith(_FORMULA_STARTS):
        raise InvalidInput(_("Your name cannot start with =, +, - or @."))
    if _URL.search(value):
        raise InvalidInput(_("Your name cannot contain a web address."))
    return value


def clean_email(raw: str | None, *, check_deliverability: bool = False) -> str:
    """A syntactically valid address (international allowed), in its normalized form."""
    value = (raw or "").strip()
    if not value:
        raise InvalidInput(_("Please enter your email address."))
    try:
        result = email_validator.validate_email(
            value,
            check_deliverability=check_deliverability,
            strict=True,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except email_validator.EmailNotValidError as error:
        raise InvalidInput(_("This email address is not valid: %(reason)s", reason=error)) from None
    return result.normalized


def duplicate_key(email: str) -> str:
    """The form of an address under which one person signs only once.

    Lowercased, NFC local part without a +tag, IDNA ASCII domain; Gmail ignores dots
    and answers for googlemail.com too.
    """
    local, _, domain = email.rpartition("@")
    local = unicodedata.normalize("NFC", local).lower()
    if "+" in local[1:]:
        local = local[: local.index("+", 1)]
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        domain = domain.lower()
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain == "gmail.com":
        local = local.replace(".", "")
    return f"{local}@{domain}"


def clean_country(raw: str | None, *, default: str) -> str:
    """An assigned ISO 3166-1 alpha-2 code, upper case; the campaign's default when not sent (None).

    Sent but empty is refused: the list has no empty choice. Only spaces are trimmed, since
    str.strip() would also take away control characters (U+001F, U+0085) unseen, and only
    ASCII is read, since "ß".upper() is "SS".
    """
    if raw is None:
        return default
    value = raw.strip(" ")
    value = value.upper() if value.isascii() else ""
    if value == "UK":
        raise InvalidInput(_("Use GB for the United Kingdom."))
    if not countries.is_assigned(value):
        raise InvalidInput(_("Please choose a country from the list."))
    return value


def clean_postcode(raw: str | None, country: str) -> str:
    """A postcode in the shape its country uses: required and checked for GB and the US.

    A UK postcode is stored as "SW1A 1AA" however it was spaced or hyphenated; a US ZIP+4
    keeps its hyphen ("55401-1234"); other countries' are kept as typed, in capitals.
    """
    value = _collapse_spaces((raw or "").upper())
    compact = value.replace(" ", "")
    if country == "GB":
        match = _GB_POSTCODE.match(compact)
        if not value:
            raise InvalidInput(_("Please enter your postcode."))
        if not match:
            raise InvalidInput(_("Please enter a UK postcode, like SW1A 1AA."))
        return f"{match.group(1)} {match.group(2)}"
    if country == "US":
        if not value:
            raise InvalidInput(_("Please enter your ZIP code."))
        match = _US_ZIP.match(value)
        if not match:
            raise InvalidInput(_("Please enter a 5-digit ZIP code, or ZIP+4 like 12345-6789."))
        return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")
    if not value:
        return ""
    if len(value) > POSTCODE_MAX or not value.isascii() or not _OTHER_POSTCODE.match(value):
        raise InvalidInput(
            _("A postcode has at most %(num)d letters, digits, spaces or hyphens.", num=POSTCODE_MAX)
        )
    return value


def clean_comment(raw: str | None) -> str:
    """An optional plain-text comment; line breaks and tabs allowed inside."""
    value = unicodedata.normalize("NFC", (raw or "").replace("\r\n", "\n").replace("\r", "\n"))
    value = value.strip()
    _refuse_hidden_characters(value, allow="\n\t")
    if len(value) > COMMENT_MAX:
        raise InvalidInput(_("Please keep your comment to %(num)d characters.", num=COMMENT_MAX))
    return value


def clean_source(raw: str | None) -> str:
    """The share channel a signer came from ("ref" on a link): a short token, or nothing."""
    value = (raw or "").strip().lower()[:40]
    return value if value.replace("-", "").replace("_", "").isalnum() and value.isascii() else ""
