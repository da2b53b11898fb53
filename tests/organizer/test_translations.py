"""The Translations tab: the campaign's own language, and its translations beside the original."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.extensions import db
from campaign.languages import translations
from campaign.models import ActionKind, Article, AuditEntry, CampaignTranslation
from tests.helpers import database_snapshot


@pytest.fixture
def owned(app, make_campaign, make_organizer, login, client):
    """An English campaign with an article and an action, owned by the logged-in organizer."""
    slug = make_campaign(title="Keep the river clean", petition_text="Stop the dumping.")
    with app.app_context():
        campaign = store.get_by_slug(slug)
        campaign.article = Article(headline="A factory dumps into the river", body="Every night.")
        action = store.add_action(campaign, kind=ActionKind.TEXT, title="Tell a friend", body="Share the page.")
        db.session.commit()
        action_id = action.id
        db.session.remove()
    login(client, make_organizer("owner@example.org", campaigns_owned=[slug]))
    return {"slug": slug, "action_id": action_id}


def _text(response) -> str:
    return html.unescape(response.text)


def _spanish_form(action_id: int, **changes) -> dict:
    data = {"title": "Mantengan limpio el río", "target": "", "petition_text": "Detengan los vertidos.",
            "article_headline": "Una fábrica vierte en el río", "article_body": "", "commentary": "",
            f"action_{action_id}_title": "Cuéntaselo a una amiga", f"action_{action_id}_body": ""}
    return {**data, **changes}


def _audit(app) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(row.action, row.detail) for row in rows if row.action.startswith("campaign.")]


def test_the_tab_lists_the_languages_a_campaign_may_be_translated_into(client, owned):
    page = client.get(f"/organizer/c/{owned['slug']}/translations")
    assert page.status_code == 200
    text = _text(page)
    assert f'href="/organizer/c/{owned["slug"]}/translations" aria-current="page"' in text
    assert "No translation" in text
    assert f'href="/organizer/c/{owned["slug"]}/translations/es"' in text
    assert f'href="/organizer/c/{owned["slug"]}/translations/en"' not in text  # its own language


def test_an_organizer_adds_edits_and_removes_a_spanish_translation(app, client, owned):
    slug, action_id = owned["slug"], owned["action_id"]
    empty = _text(client.get(f"/organizer/c/{slug}/translations/es"))
    # Each original stands beside its field.
    for original in ("Keep the river clean", "Stop the dumping.", "A factory dumps into the river",
                     "Tell a friend", "Share the page."):
        assert original in empty
    assert f'name="action_{action_id}_title"' in empty

    saved = client.post(f"/organizer/c/{slug}/translations/es", data=_spanish_form(action_id))
    assert saved.status_code == 303
    edited = _text(client.get(saved.headers["Location"]))
    assert "value=\"Mantengan limpio el río\"" in edited
    # What is still missing is listed on the page.
    missing = re.search(r'<section class="notice missing-parts".*?</section>', edited, re.DOTALL)[0]
    assert "Target" in missing and "Article text" in missing and "Action text" in missing
    assert "Title" not in missing

    spanish = _text(client.get(f"/c/{slug}?lang=es"))
    assert "<h1>Mantengan limpio el río</h1>" in spanish and "Cuéntaselo a una amiga" in spanish
    assert "<h1>Keep the river clean</h1>" in _text(client.get(f"/c/{slug}"))

    assert client.post(f"/organizer/c/{slug}/translations/es",
                       data=_spanish_form(action_id, title="Salven el río")).status_code == 303
    assert "<h1>Salven el río</h1>" in _text(client.get(f"/c/{slug}?lang=es"))

    assert client.post(f"/organizer/c/{slug}/translations/es/remove").status_code == 303
    assert "<h1 lang=\"en\">Keep the river clean</h1>" in _text(client.get(f"/c/{slug}?lang=es"))
    with app.app_context():
        assert db.session.scalars(select(CampaignTranslation)).all() == []
    assert [entry for entry in _audit(app)] == [
        ("campaign.translation_saved", {"language": "es", "added": True}),
        ("campaign.translation_saved", {"language": "es", "added": False}),
        ("campaign.translation_removed", {"language": "es"})]


def test_saving_a_translation_moves_the_campaigns_updated_at(app, client, owned):
    with app.app_context():
        before = store.get_by_slug(owned["slug"]).updated_at
    assert client.post(f"/organizer/c/{owned['slug']}/translations/es",
                       data=_spanish_form(owned["action_id"])).status_code == 303
    with app.app_context():
        assert store.get_by_slug(owned["slug"]).updated_at > before


@pytest.mark.parametrize(("field", "value"), [("title", "x" * 301), ("article_headline", "x" * 501)])
def test_a_text_too_long_is_refused_and_nothing_is_stored(app, client, owned, field, value):
    with app.app_context():
        before = database_snapshot()
    refused = client.post(f"/organizer/c/{owned['slug']}/translations/es",
                          data=_spanish_form(owned["action_id"], **{field: value}))
    assert refused.status_code == 422
    assert 'class="error"' in refused.text
    with app.app_context():
        assert database_snapshot() == before


@pytest.mark.parametrize("language", ["en", "fr", "xx"])
def test_only_the_sites_other_languages_take_a_translation(client, owned, language):
    assert client.get(f"/organizer/c/{owned['slug']}/translations/{language}").status_code == 404
    assert client.post(f"/organizer/c/{owned['slug']}/translations/{language}",
                       data=_spanish_form(owned["action_id"])).status_code == 404


def test_the_campaigns_own_language_is_chosen_and_audited(app, client, owned):
    slug = owned["slug"]
    assert client.post(f"/organizer/c/{slug}/translations/language", data={"language": "es"}).status_code == 303
    with app.app_context():
        assert store.get_by_slug(slug).language == "es"
    assert ("campaign.language_set", {"language": "es", "was": "en"}) in _audit(app)
    # Visitors who prefer none of the site's languages now get a Spanish page.
    assert '<html lang="es"' in client.get(f"/c/{slug}", headers={"Accept-Language": "de"}).text
    assert client.post(f"/organizer/c/{slug}/translations/language", data={"language": "de"}).status_code == 422


def test_the_own_language_cannot_be_one_already_translated(app, client, owned):
    slug = owned["slug"]
    client.post(f"/organizer/c/{slug}/translations/es", data=_spanish_form(owned["action_id"]))
    refused = client.post(f"/organizer/c/{slug}/translations/language", data={"language": "es"})
    assert refused.status_code == 422
    assert "remove it first" in _text(refused)
    with app.app_context():
        assert store.get_by_slug(slug).language == "en"


def test_the_review_lists_what_each_translation_lacks(app, client, owned):
    slug = owned["slug"]
    assert 'id="translations-review"' not in client.get(f"/organizer/c/{slug}/review").text
    client.post(f"/organizer/c/{slug}/translations/es", data=_spanish_form(owned["action_id"]))
    review = _text(client.get(f"/organizer/c/{slug}/review"))
    gap = re.search(r'<li id="translation-gap-es">(.*?)</li>', review, re.DOTALL)[1]
    assert "Español" in gap
    assert "Target" in gap and "Article text" in gap and "Action text of “Tell a friend”" in gap
    assert "Petition statement" not in gap
    with app.app_context():
        campaign = store.get_by_slug(slug)
        translations.save(campaign, "es", translations.TranslationValues(
            title="T", target="La Junta", petition_text="P", article_headline="H", article_body="Cada noche.",
            commentary="", actions={str(owned["action_id"]): {"title": "A", "body": "Comparte."}}))
        db.session.commit()
    review = _text(client.get(f"/organizer/c/{slug}/review"))
    assert "every part is translated" in re.search(r'<li id="translation-gap-es">(.*?)</li>', review, re.DOTALL)[1]


def test_someone_elses_campaign_is_404_on_every_translation_route(app, client, owned, make_campaign,
                                                                 make_organizer, login):
    other = make_campaign(title="Not yours")
    urls = [f"/organizer/c/{other}/translations", f"/organizer/c/{other}/translations/es"]
    for url in urls:
        assert client.get(url).status_code == 404
    with app.app_context():
        before = database_snapshot()
    for url, data in [(f"/organizer/c/{other}/translations/es", _spanish_form(owned["action_id"])),
                      (f"/organizer/c/{other}/translations/es/remove", {}),
                      (f"/organizer/c/{other}/translations/language", {"language": "es"})]:
        assert client.post(url, data=data).status_code == 404
    with app.app_context():
        assert database_snapshot() == before


def test_a_stranger_is_sent_to_log_in(app, make_campaign):
    slug = make_campaign()
    answer = app.test_client().get(f"/organizer/c/{slug}/translations")
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]
