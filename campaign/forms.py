"""Forms: the shape of what visitors send. The rules themselves live in signer_input."""
from __future__ import annotations

from collections.abc import Callable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)

from . import countries, signer_input
from .signatures import SignerDetails
from .signer_input import InvalidInput


def _clean(field, clean: Callable[..., str], *args, **kwargs) -> str:
    """Run one rule on a field; keep its message next to the field on failure."""
    try:
        return clean(field.data, *args, **kwargs)
    except InvalidInput as error:
        field.errors.append(str(error))
        return ""


class SignForm(FlaskForm):
    full_name = StringField("Full name", render_kw={"maxlength": 255, "autocomplete": "name"})
    email = EmailField("Email", render_kw={"maxlength": 320, "autocomplete": "email"})
    country = SelectField("Country", validate_choice=False, render_kw={"autocomplete": "country"})
    postcode = StringField(
        "ZIP code or postcode", render_kw={"maxlength": 16, "autocomplete": "postal-code"}
    )
    comment = TextAreaField("Comment (optional)", render_kw={"maxlength": 1000, "rows": 3})
    show_name = BooleanField("Show my name on this page")
    contact_ok = BooleanField("The organizers may contact me about this campaign")
    ref = HiddenField()

    def __init__(self, *args, default_country: str = "US", check_deliverability=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_country = default_country
        self.check_deliverability = check_deliverability
        self.country.choices = list(countries.names().items())
        if not self.country.data:
            self.country.data = default_country
        self.details: SignerDetails | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        name = _clean(self.full_name, signer_input.clean_name)
        email = _clean(self.email, signer_input.clean_email,
                       check_deliverability=self.check_deliverability)
        country = _clean(self.country, signer_input.clean_country, default=self.default_country)
        postcode = _clean(self.postcode, signer_input.clean_postcode, country) if country else ""
        comment = _clean(self.comment, signer_input.clean_comment)
        if self.errors:
            return False
        self.details = SignerDetails(
            full_name=name,
            email=email,
            country=country,
            postcode=postcode,
            comment=comment,
            show_name=bool(self.show_name.data),
            contact_ok=bool(self.contact_ok.data),
            source=_clean_ref(self.ref.data),
        )
        return True


def _clean_ref(value: str | None) -> str:
    """The share channel a signer came from: a short token, or nothing."""
    value = (value or "").strip().lower()[:40]
    return value if value.replace("-", "").replace("_", "").isalnum() and value.isascii() else ""


class ResendForm(FlaskForm):
    email = EmailField("Email", render_kw={"maxlength": 320, "autocomplete": "email"})

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self.clean_email = _clean(self.email, signer_input.clean_email)
        return not self.errors


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the button that confirms."""


class LoginForm(FlaskForm):
    email = EmailField("Email", render_kw={"maxlength": 320, "autocomplete": "username"})
    password = PasswordField("Password", render_kw={"maxlength": 1024, "autocomplete": "current-password"})
