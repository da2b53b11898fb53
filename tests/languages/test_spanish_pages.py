"""Every public page and email in Spanish, with no English left (issue 16, item 4)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import render_template
from flask_babel import force_locale

import config
from campaign import create_app
from campaign.campaigns import store
from campaign.extensions import db
from campaign.languages import choice
from campaign.models import CampaignStatus, Signature
from tests.helpers import confirm_link, sent_bodies
from tests.languages.visible_text import english_left, visible_text
from tests.mail.test_outbox import deliver
from tests.updates.builders import add_representative

# A campaign written in Spanish: its own text is data, and Spanish too.
SPANISH = {"title": "Agua limpia para el río", "petition_text": "Pedimos al condado que pare los vertidos.",
           "target": "La Junta del Condado", "goal": 1000}
SIGNER = {"full_name": "Ada Lovelace", "email": "ada@example.org", "postcode": "55401", "country": "US",
          "comment": ""}
# Data that may show on a page: the signer's own details, the representative's record.
KNOWN = ("Ada Lovelace", "ada@example.org", "Ilhan Omar", "Amy Klobuchar")
_REMOVE = re.compile(r"https?://[^/\s]+(/c/[a-z0-9-]+/remove/[A-Za-z0-9_.-]+)")
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def make_spanish_campaign(app, make_campaign, **fields) -> str:
    """A campaign written in Spanish: its own text is data, and Spanish too."""
    slug = make_campaign(**SPANISH, **fields)
    with app.app_context():
        store.get_by_slug(slug).language = "es"
        db.session.commit()
        db.session.remove()
    return slug


def sign(client, slug: str, query: str = "", **fields):
    """Sign as a browser does: the page (for its form token), then the form."""
    token = _FORM_TOKEN.search(client.get(f"/c/{slug}{query}").text)[1]
    answer = client.post(f"/c/{slug}/sign{query}", data={**SIGNER, **fields, "form_token": token})
    deliver(client.application)
    return answer


def assert_spanish(page: str, where: str) -> None:
    text = visible_text(page)
    assert not english_left(text, known=KNOWN), f"{where}: {english_left(text, known=KNOWN)} in {text}"


@pytest.fixture
def spanish(app, make_campaign):
    """A Spanish campaign, a Minneapolis representative, and a browser that prefers Spanish."""
    slug = make_spanish_campaign(app, make_campaign)
    with app.app_context():
        add_representative(name="Ilhan Omar", email="", phone="202-225-4755")
        db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    return slug, client


def test_the_check_catches_a_string_left_in_english():
    """The check itself: an untranslated sentence, or one word, fails it."""
    assert english_left(visible_text("<p>Firma la petición. Thank you for signing</p>")) == [
        "Thank", "you", "signing"]  # "for" is not listed: the others suffice
    assert english_left(visible_text('<p lang="en">English</p><p>Hola</p>')) == []
    assert english_left(visible_text('<button aria-label="Share the page">x</button>')) == ["Share", "the"]


def test_the_campaign_page_and_its_sign_errors_speak_spanish(app, spanish):
    slug, client = spanish
    page = client.get(f"/c/{slug}")
    assert page.status_code == 200
    assert '<html lang="es" dir="ltr">' in page.text
    assert_spanish(page.text, "campaign page")
    assert "Firmar la petición" in page.text
    refused = client.post(f"/c/{slug}/sign", data={"full_name": "", "email": "", "country": "US",
                                                   "postcode": ""})
    assert refused.status_code == 422
    assert "Escribe tu nombre." in refused.text and "Escribe tu código ZIP." in refused.text
    assert_spanish(refused.text, "sign errors")


def test_signing_confirming_and_leaving_speak_spanish(app, spanish):
    slug, client = spanish
    signed = client.get(sign(client, slug, "?lang=es").headers["Location"])
    assert signed.status_code == 200 and "Revisa tu correo" in signed.text
    assert_spanish(signed.text, "signed")
    (body,) = sent_bodies()
    link = confirm_link(body)
    for path in (link, f"/c/{slug}/resend", f"/c/{slug}/embed", f"/c/{slug}/embed/signed",
                 f"/c/{slug}/representatives?country=US&postcode=55401", "/delete-my-data", "/"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert_spanish(answer.text, path)
    confirmed = client.post(link, follow_redirects=True)
    assert "Gracias: tu firma cuenta" in confirmed.text
    assert_spanish(confirmed.text, "confirmed")
    removal = _REMOVE.search(body)[1]
    assert_spanish(client.get(removal).text, "remove")
    removed = client.post(removal, follow_redirects=True)
    assert removed.status_code == 200 and "Tu firma se quitó" in removed.text
    assert_spanish(removed.text, "removed")


def test_a_closed_petition_and_a_spent_link_speak_spanish(app, spanish):
    slug, client = spanish
    sign(client, slug)
    link = confirm_link(sent_bodies()[0])
    with app.app_context():
        store.get_by_slug(slug).status = CampaignStatus.CLOSED
        db.session.commit()
        db.session.remove()
    for path, status in ((link, 409), (f"/c/{slug}/confirm/not-a-token", 404),
                         (f"/c/{slug}/remove/not-a-token", 404), (f"/c/{slug}", 200),
                         (f"/c/{slug}/unsubscribe/not-a-token", 404)):
        answer = client.get(path)
        assert answer.status_code == status, (path, answer.status_code)
        assert_spanish(answer.text, path)


@pytest.mark.parametrize(("path", "status"), [("/no-such-page", 404), ("/?q=%FF", 400)])
def test_error_pages_speak_spanish(app, spanish, path, status):
    _slug, client = spanish
    answer = client.get(path)
    assert answer.status_code == status
    assert_spanish(answer.text, path)


def test_too_many_signatures_speaks_spanish(app, make_campaign):
    limited = create_app(  # with a low limit of its own
config.TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         SIGN_RATE_LIMIT="1 per minute")
    slug = make_spanish_campaign(app, make_campaign)
    client = limited.test_client()
    try:
        sign(client, slug, "?lang=es")
        refused = sign(client, slug, "?lang=es", email="bo@example.org")
    finally:
        with limited.app_context():  # its own engine: closed here, not by the garbage collector
            db.session.remove()
            db.engine.dispose()
    assert refused.status_code == 429
    assert "Espera unos minutos" in refused.text
    assert_spanish(refused.text, "429")


EMAILS = {
    "email/confirm.txt": {"days": 14},
    "email/thanks.txt": {},
    "email/already_signed.txt": {},
    "email/data_request.txt": {"hours": 48},
    "email/update.txt": {},
}


@pytest.mark.parametrize("template", sorted(EMAILS))
def test_every_email_speaks_spanish(app, make_campaign, template):
    slug = make_spanish_campaign(app, make_campaign)
    with app.test_request_context(), force_locale("es"):
        campaign = store.get_by_slug(slug)
        text = render_template(
            template, name="Ada Lovelace", campaign=campaign, campaigns=[campaign],
            link="https://example.org/c/x/confirm/t", remove_link="https://example.org/c/x/remove/t",
            page_link="https://example.org/c/x", unsubscribe_link="https://example.org/c/x/unsubscribe/t",
            update={"title": "Votación el martes", "body": "Llama a tu senadora."}, **EMAILS[template])
    assert "Hola" in text
    assert not english_left(text, known=KNOWN), text


def test_the_spanish_confirmation_email_is_sent_when_signing_in_spanish(app, spanish):
    slug, client = spanish
    sign(client, slug)
    (body,) = sent_bodies()
    assert "Gracias por firmar" in body and not english_left(body, known=KNOWN), body


def test_an_untranslated_catalog_entry_fails_the_check(app, spanish, monkeypatch):
    """Take one translation out of the loaded catalog: the page shows English, the check sees it."""
    slug, client = spanish
    translations = choice.babel.domain_instance.get_translations
    with app.test_request_context("/?lang=es"):
        catalog = translations()
        monkeypatch.delitem(catalog._catalog, "Sign the petition")
    page = client.get(f"/c/{slug}").text
    assert "Sign the petition" in page
    assert english_left(visible_text(page), known=KNOWN)


def test_leaving_updates_and_deleting_all_data_speak_spanish(app, make_campaign):
    slug = make_spanish_campaign(app, make_campaign)
    with app.test_request_context():
        from campaign.clock import utcnow
        from campaign.signing import removal_links
        from tests.updates.builders import add_signers

        signature_id = add_signers(slug, {"email": "ada@example.org", "full_name": "Ada Lovelace"})[
            "ada@example.org"]
        signature = db.session.get(Signature, signature_id)
        unsubscribe = urlsplit(removal_links.unsubscribe_link(store.get_by_slug(slug), signature,
                                                              now=utcnow())).path
        deletion = urlsplit(removal_links.deletion_link(signature, now=utcnow())).path
        db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    for path in (unsubscribe, deletion):
        page = client.get(path)
        assert page.status_code == 200, path
        assert_spanish(page.text, path)
    left = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert "No más novedades" in left.text
    assert_spanish(left.text, "unsubscribed")
    sent = client.post("/delete-my-data", data={"email": "ada@example.org"})
    assert "Revisa tu correo" in sent.text
    assert_spanish(sent.text, "delete-my-data sent")
    gone = client.post(deletion, follow_redirects=True)
    assert "Tus datos están borrados" in gone.text
    assert_spanish(gone.text, "forgotten")
