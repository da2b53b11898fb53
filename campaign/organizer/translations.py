"""A campaign's languages: its own, and its translations edited beside the original."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from campaign import audit
from campaign.extensions import db
from campaign.languages import choice, translations
from campaign.models import Campaign
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp

# The longest each text may be (the columns' sizes; the long texts get a generous cap).
LIMITS = {"title": 300, "target": 300, "article_headline": 500, "petition_text": 5000,
          "article_body": 100_000, "commentary": 20_000}
ACTION_LIMITS = {"title": 300, "body": 20_000}


class OwnLanguageForm(FlaskForm):
    language = SelectField(_l("The campaign is written in"), validate_choice=True)


class TranslationForm(FlaskForm):
    """The translated texts; the actions' fields are added per campaign (translation_form)."""

    title = StringField(_l("Title"), validators=[Length(max=LIMITS["title"])])
    target = StringField(_l("Target"), validators=[Length(max=LIMITS["target"])])
    petition_text = TextAreaField(_l("Petition statement"), validators=[Length(max=LIMITS["petition_text"])],
                                  render_kw={"rows": 4})
    article_headline = StringField(_l("Article headline"), validators=[Length(max=LIMITS["article_headline"])])
    article_body = TextAreaField(_l("Article text"), validators=[Length(max=LIMITS["article_body"])],
                                 render_kw={"rows": 10})
    commentary = TextAreaField(_l("Commentary"), validators=[Length(max=LIMITS["commentary"])],
                               render_kw={"rows": 6})


def _action_field(action_id: int, part: str) -> str:
    return f"action_{action_id}_{part}"


def translation_form(campaign: Campaign, values: translations.TranslationValues | None = None) -> TranslationForm:
    """The form for this campaign's texts: the fixed ones, then a title and a text per action."""

    class CampaignTranslationForm(TranslationForm):
        pass

    for action in campaign.actions:
        setattr(CampaignTranslationForm, _action_field(action.id, "title"),
                StringField(_l("Action title"), validators=[Length(max=ACTION_LIMITS["title"])]))
        setattr(CampaignTranslationForm, _action_field(action.id, "body"),
                TextAreaField(_l("Action text"), validators=[Length(max=ACTION_LIMITS["body"])],
                              render_kw={"rows": 4}))
    if values is None:
        return CampaignTranslationForm()
    data = {name: getattr(values, name) for name in translations.FIELDS}
    for key, texts in values.actions.items():
        for part in translations.ACTION_FIELDS:
            data[f"action_{key}_{part}"] = texts.get(part, "")
    return CampaignTranslationForm(data=data)


def _values(campaign: Campaign, form: TranslationForm) -> translations.TranslationValues:
    actions = {str(action.id): {part: form[_action_field(action.id, part)].data or ""
                                for part in translations.ACTION_FIELDS}
               for action in campaign.actions}
    return translations.TranslationValues(
        **{name: form[name].data or "" for name in translations.FIELDS}, actions=actions)


def _language_or_404(campaign: Campaign, language: str) -> str:
    """A language this campaign may be translated into (one of ours, not its own)."""
    if language not in translations.supported() or language == campaign.language:
        abort(404)
    return language


def _own_language_form(campaign: Campaign) -> OwnLanguageForm:
    form = OwnLanguageForm(language=campaign.language)
    form.language.choices = [(code, choice.autonym(code)) for code in translations.supported()]
    return form


@bp.get("/c/<slug>/translations")
def translations_page(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    return _overview(campaign, _own_language_form(campaign))


def _overview(campaign: Campaign, own_form: OwnLanguageForm, status: int = 200):
    stored = {t.language: t for t in translations.translations_of(campaign)}
    rows = [{"code": code, "name": choice.autonym(code), "translation": stored.get(code),
             "missing": translations.missing_parts(campaign, code) if code in stored else []}
            for code in translations.supported() if code != campaign.language]
    return render_template("organizer/translations/index.html", campaign=campaign, own_form=own_form,
                           rows=rows, own_name=choice.autonym(campaign.language)), status


@bp.post("/c/<slug>/translations/language")
def set_campaign_language(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    form = _own_language_form(campaign)
    if not form.validate_on_submit():
        return _overview(campaign, form, 422)
    before = campaign.language
    try:
        translations.set_own_language(campaign, form.language.data)
    except translations.TranslationRefused as refused:
        form.language.errors = [*form.language.errors, str(refused)]
        return _overview(campaign, form, 422)
    if campaign.language != before:
        audit.record("campaign.language_set", organizer=current_organizer(), campaign=campaign,
                     language=campaign.language, was=before)
        db.session.commit()
        flash(_("The campaign's language is now %(language)s.", language=choice.autonym(campaign.language)))
    return redirect(url_for(".translations_page", slug=slug), 303)


@bp.route("/c/<slug>/translations/<language>", methods=["GET", "POST"])
def edit_translation(slug: str, language: str):
    """Add or edit the translation into one language, each text beside the original."""
    campaign = campaign_or_404(current_organizer(), slug)
    language = _language_or_404(campaign, language)
    translation = translations.get(campaign, language)
    if request.method == "GET":
        form = translation_form(campaign, translations.values_of(translation))
        return _edit_page(campaign, language, form, translation is not None)
    form = translation_form(campaign)
    if not form.validate_on_submit():
        return _edit_page(campaign, language, form, translation is not None, 422)
    translations.save(campaign, language, _values(campaign, form))
    audit.record("campaign.translation_saved", organizer=current_organizer(), campaign=campaign,
                 language=language, added=translation is None)
    db.session.commit()
    flash(_("The translation into %(language)s is saved.", language=choice.autonym(language)))
    return redirect(url_for(".edit_translation", slug=slug, language=language), 303)


def _edit_page(campaign: Campaign, language: str, form: TranslationForm, exists: bool, status: int = 200):
    # A text the original leaves empty has nothing to translate (unless a translation remains).
    originals = translations.original_texts(campaign)
    rows = [(form[name], originals[name]) for name in translations.FIELDS
            if originals[name].strip() or form[name].data]
    actions = [(action, [(form[_action_field(action.id, part)], getattr(action, part) or "")
                         for part in translations.ACTION_FIELDS
                         if (getattr(action, part) or "").strip() or form[_action_field(action.id, part)].data])
               for action in campaign.actions]
    return render_template(
        "organizer/translations/edit.html", campaign=campaign, form=form, rows=rows, actions=actions,
        language=language, language_name=choice.autonym(language), exists=exists,
        own_language=campaign.language, own_name=choice.autonym(campaign.language),
        missing=translations.missing_parts(campaign, language) if exists else [],
    ), status


@bp.post("/c/<slug>/translations/<language>/remove")
def remove_translation(slug: str, language: str):
    campaign = campaign_or_404(current_organizer(), slug)
    language = _language_or_404(campaign, language)
    if translations.remove(campaign, language):
        audit.record("campaign.translation_removed", organizer=current_organizer(), campaign=campaign,
                     language=language)
        db.session.commit()
        flash(_("The translation into %(language)s is removed.", language=choice.autonym(language)))
    return redirect(url_for(".translations_page", slug=slug), 303)

