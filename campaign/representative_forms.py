"""Forms of the representatives pages: the postcode to look up, "I contacted them", my district."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField

from . import countries, signer_input
from .forms import _clean


class LookupForm(FlaskForm):
    """A postcode to look up; read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    country = SelectField("Country", validate_choice=False, render_kw={"autocomplete": "country"})
    postcode = StringField("ZIP code or postcode",
                           render_kw={"maxlength": 16, "autocomplete": "postal-code"})

    def __init__(self, *args, default_country: str = "US", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_country = default_country
        self.country.choices = list(countries.names().items())
        if not self.country.data:
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
                self.postcode.errors.append("Please enter your postcode.")
        return not self.errors


class ContactedForm(FlaskForm):
    """Which way a visitor reached an office; the place comes back to return to the same list."""

    channel = StringField()
    country = HiddenField()
    postcode = HiddenField()


class DistrictChoiceForm(FlaskForm):
    """A signer in a shared ZIP code saying which district (and so which member) is theirs."""

    district = RadioField("Which of these is your representative?", validate_choice=True)

    def __init__(self, *args, options: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = options
