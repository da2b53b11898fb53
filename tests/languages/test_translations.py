"""A campaign in several languages: each language's page, one count, and emails in the signer's."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.languages import translations
from campaign.mail import backends, outbox
from campaign.models import ActionKind, Article, OutboxMessage, Signature
from campaign.updates import segments, sending
from campaign.updates import store as update_store
from tests.helpers import FIXTURES, confirm_link, outbox_messages, shared_example, signatures

SPANISH = translations.TranslationValues(
    title="Mantengan limpio el río",
    target="La Junta del Condado",
    petition_text="Pedimos al condado que detenga los vertidos.",
    article_headline="Una fábrica vierte en el río",
    article_body="La fábrica vierte residuos cada noche.\n\nLos vecinos lo han visto.",
    commentary="El río es de todos.",
)


@pytest.fixture
def bilingual(app, make_campaign):
    """An open English campaign with an article and two actions, translated into Spanish but
    for its second action; its slug and action ids."""
    slug = make_campaign(title="Keep the river clean", petition_text="We ask the county to stop the dumping.",
                         require_confirmation=True)
    with app.app_context():
        campaign = store.get_by_slug(slug)
        campaign.article = Article(headline="A factory dumps into the river",
                                   body="The factory dumps waste every night.\n\nNeighbours saw it.")
        share = store.add_action(campaign, kind=ActionKind.TEXT, title="Tell a friend", body="Share the page.")
        meeting = store.add_action(campaign, kind=ActionKind.TEXT, title="Come to the meeting",
                                   body="Tuesday at the library.")
        db.session.flush()
        values = translations.TranslationValues(
            **{name: getattr(SPANISH, name) for name in translations.FIELDS},
            actions={str(share.id): {"title": "Cuéntaselo a una amiga", "body": "Comparte la página."}})
        translations.save(campaign, "es", values)
        db.session.commit()
        ids = (share.id, meeting.id)
        db.session.remove()
    return {"slug": slug, "share_id": ids[0], "meeting_id": ids[1]}


def _text(response) -> str:
    return html.unescape(response.text)


def _h1(page: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)[1]


# The domain ------------------------------------------------------------------------------------

def test_localized_falls_back_field_by_field_and_action_by_action(app, bilingual):
    with app.app_context():
        campaign = store.get_by_slug(bilingual["slug"])
        with db.session.no_autoflush:
            translation = translations.get(campaign, "es")
            translation.commentary = ""  # not translated: the original shows
        seen = translations.localized(campaign, "es")
        assert seen.language == "es"
        assert (seen.title, seen.target, seen.petition_text) == (SPANISH.title, SPANISH.target, SPANISH.petition_text)
        assert seen.article.headline == SPANISH.article_headline
        assert seen.article.paragraphs == ["La fábrica vierte residuos cada noche.", "Los vecinos lo han visto."]
        assert seen.article.source == campaign.article.source  # untranslated parts are the original's
        assert [(a.title, a.body) for a in seen.actions] == [
            ("Cuéntaselo a una amiga", "Comparte la página."), ("Come to the meeting", "Tuesday at the library.")]
        assert (seen.slug, seen.goal, seen.id) == (campaign.slug, campaign.goal, campaign.id)
        english = translations.localized(campaign, "en")
        assert (english.language, english.title) == ("en", "Keep the river clean")
        # A language with no translation shows the original, and says which language it is in.
        assert translations.localized(campaign, "fr").language == "en"
        db.session.rollback()


def test_languages_of_lists_the_own_language_first_then_the_translations(app, bilingual):
    with app.app_context():
        campaign = store.get_by_slug(bilingual["slug"])
        assert translations.languages_of(campaign) == ["en", "es"]
        translations.remove(campaign, "es")
        db.session.commit()
        assert translations.languages_of(campaign) == ["en"]


def test_missing_parts_name_each_untranslated_text(app, bilingual):
    with app.app_context():
        campaign = store.get_by_slug(bilingual["slug"])
        missing = translations.missing_parts(campaign, "es")
        assert [(part.name, part.action_title) for part in missing] == [
            (f"action:{bilingual['meeting_id']}:title", "Come to the meeting"),
            (f"action:{bilingual['meeting_id']}:body", "Come to the meeting")]
        untranslated = translations.missing_parts(campaign, "fr")
        assert [part.name for part in untranslated][:3] == ["title", "target", "petition_text"]


@pytest.mark.parametrize(("language", "problem"), [("en", "own language"), ("fr", "not one of"), ("", "not one of")])
def test_a_translation_only_into_another_of_the_sites_languages(app, bilingual, language, problem):
    with app.app_context():
        campaign = store.get_by_slug(bilingual["slug"])
        with pytest.raises(translations.TranslationRefused, match=problem):
            translations.save(campaign, language, SPANISH)


def test_the_own_language_cannot_take_a_translated_language(app, bilingual):
    with app.app_context():
        campaign = store.get_by_slug(bilingual["slug"])
        with pytest.raises(translations.TranslationRefused, match="remove it first"):
            translations.set_own_language(campaign, "es")
        translations.remove(campaign, "es")
        translations.set_own_language(campaign, "es")
        db.session.commit()
        assert store.get_by_slug(bilingual["slug"]).language == "es"


def test_saving_keeps_only_the_campaigns_own_actions(app, bilingual):
    with app.app_context():
        campaign = store.get_by_slug(bilingual["slug"])
        values = translations.TranslationValues(title="Título", actions={
            "999999": {"title": "Otra"}, str(bilingual["meeting_id"]): {"title": "Ven a la reunión", "body": ""}})
        translations.save(campaign, "es", values)
        db.session.commit()
        assert translations.get(campaign, "es").actions == {
            str(bilingual["meeting_id"]): {"title": "Ven a la reunión", "body": ""}}


# The pages -------------------------------------------------------------------------------------

@pytest.mark.parametrize("ask", [{"query_string": {"lang": "es"}}, {"headers": {"Accept-Language": "es-ES,es;q=0.9"}}],
                         ids=["explicit", "browser"])
def test_the_spanish_page_shows_the_spanish_text(client, bilingual, ask):
    page = client.get(f"/c/{bilingual['slug']}", **ask)
    assert page.status_code == 200
    text = _text(page)
    assert _h1(text) == SPANISH.title
    assert SPANISH.petition_text in text and "We ask the county" not in text
    assert SPANISH.article_headline in text and "La fábrica vierte residuos" in text
    assert "Cuéntaselo a una amiga" in text and "Comparte la página." in text
    assert "Come to the meeting" in text  # no translation of this action: the original
    assert '<html lang="es"' in text
    assert "written in" not in text.lower()


def test_the_english_page_shows_the_english_text(client, bilingual):
    for headers in ({}, {"Accept-Language": "en-US,en;q=0.9"}):
        text = _text(client.get(f"/c/{bilingual['slug']}", headers=headers))
        assert _h1(text) == "Keep the river clean"
        assert "We ask the county to stop the dumping." in text and SPANISH.petition_text not in text
        assert "Tell a friend" in text and "Cuéntaselo" not in text
        assert '<html lang="en"' in text


def test_each_language_page_links_to_the_others(client, bilingual, app):
    slug = bilingual["slug"]
    english = _text(client.get(f"/c/{slug}"))
    spanish = _text(client.get(f"/c/{slug}?lang=es"))
    base = "http://localhost"
    for page in (english, spanish):
        assert f'<link rel="alternate" hreflang="en" href="{base}/c/{slug}?lang=en">' in page
        assert f'<link rel="alternate" hreflang="es" href="{base}/c/{slug}?lang=es">' in page
        assert f'<link rel="alternate" hreflang="x-default" href="{base}/c/{slug}">' in page
    # The visible "Also in" names the other language, in that language.
    assert re.search(rf'<a href="{base}/c/{slug}\?lang=es" hreflang="es" lang="es"[^>]*>Español</a>', english)
    assert re.search(rf'<a href="{base}/c/{slug}\?lang=en" hreflang="en" lang="en"[^>]*>English</a>', spanish)


def test_a_campaign_without_a_translation_says_its_language_on_a_spanish_page(client, make_campaign):
    slug = make_campaign(title="Fix the bridge")
    text = _text(client.get(f"/c/{slug}?lang=es"))
    assert '<html lang="es"' in text
    assert '<h1 lang="en">Fix the bridge</h1>' in text  # its text is marked as English
    assert 'class="notice campaign-language"' in text and "inglés" in text
    assert "hreflang=\"es\" href=\"http://localhost/c/" not in text.split("</head>")[0].replace(
        f"/c/{slug}?lang=en", "")  # no Spanish alternate of a page that has no Spanish text
    assert "Also in" not in text and "También" not in text


def test_the_page_cache_keeps_one_copy_per_language(client, bilingual):
    slug = bilingual["slug"]
    assert _h1(_text(client.get(f"/c/{slug}"))) == "Keep the river clean"
    assert _h1(_text(client.get(f"/c/{slug}", headers={"Accept-Language": "es"}))) == SPANISH.title
    assert _h1(_text(client.get(f"/c/{slug}"))) == "Keep the river clean"
    assert "Accept-Language" in client.get(f"/c/{slug}").headers.get("Vary", "")


def test_an_edited_translation_shows_at_once(client, app, bilingual):
    slug = bilingual["slug"]
    assert _h1(_text(client.get(f"/c/{slug}?lang=es"))) == SPANISH.title
    with app.app_context():
        campaign = store.get_by_slug(slug)
        translations.save(campaign, "es", translations.TranslationValues(title="Salven el río"))
        db.session.commit()
    assert _h1(_text(client.get(f"/c/{slug}?lang=es"))) == "Salven el río"


def test_the_social_card_of_the_spanish_page_is_the_spanish_one(client, bilingual):
    slug = bilingual["slug"]
    spanish = _text(client.get(f"/c/{slug}?lang=es"))
    card = re.search(r'<meta property="og:image" content="([^"]+)"', spanish)[1]
    assert "lang=es" in card
    assert f'<meta property="og:title" content="{SPANISH.title}">' in spanish
    english = _text(client.get(f"/c/{slug}"))
    assert "lang=" not in re.search(r'<meta property="og:image" content="([^"]+)"', english)[1]
    image = client.get(card.replace("http://localhost", ""))
    assert image.status_code == 200 and image.mimetype == "image/png"


# Signing: one count, the signer's language stored --------------------------------------------

def _deliver(app) -> None:
    with app.app_context():
        outbox.deliver_due(now=utcnow())
        db.session.remove()


def test_signing_on_the_spanish_page_stores_spanish_and_raises_the_one_count(app, client, bilingual, signer):
    slug = bilingual["slug"]
    signed = client.post(f"/c/{slug}/sign?lang=es", data=signer())
    assert signed.status_code == 303
    assert signed.headers["Location"].endswith(f"/c/{slug}/signed?lang=es")
    assert client.post(f"/c/{slug}/sign", data=signer(full_name="Bea Browser", email="bea@example.org"),
                       headers={"Accept-Language": "es"}).status_code == 303
    assert client.post(f"/c/{slug}/sign", data=signer(full_name="Ed English", email="ed@example.org"),
                       headers={"Accept-Language": "en"}).status_code == 303
    with app.app_context():
        assert [(s.email, s.language) for s in signatures()] == [
            ("ada@example.org", "es"), ("bea@example.org", "es"), ("ed@example.org", "en")]
        [to_ada, _to_bea, to_ed] = outbox_messages()
        db.session.remove()
    # The Spanish signer's confirmation: Spanish title, rendered with the Spanish locale, and
    # its link leads back to the Spanish pages.
    assert to_ada.subject.endswith(f": {SPANISH.title}")
    assert SPANISH.title in to_ada.body and "Keep the river clean" not in to_ada.body
    assert f"/c/{slug}/confirm/{outbox.TOKEN_PLACEHOLDER}?lang=es" in to_ada.body
    assert to_ed.subject == "Please confirm your signature: Keep the river clean"
    assert "?lang=" not in to_ed.body.split("Remove this signature")[0]

    # Confirming the Spanish signature raises the count the English page shows.
    before = _count(client.get(f"/c/{slug}"))
    _deliver(app)
    body = next(m for m in backends.memory_outbox if m["To"] == "ada@example.org").get_body(("plain",)).get_content()
    link = confirm_link(body)
    assert client.post(link, query_string={"lang": "es"}).status_code == 303
    assert _count(client.get(f"/c/{slug}")) == before + 1
    assert _count(client.get(f"/c/{slug}?lang=es")) == before + 1


def _count(response) -> int:
    return int(re.search(r'class="count-number">([\d,.\s]+)<', response.text)[1].replace(",", "").replace(".", ""))


def test_the_confirmation_email_speaks_the_signers_locale(app, bilingual):
    """The fixed text goes through the catalog of the signer's language: a string the Spanish
    catalog has comes out in Spanish (checked on the catalog itself, whatever it holds)."""
    from flask_babel import force_locale, gettext

    from campaign.signing import signer_mail

    with app.test_request_context("/"):
        with force_locale("es"):
            spanish_subject = gettext("Please confirm your signature")
        campaign = store.get_by_slug(bilingual["slug"])
        signature = Signature(campaign_id=campaign.id, full_name="Ada", email="ada@example.org",
                              email_key="ada@example.org", country="US", language="es")
        db.session.add(signature)
        db.session.flush()
        signer_mail.send_confirmation(campaign, signature, now=utcnow(), first=True)
        message = db.session.scalar(select(OutboxMessage))
        assert message.subject == f"{spanish_subject}: {SPANISH.title}"
        db.session.rollback()


def test_the_embedded_form_stores_the_language_too(app, client, bilingual, signer):
    slug = bilingual["slug"]
    framed = client.get(f"/c/{slug}/embed?lang=es")
    assert SPANISH.title in _text(framed)
    assert f'action="/c/{slug}/embed/sign?lang=es"' in framed.text
    token = re.search(r'name="form_token" value="([^"]+)"', framed.text)[1]
    answer = client.post(f"/c/{slug}/embed/sign?lang=es", data=signer(form_token=token),
                         headers={"Origin": "http://localhost"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/c/{slug}/embed/signed?lang=es")
    with app.app_context():
        assert [s.language for s in signatures()] == ["es"]


def test_the_deletion_email_speaks_the_language_it_was_asked_in(app, client, bilingual, signer):
    slug = bilingual["slug"]
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    assert client.post("/delete-my-data?lang=es", data={"email": "ada@example.org"}).status_code == 200
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "data_request"))
        assert f"- {SPANISH.title}" in message.body


def test_updates_go_out_in_each_signers_language(app, bilingual):
    with app.app_context():
        campaign = store.get_by_slug(bilingual["slug"])
        for name, email, language in [("Ana", "ana@example.org", "es"), ("Ed", "ed@example.org", "en")]:
            db.session.add(Signature(campaign_id=campaign.id, full_name=name, email=email, email_key=email,
                                     country="US", status="confirmed", contact_ok=True, language=language,
                                     confirmed_at=utcnow()))
        update = update_store.create(campaign, title="The vote is Tuesday", body="Come along.",
                                     organizer=None, now=utcnow())
        db.session.flush()
        sending.send(campaign, update, segments.Segment(), expected=2, organizer=None, now=utcnow())
        db.session.commit()
        sending.feed(utcnow())
        db.session.commit()
        sent = {m.to_address: m for m in outbox_messages() if m.kind == "update"}
        db.session.remove()
    assert sent["ana@example.org"].subject == f"The vote is Tuesday · {SPANISH.title}"
    assert SPANISH.title in sent["ana@example.org"].body
    assert f"/c/{bilingual['slug']}?lang=es" in sent["ana@example.org"].body
    assert sent["ed@example.org"].subject == "The vote is Tuesday · Keep the river clean"
    assert SPANISH.title not in sent["ed@example.org"].body


# The importer ----------------------------------------------------------------------------------

def test_the_importer_records_a_spanish_articles_language(app, runner):
    result = runner.invoke(args=["import-article", str(FIXTURES / "languages" / "es-rio-vertidos.txt"),
                                 "--slug", "rio-verde"])
    assert result.exit_code == 0, result.output
    assert "The article reads as Español" in result.output
    with app.app_context():
        assert store.get_by_slug("rio-verde").language == "es"


def test_the_importer_keeps_english_for_the_shared_example(app, runner):
    result = runner.invoke(args=["import-article", str(shared_example()), "--slug", "example"])
    assert result.exit_code == 0, result.output
    assert "reads as" not in result.output
    with app.app_context():
        assert store.get_by_slug("example").language == "en"


def test_a_reimport_leaves_the_language_the_organizer_chose(app, runner):
    path = str(FIXTURES / "languages" / "es-rio-vertidos.txt")
    assert runner.invoke(args=["import-article", path, "--slug", "rio-verde"]).exit_code == 0
    with app.app_context():
        campaign = store.get_by_slug("rio-verde")
        translations.set_own_language(campaign, "en")
        db.session.commit()
    assert runner.invoke(args=["import-article", path, "--slug", "rio-verde"]).exit_code == 0
    with app.app_context():
        assert store.get_by_slug("rio-verde").language == "en"


def test_the_public_document_lists_each_language_and_its_page(client, bilingual):
    slug = bilingual["slug"]
    data = client.get(f"/c/{slug}.json").get_json()
    assert data["language"] == "en"
    assert data["languages"] == [
        {"code": "en", "title": "Keep the river clean", "url": f"http://localhost/c/{slug}?lang=en"},
        {"code": "es", "title": SPANISH.title, "url": f"http://localhost/c/{slug}?lang=es"}]
    assert data["title"] == "Keep the river clean"  # the document itself stays in the original


def test_the_list_of_open_campaigns_shows_each_title_in_the_pages_language(client, bilingual, make_campaign):
    make_campaign(title="Fix the bridge")
    spanish = _text(client.get("/?lang=es"))
    assert SPANISH.title in spanish and "Fix the bridge" in spanish and "Keep the river clean" not in spanish
    english = _text(client.get("/"))
    assert "Keep the river clean" in english and SPANISH.title not in english


def test_the_removal_link_of_a_spanish_signer_leads_to_a_spanish_page(app, client, bilingual, signer):
    slug = bilingual["slug"]
    assert client.post(f"/c/{slug}/sign", data=signer(), headers={"Accept-Language": "es"}).status_code == 303
    with app.app_context():
        [message] = outbox_messages()
    link = re.search(rf"http://localhost(/c/{slug}/remove/\S+)", message.body)[1]
    assert link.endswith("?lang=es")
    page = _text(app.test_client().get(link))
    assert '<html lang="es"' in page and SPANISH.title in page and "Keep the river clean" not in page
