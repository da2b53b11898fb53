"""Forms a visitor sends: signing, confirming, the representatives pages.

They check shape; the rules themselves live in campaign.signing.signer_input.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

from campaign.clock import utcnow
from campaign.models import Campaign
from campaign.places import countries
from campaign.public import page_language
from campaign.signing import signer_input, submission
from campaign.signing.signatures import SignerDetails
from campaign.signing.signer_input import InvalidInput


def _clean(field, clean: Callable[..., str], *args, **kwargs) -> str:
    """Run one rule on a field; keep its message next to the field on failure."""
    try:
        return clean(field.data, *args, **kwargs)
    except InvalidInput as error:
        field.errors.append(str(error))
        return ""


class SignForm(FlaskForm):
    class Meta:
        # No session CSRF token: the page is the same for every visitor (a shared cache may
        # serve it) and the embed has no session. A signed form token and the Origin check
        # (form_tokens) stand in for it.
        csrf = False

    full_name = StringField(_l("Full name"), render_kw={"maxlength": 255, "autocomplete": "name"})
    email = EmailField(_l("Email"), render_kw={"maxlength": 320, "autocomplete": "email"})
    country = SelectField(_l("Country"), validate_choice=False, render_kw={"autocomplete": "country"})
    postcode = StringField(
        _l("ZIP code or postcode"), render_kw={"maxlength": 16, "autocomplete": "postal-code"}
    )
    comment = TextAreaField(_l("Comment (optional)"), render_kw={"maxlength": 1000, "rows": 3})
    show_name = BooleanField(_l("Show my name on this page"))
    contact_ok = BooleanField(_l("The organizers may contact me about this campaign"))
    ref = HiddenField()

    def __init__(self, *args, default_country: str = "US", check_deliverability=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_country = default_country
        self.check_deliverability = check_deliverability
        self.country.choices = list(countries.names().items())
        if not self.country.raw_data:  # not sent: the campaign's; sent empty: refused
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
            language=page_language.interface_language(),
        )
        return True


def sign_form(campaign: Campaign, **kwargs) -> SignForm:
    """The sign form for this campaign (its country preselected); the embedded form shares it."""
    return SignForm(
        default_country=campaign.default_country,
        check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"],
        **kwargs,
    )


def take_signature(campaign: Campaign, form: SignForm) -> submission.Submission:
    """Submit a sign form (signing.submission) with this request's address; it commits."""
    return submission.submit(
        campaign, lambda: form.details if form.validate_on_submit() else None,
        remote_addr=request.remote_addr, secret_key=current_app.config["SECRET_KEY"], now=utcnow())


def _clean_ref(value: str | None) -> str:
    """The share channel a signer came from: a short token, or nothing."""
    return signer_input.clean_source(value)


class ResendForm(FlaskForm):
    email = EmailField(_l("Email"), render_kw={"maxlength": 320, "autocomplete": "email"})

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self.clean_email = _clean(self.email, signer_input.clean_email)
        return not self.errors


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the button that confirms."""


# The representatives pages ---------------------------------------------------------------

class LookupForm(FlaskForm):
    """A postcode to look up; read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    country = SelectField(_l("Country"), validate_choice=False, render_kw={"autocomplete": "country"})
    postcode = StringField(_l("ZIP code or postcode"),
                           render_kw={"maxlength": 16, "autocomplete": "postal-code"})

    def __init__(self, *args, default_country: str = "US", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_country = default_country
        self.country.choices = list(countries.names().items())
        if not self.country.raw_data:  # not sent: the campaign's; sent empty: refused
            self.country.data = default_country
        self.clean_country = ""
        self.clean_postcode = ""

    def validate(self, extra_validators=None) -> bool:
        """The same rules as the sign form; a postcode is needed in every country here."""
        super().validate(extra_validators)
        self.clean_country = _clean(self.country, signer_input.clean_country,
                                    default=self.default_country)
        if self.clean_country:
            self.clean_postcode = _clean(self.postcode, signer_input.clean_postcode,
                                         self.clean_country)
            if not self.clean_postcode and not self.postcode.errors:
                self.postcode.errors.append(str(_l("Please enter your postcode.")))
        return not self.errors


class ContactedForm(FlaskForm):
    """Which way a visitor reached an office; the place comes back to return to the same list."""

    channel = StringField()
    country = HiddenField()
    postcode = HiddenField()


class DistrictChoiceForm(FlaskForm):
    """A signer in a shared ZIP code saying which district (and so which member) is theirs."""

    district = RadioField(_l("Which of these is your representative?"), validate_choice=True)

    def __init__(self, *args, options: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = options
