"""Request text: a query string or form that is not UTF-8 is refused (400) before any view reads it.

Werkzeug reads such text leniently, and each way would store or answer something nobody
typed: a "%FF" escape in a query string or a urlencoded form stays the three characters
"%FF"; raw bytes that are not UTF-8 in a urlencoded body make the whole form read as empty;
and a multipart field's bad bytes become U+FFFD. Raw bytes in a query string were a 500.
"""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

TITLE = _l("This could not be read")
MESSAGE = _l("Part of what was sent could not be read as text: it is not in UTF-8, the encoding "
             "this site reads. Nothing was saved. Please go back, type it again and send it.")
_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
# What Werkzeug puts in a multipart field for bytes it cannot decode; typed on purpose, it is
# the mark of text already broken on its way here, so it is refused with them.
_REPLACEMENT = "\ufffd"


class UnreadableText(BadRequest):
    """A query string or form field that is not valid UTF-8 (the errors module shows its page)."""


def is_utf8(encoded: bytes) -> bool:
    """Whether a query string or urlencoded body is UTF-8 once its %XX escapes are undone.

    Undoing them over the whole string is enough: the separators & and = are ASCII, which
    never occurs inside a multi-byte UTF-8 character, so each field is valid when the whole is.
    """
    try:
        unquote_to_bytes(encoded).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check() -> None:
    """Raise UnreadableText when this request's query string or form is not UTF-8."""
    if not is_utf8(request.query_string) or not _form_is_utf8():
        raise UnreadableText()


def _form_is_utf8() -> bool:
    if request.mimetype == _URLENCODED:
        # Kept (cache=True): the form is then parsed from these bytes, not read again.
        return is_utf8(request.get_data(cache=True))
    if request.mimetype == _MULTIPART:
        return not any(_REPLACEMENT in key or _REPLACEMENT in value
                       for key, value in request.form.items(multi=True))
    return True


def init_app(app: Flask) -> None:
    """Check every request, before CSRF (which reads the form) and every other hook."""
    app.before_request(check)
