"""Forms a visitor sends about events: the RSVP form, and the buttons that confirm or cancel.

They check shape with signing's rules (campaign.signing.signer_input); the event rules live in
campaign.events.rsvps.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField

from campaign.events import rsvps
from campaign.events.rsvps import AttendeeDetails
from campaign.public.forms import _clean
from campaign.signing import signer_input


class RsvpForm(FlaskForm):
    full_name = StringField(_l("Full name"), render_kw={"maxlength": 255, "autocomplete": "name"})
    email = EmailField(_l("Email"), render_kw={"maxlength": 320, "autocomplete": "email"})
    postcode = StringField(_l("ZIP code or postcode"),
                           render_kw={"maxlength": 16, "autocomplete": "postal-code"})
    guests = SelectField(_l("Guests coming with you"), validate_choice=False,
                         choices=[SelectChoice(str(n)) for n in range(rsvps.MAX_GUESTS + 1)], default="0")
    host_may_write = BooleanField(_l("The host may write to me about this event"))

    def __init__(self, *args, country: str = "US", check_deliverability: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Postcodes follow the event's country (an online event's attendees may be anywhere).
        self.postcode_country = country
        self.check_deliverability = check_deliverability
        self.details: AttendeeDetails | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        name = _clean(self.full_name, signer_input.clean_name)
        email = _clean(self.email, signer_input.clean_email,
                       check_deliverability=self.check_deliverability)
        postcode = _clean(self.postcode, signer_input.clean_postcode, self.postcode_country)
        guests = (self.guests.data or "0").strip()
        if not (guests.isascii() and guests.isdigit() and int(guests) <= rsvps.MAX_GUESTS):
            self.guests.errors.append(str(_l("Choose from 0 to %(most)s guests.",
                                             most=rsvps.MAX_GUESTS)))
        if self.errors:
            return False
        self.details = AttendeeDetails(full_name=name, email=email, postcode=postcode,
                                       guests=int(guests),
                                       host_may_write=bool(self.host_may_write.data))
        return True


class RsvpButtonForm(FlaskForm):
    """Only the CSRF token: the button that confirms or cancels an RSVP."""
