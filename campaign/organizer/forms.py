"""Forms of the organizer area: logging in, filters, campaign fields, actions."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, Length, NumberRange, Optional, ValidationError

from campaign.audit import AuditFilter
from campaign.campaigns import store
from campaign.delivery import answers
from campaign.models import ActionKind, AnswerStatus, DeliveryMethod, SignatureStatus
from campaign.signing import bounces
from campaign.signing.moderation import SignerFilter

STATUS_CHOICES = (
    [SelectChoice("", "Any status")] + [SelectChoice(s.value, s.value) for s in SignatureStatus]
    + [SelectChoice(bounces.UNDELIVERABLE, "undeliverable (pending; its email failed)")])


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
    ip_hash = StringField("IP address hash", render_kw={"maxlength": 64})
    ip_net_hash = StringField("Network hash", render_kw={"maxlength": 64})

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
            ip_hash=(self.ip_hash.data or "").strip(),
            ip_net_hash=(self.ip_net_hash.data or "").strip(),
        )


class BulkStatusForm(FlaskForm):
    """Confirms a bulk invalidation, restore or release (of held ones) of the count that was shown."""

    operation = SelectField(choices=[SelectChoice("invalidate"), SelectChoice("restore"),
                                     SelectChoice("release")])
    expected = IntegerField(validators=[NumberRange(min=0)])
    reason = StringField("Reason (kept in the audit log)", render_kw={"maxlength": 200})


REASON_MAX = 200


class SignerRowForm(FlaskForm):
    """A button on one signer's row; invalidating it may say why (kept in the audit log)."""

    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=REASON_MAX)],
                         render_kw={"maxlength": REASON_MAX})


class AuditFilterForm(FlaskForm):
    """Which audit entries to list; read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    action = StringField("Action", validators=[Length(max=60)], render_kw={"maxlength": 60})
    organizer = SelectField("Organizer", default="")
    campaign = SelectField("Campaign", default="")
    since = DateField("From (UTC)", validators=[Optional()])
    until = DateField("Up to and including (UTC)", validators=[Optional()])

    def offer(self, organizers: list[tuple[int, str]], campaigns: list[tuple[int, str]]) -> None:
        """Fill the organizer and campaign choices in, as (id, label) pairs."""
        self.organizer.choices = [("", "Anyone")] + [(str(i), label) for i, label in organizers]
        self.campaign.choices = [("", "Any campaign")] + [(str(i), label) for i, label in campaigns]

    def to_filter(self) -> AuditFilter:
        until = _day_start(self.until.data)
        return AuditFilter(
            action=(self.action.data or "").strip(),
            organizer_id=int(self.organizer.data) if self.organizer.data else None,
            campaign_id=int(self.campaign.data) if self.campaign.data else None,
            since=_day_start(self.since.data),
            until=until + timedelta(days=1) if until else None,
        )


class ConfirmDeleteForm(FlaskForm):
    """Deleting a signer's data is final: the organizer ticks that they mean it."""

    sure = BooleanField("Yes, delete this signer's personal data for good")
    filter_query = HiddenField()


ACTION_KINDS = [SelectChoice(k.value, k.value) for k in ActionKind]


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _tags(text: str | None) -> list[str]:
    tags: list[str] = []
    for tag in (text or "").replace(",", " ").split():
        tag = tag.lstrip("#")
        if tag and tag not in tags:
            tags.append(tag)
    return tags


class NewFromArticleForm(FlaskForm):
    article_text = TextAreaField("Article text", render_kw={"rows": 16})
    slug = StringField("Address (optional)", render_kw={"maxlength": 80})


class CampaignForm(FlaskForm):
    """Every field of a campaign and its article."""

    title = StringField("Title", render_kw={"maxlength": 300})
    slug = StringField("Address: /c/…", render_kw={"maxlength": 80})
    petition_text = TextAreaField("Petition text (what signers put their name to)", render_kw={"rows": 4})
    target = StringField("Addressed to", render_kw={"maxlength": 300})
    goal = IntegerField("Goal (signatures)", validators=[NumberRange(min=1, max=100_000_000)])
    goal_fixed = BooleanField("Fixed goal: keep this goal when the count reaches it")
    milestone_emails = BooleanField("Milestone emails to signers who allowed contact, when a goal is reached")
    closes_at = DateTimeLocalField("Closes at (UTC, optional)", validators=[Optional()],
                                   format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    require_confirmation = BooleanField("Signatures count only once confirmed by email")
    deliver_names = BooleanField(
        "Delivery packets list each constituent's name and town (untick: counts only)", default=True)
    response_threshold = IntegerField(
        "Response threshold (optional): confirmed signatures at which delivery is due",
        validators=[Optional(), NumberRange(min=1, max=100_000_000)])
    default_country = StringField("Signers' default country (code)", render_kw={"maxlength": 2})
    hashtags = StringField("Hashtags (space or comma separated)", render_kw={"maxlength": 500})
    commentary = TextAreaField("Commentary (Markdown)", render_kw={"rows": 8})
    headline = StringField("Article headline", render_kw={"maxlength": 500})
    source = StringField("Article source", render_kw={"maxlength": 200})
    source_url = URLField("Article address", validators=[Optional(), URL(require_tld=False)],
                          render_kw={"maxlength": 2000})
    published_text = StringField("Published (as printed)", render_kw={"maxlength": 200})
    categories = StringField("Categories (comma separated)", render_kw={"maxlength": 1000})
    body = TextAreaField("Article text (Markdown)", render_kw={"rows": 12})

    def validate_title(self, field: StringField) -> None:
        # Shown next to the title, here, rather than failing the emails it is the subject of.
        if store.has_control_characters(field.data or ""):
            raise ValidationError(store.TITLE_CONTROLS)

    def hashtag_list(self) -> list[str]:
        return _tags(self.hashtags.data)

    def category_list(self) -> list[str]:
        return [c.strip() for c in (self.categories.data or "").split(",") if c.strip()]


class ContactForm(Form):
    """One official in a contact action."""

    name = StringField("Name", render_kw={"maxlength": 200})
    office = StringField("Office", render_kw={"maxlength": 100})
    email = StringField("Email", render_kw={"maxlength": 320})
    email_verified = BooleanField("Email checked by us")
    address = StringField("Postal address", render_kw={"maxlength": 500})
    phone = StringField("Phone", render_kw={"maxlength": 50})
    contact_form = URLField("Contact form address", validators=[Optional(), URL(require_tld=False)],
                            render_kw={"maxlength": 1000})
    remove = BooleanField("Remove")


class ActionForm(FlaskForm):
    kind = SelectField("Kind", choices=ACTION_KINDS)
    title = StringField("Title", render_kw={"maxlength": 300})
    body = TextAreaField("Text", render_kw={"rows": 3})
    contacts = FieldList(FormField(ContactForm), min_entries=0, max_entries=50)
    what_to_say = TextAreaField("What to say (one point per line)", render_kw={"rows": 3})
    example = TextAreaField("Example letter", render_kw={"rows": 5})
    hashtags = StringField("Hashtags", render_kw={"maxlength": 500})
    organizations = TextAreaField("Organizations (one per line: name | description | link)",
                                  render_kw={"rows": 4})
    event_what = StringField("What", render_kw={"maxlength": 500})
    event_when = StringField("When", render_kw={"maxlength": 200})
    event_where = StringField("Where", render_kw={"maxlength": 500})
    petition_titles = TextAreaField("Petition titles (one per line)", render_kw={"rows": 2})

    def organization_list(self) -> list[dict]:
        rows = []
        for line in _lines(self.organizations.data):
            name, _, rest = line.partition("|")
            description, _, url = rest.partition("|")
            rows.append({"name": name.strip(), "description": description.strip(), "url": url.strip()})
        return rows

    def hashtag_list(self) -> list[str]:
        return _tags(self.hashtags.data)

    def line_list(self, field_name: str) -> list[str]:
        return _lines(getattr(self, field_name).data)


class LoginForm(FlaskForm):
    email = EmailField("Email", render_kw={"maxlength": 320, "autocomplete": "username"})
    password = PasswordField("Password", render_kw={"maxlength": 1024, "autocomplete": "current-password"})


class DeliveryForm(FlaskForm):
    """An office's delivery and answer; an empty delivery date (and no answer) removes the record."""

    delivered_on = DateField("Delivered on", validators=[Optional()])
    method = SelectField("How", default="", choices=[SelectChoice("", "Choose…")] + [
        SelectChoice(m.value, answers.METHOD_LABELS[m]) for m in DeliveryMethod])
    with_packet = BooleanField("Delivered with this office’s packet (records the SHA-256 of the "
                               "PDF last downloaded for it)")
    answer_status = SelectField("Their answer", default="", choices=[SelectChoice("", "No answer yet")] + [
        SelectChoice(s.value, answers.STATUS_LABELS[s]) for s in AnswerStatus])
    answered_on = DateField("Answered on", validators=[Optional()])
    answer_quote = TextAreaField("A quote from the answer (optional)",
                                 validators=[Length(max=answers.QUOTE_MAX)],
                                 render_kw={"rows": 4, "maxlength": answers.QUOTE_MAX})
    answer_url = StringField("A link to the answer (optional, http:// or https://)",
                             validators=[Length(max=answers.URL_MAX)],
                             render_kw={"maxlength": answers.URL_MAX})

    def validate_method(self, field: SelectField) -> None:
        if self.delivered_on.data and not field.data:
            raise ValidationError("Choose how the petition was delivered.")

    def validate_answer_status(self, field: SelectField) -> None:
        if field.data and not any(self.delivered_on.raw_data or []):
            raise ValidationError("Record the delivery (its date) before the answer.")
        if field.data and not any(self.answered_on.raw_data or []):
            raise ValidationError("Give the date of the answer too.")

    def validate_answered_on(self, field: DateField) -> None:
        if field.data and not self.answer_status.data:
            raise ValidationError("Choose the office’s answer, or leave its date empty.")

    def validate_answer_quote(self, field: TextAreaField) -> None:
        if (field.data or "").strip() and not self.answer_status.data:
            raise ValidationError("Choose the office’s answer to keep a quote from it.")

    def validate_answer_url(self, field: StringField) -> None:
        url = (field.data or "").strip()
        if url and not self.answer_status.data:
            raise ValidationError("Choose the office’s answer to keep a link to it.")
        if url and not answers.is_web_address(url):
            raise ValidationError("The link must be a web address starting with http:// or https://.")

    def answer(self) -> answers.Answer | None:
        """The answer as typed, or None for "no answer yet"."""
        if not self.answer_status.data or not self.answered_on.data:
            return None
        return answers.Answer(self.answer_status.data, self.answered_on.data,
                              (self.answer_quote.data or "").strip(),
                              (self.answer_url.data or "").strip())
