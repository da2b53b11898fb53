"""Every letter a visitor is shown or can mail greets its reader rightly: by office and family
name when the reader is known, and without pretending to name anyone when not."""
from __future__ import annotations

import html
from urllib.parse import unquote

import pytest

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import ActionKind
from tests import representative_data as data
from tests.helpers import links, query_of

LETTER = "Please keep the river survey funded."


def _add_action(app, slug: str, kind: str, **details) -> None:
    with app.app_context():
        store.add_action(store.get_by_slug(slug), kind=kind, title="Write to them", details=details)
        db.session.commit()


@pytest.fixture
def letter_slug(app, make_campaign) -> str:
    """An open US campaign with a letter card, whose reader only a postcode can tell."""
    slug = make_campaign()
    _add_action(app, slug, ActionKind.LETTER, letter={"example": LETTER})
    return slug


def _letters(page: str) -> list[str]:
    """Each letter box's text, as the visitor reads it."""
    return [html.unescape(box.split(">", 1)[1].split("</textarea>", 1)[0])
            for box in page.split('<textarea id="letter-')[1:]]


def _mailtos(page: str) -> list[tuple[str, str]]:
    """(recipients, body) of each mailto link."""
    return [(unquote(href.split("?", 1)[0].removeprefix("mailto:")), query_of(href).get("body", ""))
            for href, _ in links(page) if href.startswith("mailto:")]


def test_before_a_postcode_the_letter_card_greets_no_one_by_name(client, letter_slug, app):
    data.load(app)  # representatives known: the card offers the postcode box
    page = client.get(f"/c/{letter_slug}").text
    assert 'class="postcode-box"' in page
    letter = f"Dear Senator or Representative,\n\n{LETTER}\n\nSincerely,\n[Your name]\n[Your town]"
    assert _letters(page) == [letter]
    assert "Open in my email app" not in page and _mailtos(page) == []


def test_outside_the_us_the_unaddressed_letter_greets_sir_or_madam(app, client, make_campaign):
    slug = make_campaign(default_country="GB")
    _add_action(app, slug, ActionKind.LETTER, letter={"example": LETTER})
    [letter] = _letters(client.get(f"/c/{slug}").text)
    assert letter.startswith(f"Dear Sir or Madam,\n\n{LETTER}")


def test_an_example_letters_own_greeting_is_not_said_twice(app, client, letter_slug):
    _add_action(app, letter_slug, ActionKind.LETTER,
                letter={"example": "Dear Senator Smith, please keep the survey."})
    data.load(app)
    letters = _letters(client.get(f"/c/{letter_slug}").text)
    assert letters and all(letter.count("Dear ") == 1 for letter in letters)
    page = client.get(f"/c/{letter_slug}/representatives",
                      query_string={"country": "US", "postcode": "55401"}).text
    river = _letters(page[page.index(f">{data.MEMBER_MN_05}</h4>"):])[0]
    assert river.startswith(f"Dear Representative River,\n\n{LETTER}")


def test_known_contacts_are_greeted_together_and_each_mail_greets_its_own_reader(
        app, client, make_campaign):
    slug = make_campaign()
    _add_action(app, slug, ActionKind.CONTACT, letter={"example": LETTER}, contacts=[
        {"name": "Dana Hill", "office": "Representative", "email": "dana@house.example",
         "email_verified": True},
        {"name": "Mayor Sam Reyes", "email": "mayor@city.example", "email_verified": True},
        {"name": "Lee Park", "office": "Council Member"},
    ])
    page = client.get(f"/c/{slug}").text
    [letter] = _letters(page)
    assert letter.startswith(
        f"Dear Representative Hill, Mayor Reyes and Council Member Park,\n\n{LETTER}")
    mails = dict(_mailtos(page))
    assert mails["dana@house.example,mayor@city.example"].startswith(
        f"Dear Representative Hill and Mayor Reyes,\n\n{LETTER}")  # the ones it goes to
    assert mails["dana@house.example"].startswith(f"Dear Representative Hill,\n\n{LETTER}")
    assert mails["mayor@city.example"].startswith(f"Dear Mayor Reyes,\n\n{LETTER}")
    assert "" not in mails


def test_after_signing_each_representatives_mail_greets_them(app, client, letter_slug, signer):
    data.load(app)
    client.post(f"/c/{letter_slug}/sign", data=signer(postcode="55416"))
    page = client.get(f"/c/{letter_slug}/signed").text
    mails = dict(_mailtos(page))
    assert mails[data.DANA_EMAIL].startswith(f"Dear Representative Hill,\n\n{LETTER}")
    assert "Sincerely,\nAda Lovelace" in mails[data.DANA_EMAIL]
    # The letter card below names no one: the visitor may write to any of them.
    [letter] = _letters(page)
    assert letter.startswith(f"Dear Senator or Representative,\n\n{LETTER}")
    assert "" not in mails


def test_the_confirmed_page_letter_card_greets_no_one_by_name(app, client, letter_slug):
    data.load(app)
    page = client.get(f"/c/{letter_slug}/confirmed").text
    [letter] = _letters(page)
    assert letter.startswith(f"Dear Senator or Representative,\n\n{LETTER}")
    # A share-by-email link may leave "To" empty; a letter never does.
    assert [body for to, body in _mailtos(page) if not to and LETTER in body] == []
