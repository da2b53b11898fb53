"""Forms of the organizer area: logging in, filters, campaign fields, actions."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

# The status words as the signer list shows them (the stored values, translated).
STATUS_WORDS = {SignatureStatus.PENDING: _l("pending"), SignatureStatus.CONFIRMED: _l("confirmed"),
                SignatureStatus.INVALIDATED: _l("invalidated"), SignatureStatus.HELD: _l("held")}
STATUS_CHOICES = (
    [SelectChoice("", _l("Any status"))]
    + [SelectChoice(s.value, STATUS_WORDS.get(s, s.value)) for s in SignatureStatus]
    + [SelectChoice(bounces.UNDELIVERABLE, _l("undeliverable (pending; its email failed)"))])


def _day_start(day) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None


class SignerFilterForm(FlaskForm):
    """Which signers to list or act on; read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search name, email or postcode"), render_kw={"maxlength": 200})
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="")
    country = StringField(_l("Country code"), render_kw={"maxlength": 2})
    since = DateField(_l("Signed from (UTC)"), validators=[Optional()])
    until = DateField(_l("Signed up to and including (UTC)"), validators=[Optional()])
    email_domain = StringField(_l("Email domain"), render_kw={"maxlength": 255})
    ip_range = StringField(_l("IP address or network"), render_kw={"maxlength": 64})
    name = StringField(_l("Name contains"), render_kw={"maxlength": 200})
    ip_hash = StringField(_l("IP address hash"), render_kw={"maxlength": 64})
    ip_net_hash = StringField(_l("Network hash"), render_kw={"maxlength": 64})

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
    reason = StringField(_l("Reason (kept in the audit log)"), render_kw={"maxlength": 200})


REASON_MAX = 200


class SignerRowForm(FlaskForm):
    """A button on one signer's row; invalidating it may say why (kept in the audit log)."""

    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=REASON_MAX)],
                         render_kw={"maxlength": REASON_MAX})


class AuditFilterForm(FlaskForm):
    """Which audit entries to list; read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    action = StringField(_l("Action"), validators=[Length(max=60)], render_kw={"maxlength": 60})
    organizer = SelectField(_l("Organizer"), default="")
    campaign = SelectField(_l("Campaign"), default="")
    since = DateField(_l("From (UTC)"), validators=[Optional()])
    until = DateField(_l("Up to and including (UTC)"), validators=[Optional()])

    def offer(self, organizers: list[tuple[int, str]], campaigns: list[tuple[int, str]]) -> None:
        """Fill the organizer and campaign choices in, as (id, label) pairs."""
        self.organizer.choices = [("", _("Anyone"))] + [(str(i), label) for i, label in organizers]
        self.campaign.choices = [("", _("Any campaign"))] + [(str(i), label) for i, label in campaigns]

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

    sure = BooleanField(_l("Yes, delete this signer's personal data for good"))
    filter_query = HiddenField()


# The kinds of action as the action form offers them (the stored values, translated).
KIND_WORDS = {ActionKind.PETITION: _l("petition"), ActionKind.CONTACT: _l("contact"), ActionKind.LETTER: _l("letter"),
              ActionKind.ORGANIZATIONS: _l("organizations"), ActionKind.SHARE: _l("share"),
              ActionKind.EVENT: _l("event"), ActionKind.HOST: _l("host"), ActionKind.TEXT: _l("text")}
ACTION_KINDS = [SelectChoice(k.value, KIND_WORDS.get(k, k.value)) for k in ActionKind]


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
    article_text = TextAreaField(_l("Article text"), render_kw={"rows": 16})
    slug = StringField(_l("Address (optional)"), render_kw={"maxlength": 80})


class CampaignForm(FlaskForm):
    """Every field of a campaign and its article."""

    title = StringField(_l("Title"), render_kw={"maxlength": 300})
    slug = StringField(_l("Address: /c/…"), render_kw={"maxlength": 80})
    petition_text = TextAreaField(_l("Petition text (what signers put their name to)"), render_kw={"rows": 4})
    target = StringField(_l("Addressed to"), render_kw={"maxlength": 300})
    goal = IntegerField(_l("Goal (signatures)"), validators=[NumberRange(min=1, max=100_000_000)])
    goal_fixed = BooleanField(_l("Fixed goal: keep this goal when the count reaches it"))
    milestone_emails = BooleanField(_l("Milestone emails to signers who allowed contact, when a goal is reached"))
    closes_at = DateTimeLocalField(_l("Closes at (UTC, optional)"), validators=[Optional()],
                                   format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    require_confirmation = BooleanField(_l("Signatures count only once confirmed by email"))
    deliver_names = BooleanField(
        _l("Delivery packets list each constituent's name and town (untick: counts only)"), default=True)
    response_threshold = IntegerField(
        _l("Response threshold (optional): confirmed signatures at which delivery is due"),
        validators=[Optional(), NumberRange(min=1, max=100_000_000)])
    default_country = StringField(_l("Signers' default country (code)"), render_kw={"maxlength": 2})
    hashtags = StringField(_l("Hashtags (space or comma separated)"), render_kw={"maxlength": 500})
    commentary = TextAreaField(_l("Commentary (Markdown)"), render_kw={"rows": 8})
    headline = StringField(_l("Article headline"), render_kw={"maxlength": 500})
    source = StringField(_l("Article source"), render_kw={"maxlength": 200})
    source_url = URLField(_l("Article address"), validators=[Optional(), URL(require_tld=False)],
                          render_kw={"maxlength": 2000})
    published_text = StringField(_l("Published (as printed)"), render_kw={"maxlength": 200})
    categories = StringField(_l("Categories (comma separated)"), render_kw={"maxlength": 1000})
    body = TextAreaField(_l("Article text (Markdown)"), render_kw={"rows": 12})

    def validate_title(self, field: StringField) -> None:
        # Shown next to the title, here, rather than failing the emails it is the subject of.
        if store.has_control_characters(field.data or ""):
            raise ValidationError(str(store.TITLE_CONTROLS))

    def hashtag_list(self) -> list[str]:
        return _tags(self.hashtags.data)

    def category_list(self) -> list[str]:
        return [c.strip() for c in (self.categories.data or "").split(",") if c.strip()]


class ContactForm(Form):
    """One official in a contact action."""

    name = StringField(_l("Name"), render_kw={"maxlength": 200})
    office = StringField(_l("Office"), render_kw={"maxlength": 100})
    email = StringField(_l("Email"), render_kw={"maxlength": 320})
    email_verified = BooleanField(_l("Email checked by us"))
    address = StringField(_l("Postal address"), render_kw={"maxlength": 500})
    phone = StringField(_l("Phone"), render_kw={"maxlength": 50})
    contact_form = URLField(_l("Contact form address"), validators=[Optional(), URL(require_tld=False)],
                            render_kw={"maxlength": 1000})
    remove = BooleanField(_l("Remove"))


class ActionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=ACTION_KINDS)
    title = StringField(_l("Title"), render_kw={"maxlength": 300})
    body = TextAreaField(_l("Text"), render_kw={"rows": 3})
    contacts = FieldList(FormField(ContactForm), min_entries=0, max_entries=50)
    what_to_say = TextAreaField(_l("What to say (one point per line)"), render_kw={"rows": 3})
    example = TextAreaField(_l("Example letter"), render_kw={"rows": 5})
    hashtags = StringField(_l("Hashtags"), render_kw={"maxlength": 500})
    organizations = TextAreaField(_l("Organizations (one per line: name | description | link)"),
                                  render_kw={"rows": 4})
    event_what = StringField(_l("What"), render_kw={"maxlength": 500})
    event_when = StringField(_l("When"), render_kw={"maxlength": 200})
    event_where = StringField(_l("Where"), render_kw={"maxlength": 500})
    petition_titles = TextAreaField(_l("Petition titles (one per line)"), render_kw={"rows": 2})

    def organization_list(self) -> list[dict]:
        rows = []
        for line in _lines(self.organizations.data):
            name, _bar, rest = line.partition("|")
            description, _bar, url = rest.partition("|")
            rows.append({"name": name.strip(), "description": description.strip(), "url": url.strip()})
        return rows

    def hashtag_list(self) -> list[str]:
        return _tags(self.hashtags.data)

    def line_list(self, field_name: str) -> list[str]:
        return _lines(getattr(self, field_name).data)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), render_kw={"maxlength": 320, "autocomplete": "username"})
    password = PasswordField(_l("Password"), render_kw={"maxlength": 1024, "autocomplete": "current-password"})


class DeliveryForm(FlaskForm):
    """An office's delivery and answer; an empty delivery date (and no answer) removes the record."""

    delivered_on = DateField(_l("Delivered on"), validators=[Optional()])
    method = SelectField(_l("How"), default="", choices=[SelectChoice("", _l("Choose…"))] + [
        SelectChoice(m.value, answers.METHOD_LABELS[m]) for m in DeliveryMethod])
    with_packet = BooleanField(_l("Delivered with this office’s packet (records the SHA-256 of the "
                                  "PDF last downloaded for it)"))
    answer_status = SelectField(_l("Their answer"), default="", choices=[SelectChoice("", _l("No answer yet"))] + [
        SelectChoice(s.value, answers.STATUS_LABELS[s]) for s in AnswerStatus])
    answered_on = DateField(_l("Answered on"), validators=[Optional()])
    answer_quote = TextAreaField(_l("A quote from the answer (optional)"),
                                 validators=[Length(max=answers.QUOTE_MAX)],
                                 render_kw={"rows": 4, "maxlength": answers.QUOTE_MAX})
    answer_url = StringField(_l("A link to the answer (optional, http:// or https://)"),
                             validators=[Length(max=answers.URL_MAX)],
                             render_kw={"maxlength": answers.URL_MAX})

    def validate_method(self, field: SelectField) -> None:
        if self.delivered_on.data and not field.data:
            raise ValidationError(_("Choose how the petition was delivered."))

    def validate_answer_status(self, field: SelectField) -> None:
        if field.data and not any(self.delivered_on.raw_data or []):
            raise ValidationError(_("Record the delivery (its date) before the answer."))
        if field.data and not any(self.answered_on.raw_data or []):
            raise ValidationError(_("Give the date of the answer too."))

    def validate_answered_on(self, field: DateField) -> None:
        if field.data and not self.answer_status.data:
            raise ValidationError(_("Choose the office’s answer, or leave its date empty."))

    def validate_answer_quote(self, field: TextAreaField) -> None:
        if (field.data or "").strip() and not self.answer_status.data:
            raise ValidationError(_("Choose the office’s answer to keep a quote from it."))

    def validate_answer_url(self, field: StringField) -> None:
        url = (field.data or "").strip()
        if url and not self.answer_status.data:
            raise ValidationError(_("Choose the office’s answer to keep a link to it."))
        if url and not answers.is_web_address(url):
            raise ValidationError(_("The link must be a web address starting with http:// or https://."))

    def answer(self) -> answers.Answer | None:
        """The answer as typed, or None for "no answer yet"."""
        if not self.answer_status.data or not self.answered_on.data:
            return None
        return answers.Answer(self.answer_status.data, self.answered_on.data,
                              (self.answer_quote.data or "").strip(),
                              (self.answer_url.data or "").strip())
