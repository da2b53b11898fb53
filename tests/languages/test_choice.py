"""Choosing the language: ?lang= first, then Accept-Language, then the campaign's, then English."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from campaign.campaigns import store
from campaign.extensions import db
from campaign.languages import choice
from tests.helpers import links, query_of

_HTML_LANG = re.compile(r'<html lang="([^"]+)" dir="([^"]+)">')


def html_lang(page: str) -> str:
    return _HTML_LANG.search(page)[1]


def test_the_url_beats_the_browser_and_the_browser_beats_english(client, make_campaign):
    slug = make_campaign()
    assert html_lang(client.get(f"/c/{slug}").text) == "en"
    mexican = {"Accept-Language": "es-MX,es;q=0.9"}
    page = client.get(f"/c/{slug}", headers=mexican)
    assert html_lang(page.text) == "es" and "Firmar la petición" in page.text
    english = client.get(f"/c/{slug}?lang=en", headers=mexican)
    assert html_lang(english.text) == "en" and "Sign the petition" in english.text
    assert html_lang(client.get(f"/c/{slug}?lang=es").text) == "es"
    # A language the site does not speak is no choice: the browser's, then English.
    assert html_lang(client.get(f"/c/{slug}?lang=xx", headers=mexican).text) == "es"
    assert html_lang(client.get(f"/c/{slug}", headers={"Accept-Language": "fr, de;q=0.5"}).text) == "en"


def test_without_a_browser_preference_the_campaigns_language_is_used(app, client, make_campaign):
    slug = make_campaign()
    with app.app_context():
        store.get_by_slug(slug).language = "es"
        db.session.commit()
        db.session.remove()
    assert html_lang(client.get(f"/c/{slug}").text) == "es"
    assert html_lang(client.get(f"/c/{slug}", headers={"Accept-Language": "en"}).text) == "en"


def test_the_switcher_links_to_this_page_in_each_language_in_that_language(client, make_campaign):
    slug = make_campaign()
    lookup = f"/c/{slug}/representatives?country=US&postcode=55401"
    page = client.get(lookup, headers={"Accept-Language": "es"}).text
    switcher = page[page.index('<nav class="languages"'):]
    switcher = switcher[:switcher.index("</nav>")]
    assert 'aria-label="Idioma"' in switcher
    assert (f'<a href="/c/{slug}/representatives?country=US&amp;postcode=55401&amp;lang=en" lang="en" '
            'hreflang="en" dir="ltr">English</a>') in switcher
    assert (f'<a href="/c/{slug}/representatives?country=US&amp;postcode=55401&amp;lang=es" lang="es" '
            'hreflang="es" dir="ltr" aria-current="true">Español</a>') in switcher
    # What a visitor adds to the address never steers the links: not url_for's own "_scheme"
    # or "_external", not another campaign's slug, not the share channel a cached page omits.
    page = client.get(f"/c/{slug}?ref=x&_scheme=javascript&_external=1&slug=other&lang=es").text
    switcher = page[page.index('<nav class="languages"'):]
    assert f'<a href="/c/{slug}?lang=en" lang="en"' in switcher and "javascript" not in switcher


def test_hreflang_alternates_name_every_language_and_a_default(client, make_campaign):
    slug = make_campaign()
    page = client.get("/", headers={"Accept-Language": "es"}).text
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))
    assert alternates == {"en": "http://localhost/?lang=en", "es": "http://localhost/?lang=es",
                          "x-default": "http://localhost/"}
    assert slug  # the index lists it


def test_an_explicit_language_stays_on_the_pages_own_links_forms_and_redirects(client, make_campaign):
    slug = make_campaign()
    page = client.get(f"/c/{slug}?lang=es").text
    hrefs = [href for href, _text in links(page) if href.startswith("/") and "static" not in href]
    assert hrefs and all(query_of(href).get("lang") == "es" for href in hrefs if "lang=en" not in href), hrefs
    assert f'action="/c/{slug}/sign?lang=es#sign"' in page
    token = re.search(r'name="form_token" value="([^"]+)"', page)[1]
    signed = client.post(f"/c/{slug}/sign?lang=es", data={
        "full_name": "Ada Lovelace", "email": "ada@example.org", "country": "US", "postcode": "02139",
        "form_token": token})
    assert signed.status_code == 303 and query_of(signed.headers["Location"]) == {"lang": "es"}
    # A GET form sends its fields instead of its action's query: the language rides along.
    lookup = client.get(f"/c/{slug}/representatives?lang=es").text
    assert '<input type="hidden" name="lang" value="es">' in lookup
    # Without an explicit choice, links stay clean (the browser's language needs none).
    plain = client.get(f"/c/{slug}", headers={"Accept-Language": "es"}).text
    assert f'action="/c/{slug}/sign#sign"' in plain


def test_no_cookie_for_the_language_and_vary_when_the_browser_chose(client, make_campaign):
    slug = make_campaign()
    explicit = client.get(f"/c/{slug}?lang=es")
    assert "Set-Cookie" not in explicit.headers
    # The URL alone chose the language: no need to vary (the campaign page varies anyway,
    # since one address serves each language its readers' browsers prefer).
    assert "accept-language" not in client.get("/?lang=es").headers.get("Vary", "").lower()
    for path in (f"/c/{slug}", "/", f"/c/{slug}/signed", "/delete-my-data", f"/c/{slug}/embed"):
        answer = client.get(path, headers={"Accept-Language": "es"})
        assert "Set-Cookie" not in answer.headers, path
        assert "accept-language" in answer.headers.get("Vary", "").lower(), path


def test_right_to_left_languages_get_dir_rtl():
    assert choice.direction("ar") == "rtl" and choice.direction("he") == "rtl"
    assert choice.direction("es") == "ltr" and choice.direction("not a language") == "ltr"
    assert choice.autonym("es") == "Español" and choice.autonym("ar") == "العربية"


def test_spanish_numbers_and_dates_on_the_campaign_page(app, client, make_campaign):
    slug = make_campaign(goal=12_345)
    page = client.get(f"/c/{slug}?lang=es").text
    assert "próxima meta: 12.345" in page
    assert "next goal 12,345" in client.get(f"/c/{slug}?lang=en").text
    with app.test_request_context("/?lang=es"):
        assert choice.long_date(datetime(2026, 12, 6, tzinfo=UTC)) == "6 de diciembre de 2026"
        from flask_babel import format_number
        assert format_number(1234) == "1.234" and format_number(1_234_567) == "1.234.567"
    with app.test_request_context("/"):
        assert choice.long_date(datetime(2026, 12, 6, tzinfo=UTC)) == "6 December 2026"
        assert choice.short_date(datetime(2026, 12, 6, tzinfo=UTC)) == "06 Dec 2026"


@pytest.mark.parametrize(("count", "words"), [(1, "1 firma"), (2, "2 firmas"), (1234, "1.234 firmas")])
def test_spanish_plurals_of_the_count(client, make_campaign, count, words, monkeypatch):
    from campaign.counts import tallies

    slug = make_campaign()
    monkeypatch.setattr(tallies, "confirmed_count", lambda campaign_id: count)
    page = client.get(f"/c/{slug}?lang=es").text
    number, noun = words.split()
    assert f'<strong class="count-number">{number}</strong> {noun}' in page
