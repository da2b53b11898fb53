"""Forms of the organizer area: filters, campaign fields, actions."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, SelectChoice, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from .moderation import SignerFilter
from .models import SignatureStatus

STATUS_CHOICES = [SelectChoice("", "Any status")] + [SelectChoice(s.value, s.value) for s in SignatureStatus]


def _day_start(day) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None


class SignerFilterForm(FlaskForm):
    """Which signers to list or act on; read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search name, email or postcode", render_kw={"maxlength": 200})
    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    country = StringField("Country code", render_kw={"maxlength": 2})
    since = DateField("Signed from (UTC)", validators=[Optional()])
    until = DateField("Signed up to and including (UTC)", validators=[Optional()])
    email_domain = StringField("Email domain", render_kw={"maxlength": 255})
    ip_range = StringField("IP address or network", render_kw={"maxlength": 64})
    name = StringField("Name contains", render_kw={"maxlength": 200})

    def to_filter(self) -> SignerFilter:
        until = _day_start(self.until.data)
        return SignerFilter(
            search=(self.q.data or "").strip(),
            status=self.status.data or "",
            country=(self.country.data or "").strip().upper(),
            since=_day_start(self.since.data),
            until=until + timedelta(days=1) if until else None,
            email_domain=(self.email_domain.data or "").strip(),
            ip_range=(self.ip_range.data or "").strip(),
            name=(self.name.data or "").strip(),
        )


class BulkStatusForm(FlaskForm):
    """Confirms a bulk invalidation or restore of the count that was shown."""

    operation = SelectField(choices=[SelectChoice("invalidate"), SelectChoice("restore")])
    expected = IntegerField(validators=[NumberRange(min=0)])
    reason = StringField("Reason (kept in the audit log)", render_kw={"maxlength": 200})


class ConfirmDeleteForm(FlaskForm):
    """Deleting a signer's data is final: the organizer ticks that they mean it."""

    sure = BooleanField("Yes, delete this signer's personal data for good")
    filter_query = HiddenField()
