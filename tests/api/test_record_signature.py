"""record_signature_helper: the sign form's rules, through the same code, in one POST."""
from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from campaign.abuse import list_rules
from campaign.accounts import organizers
from campaign.campaigns import store
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import OutboxMessage, RuleKind, Signature, SignatureStatus
from tests.helpers import confirm_link, sent_bodies, signatures


def person(name=("Ada", "Lovelace"), email="ada@example.org", postcode="02139", country="US",
           **extra) -> dict:
    given, family = name
    return {"person": {"given_name": given, "family_name": family,
                       "email_addresses": [{"address": email}],
                       "postal_addresses": [{"postal_code": postcode, "country": country}]},
            **extra}


@pytest.fixture
def petition(api, make_campaign, make_key):
    """(key, helper URL, slug) of an open campaign that needs confirmation, a read-write key."""

    def make(**fields):
        slug = make_campaign(**fields)
        key = make_key(f"{slug}@example.org", "read_write", campaigns_owned=[slug])
        found = api(key, "/api/v1/petitions").json["_embedded"]["osdi:petitions"][0]
        helper = found["_links"]["osdi:record_signature_helper"]["href"]
        return key, helper.removeprefix("http://localhost"), slug

    return make


def stored(app) -> list[tuple]:
    with app.app_context():
        rows = [(s.full_name, s.email, s.postcode, s.status, s.comment, s.source, s.contact_ok)
                for s in signatures()]
        db.session.remove()
    return rows


def test_a_signature_is_pending_with_its_confirmation_email(app, api, petition):
    key, url, _ = petition()
    response = api(key, url, "POST", json=person(
        comments="For the river", referrer_data={"source": "Newsletter"}, add_tags=["volunteer"]))
    assert response.status_code == 202
    assert stored(app) == [("Ada Lovelace", "ada@example.org", "02139", "pending", "For the river",
                            "newsletter", False)]
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.kind, message.to_address) == ("confirm", "ada@example.org")
        outbox.deliver_due()
        db.session.remove()
    # The link in the email confirms it, as for the form's signers.
    assert api(key, url).json["total_records"] == 1
    assert app.test_client().post(confirm_link(sent_bodies()[-1])).status_code in (200, 303)
    with app.app_context():
        assert db.session.scalars(select(Signature.status)).one() == SignatureStatus.CONFIRMED


def test_where_no_confirmation_is_needed_it_counts_at_once(app, api, petition):
    key, url, _ = petition(require_confirmation=False)
    assert api(key, url, "POST", json=person()).status_code == 202
    assert stored(app)[0][3] == "confirmed"
    petition_url = url.removesuffix("/signatures")
    assert api(key, petition_url).json["total_signatures"] == 1


def test_a_subscribed_address_is_consent_to_be_contacted(app, api, petition):
    key, url, _ = petition()
    body = person()
    body["person"]["email_addresses"][0]["status"] = "subscribed"
    api(key, url, "POST", json=body)
    assert stored(app)[0][6] is True


def test_a_repeat_is_answered_as_the_first_and_stores_nothing_more(app, api, petition):
    key, url, _ = petition()
    first = api(key, url, "POST", json=person())
    again = api(key, url, "POST", json=person(name=("Ada", "King"), email="ADA@example.org"))
    assert (again.status_code, again.json) == (first.status_code, first.json)
    assert stored(app) == [("Ada Lovelace", "ada@example.org", "02139", "pending", "", "", False)]


def test_a_blocked_address_is_held_and_answered_as_usual(app, api, petition):
    key, url, slug = petition()
    with app.app_context():
        list_rules.add(store.get_by_slug(slug), RuleKind.BLOCK_DOMAIN, "spam.example",
                       organizer=organizers.get_by_email(key.organizer_email))
        db.session.commit()
    list_rules.forget()
    usual = api(key, url, "POST", json=person())
    held = api(key, url, "POST", json=person(email="bot@spam.example"))
    assert (held.status_code, held.json) == (usual.status_code, usual.json)
    assert [row[3] for row in stored(app)] == ["pending", "held"]
    with app.app_context():  # the held one gets no email
        assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["ada@example.org"]


def test_a_closed_campaign_refuses(app, api, petition):
    key, url, _ = petition(status="closed")
    response = api(key, url, "POST", json=person())
    assert response.status_code == 409
    assert response.json["title"] == "Petition closed"
    assert stored(app) == []


# The same bad values as on the sign form: the same message, nothing stored.
BAD = [
    ("email", {"email": "not-an-email"}, "person.email_addresses[0].address"),
    ("email", {"email": ""}, "person.email_addresses[0].address"),
    ("full_name", {"name": ("", "")}, "person.given_name"),
    ("full_name", {"name": ("=HYPERLINK(1)", "")}, "person.given_name"),
    ("full_name", {"name": ("Ada", "www.spam.com")}, "person.given_name"),
    ("postcode", {"postcode": ""}, "person.postal_addresses[0].postal_code"),
    ("postcode", {"postcode": "ABCDE"}, "person.postal_addresses[0].postal_code"),
    ("country", {"country": "XX"}, "person.postal_addresses[0].country"),
    ("comment", {"comments": "x" * 1001}, "comments"),
]


@pytest.mark.parametrize(("form_field", "change", "api_field"), BAD,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_400_with_the_sign_forms_message(app, api, client, petition, signer,
                                                      form_field, change, api_field):
    key, url, slug = petition()
    response = api(key, url, "POST", json=person(**change))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    message = response.json["errors"][api_field]
    assert list(response.json["errors"]) == [api_field]
    # The sign form, sent the same value, says the same next to its field.
    form_values = {"name": "full_name", "email": "email", "postcode": "postcode",
                   "country": "country", "comments": "comment"}
    key_name, value = next(iter(change.items()))
    value = " ".join(value).strip() if key_name == "name" else value
    page = client.post(f"/c/{slug}/sign", data=signer(**{form_values[key_name]: value}))
    assert page.status_code == 422
    assert str(escape(message)) in page.text
    assert stored(app) == []


@pytest.mark.parametrize("body", [None, [], "text", {"person": "Ada"}, {}])
def test_a_body_that_is_not_a_person_is_refused(app, api, petition, body):
    key, url, _ = petition()
    response = api(key, url, "POST", json=body)
    assert response.status_code == 400
    assert stored(app) == []


def test_the_sign_forms_rate_limit_applies_per_address(app, api, petition):
    app.config["SIGN_RATE_LIMIT"] = "2 per minute"
    key, url, _ = petition()
    answers = [api(key, url, "POST", json=person(email=f"p{i}@example.org")).status_code
               for i in range(3)]
    assert answers == [202, 202, 429]
    assert len(stored(app)) == 2
    refused = api(key, url, "POST", json=person(email="late@example.org"))
    assert refused.json["status"] == 429 and "Retry-After" in refused.headers


def test_an_allow_listed_address_is_not_limited(app, api, petition):
    app.config["SIGN_RATE_LIMIT"] = "1 per minute"
    key, url, slug = petition()
    with app.app_context():
        list_rules.add(store.get_by_slug(slug), RuleKind.ALLOW_IP, "127.0.0.1",
                       organizer=organizers.get_by_email(key.organizer_email))
        db.session.commit()
    list_rules.forget()
    answers = [api(key, url, "POST", json=person(email=f"p{i}@example.org")).status_code
               for i in range(3)]
    assert answers == [202, 202, 202]
