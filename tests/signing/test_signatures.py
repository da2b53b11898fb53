"""Signing through the form: what is stored, what is sent, and what the visitor sees."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import Campaign, OutboxMessage, Signature, SignatureStatus
from campaign.signing import signer_mail
from tests.helpers import count_rows, outbox_messages, query_plan, signatures


def test_accepted_signature_is_stored_with_one_email(app, client, make_campaign, signer):
    slug = make_campaign()
    data = signer(full_name="  Ada   Lovelace ", email="Ada+News@Example.org", country="us",
                  postcode="02139-1234", comment="Keep it\r\nclean", show_name="y")
    response = client.post(f"/c/{slug}/sign", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{slug}/signed")
    with app.app_context():
        [signature] = signatures()
        assert signature.full_name == "Ada Lovelace"
        assert signature.email == "Ada+News@example.org"
        assert signature.email_key == "ada@example.org"
        assert signature.country == "US"
        assert signature.postcode == "02139-1234"
        assert signature.comment == "Keep it\nclean"
        assert signature.show_name is True
        assert signature.contact_ok is False
        assert signature.status == SignatureStatus.PENDING
        [message] = outbox_messages()
        assert message.kind == "confirm"
        assert message.to_address == "Ada+News@example.org"
    page = client.get(f"/c/{slug}/signed")
    assert "Check your email" in page.text


def _field_error(page: str, field: str) -> str:
    marker = f'id="{field}-error">'
    assert marker in page, f"no error shown for {field}"
    return page.split(marker, 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "enter your name"),
        ({"full_name": "=SUM(A1)"}, "full_name", "cannot start with"),
        ({"full_name": "Ada\u202eLovelace"}, "full_name", "invisible"),
        ({"full_name": "\u0301Ana Lovelace"}, "full_name", "cannot start with an accent"),
        ({"full_name": "Ana \u0301Lovelace"}, "full_name", "cannot start with an accent"),
        ({"full_name": "Ada\x07Lovelace"}, "full_name", "control"),
        ({"full_name": "Ada Lovelace\x85"}, "full_name", "control"),
        ({"full_name": "see http://x.example"}, "full_name", "web address"),
        ({"full_name": "x" * 256}, "full_name", "255"),
        ({"email": ""}, "email", "enter your email"),
        ({"email": "ada@"}, "email", "not valid"),
        ({"email": "Ada <ada@example.org>"}, "email", "not valid"),
        ({"email": '"a b"@example.org'}, "email", "not valid"),
        ({"email": "ada@[192.0.2.1]"}, "email", "not valid"),
        ({"postcode": ""}, "postcode", "ZIP code"),
        ({"postcode": "1234"}, "postcode", "ZIP code"),
        ({"country": "GB", "postcode": "12345"}, "postcode", "UK postcode"),
        ({"country": "UK", "postcode": "SW1A 1AA"}, "country", "GB"),
        ({"country": "XX"}, "country", "choose a country"),
        ({"country": ""}, "country", "choose a country"),
        ({"country": "US\x1f"}, "country", "choose a country"),
        ({"country": "\x85US"}, "country", "choose a country"),
        ({"country": "U\x00S"}, "country", "choose a country"),
        ({"comment": "x" * 1001}, "comment", "1000"),
        ({"comment": "nul\x00"}, "comment", "control"),
    ],
)
def test_refused_input_shows_message_and_stores_nothing(app, client, make_campaign, signer, fields, field, message):
    slug = make_campaign()
    data = signer(**fields)
    response = client.post(f"/c/{slug}/sign", data=data)
    assert response.status_code == 422
    assert message in _field_error(response.text, field)
    assert 'role="alert"' in response.text
    # The values typed are kept (escaped) so the visitor only fixes what is wrong.
    if field != "full_name" and len(data["full_name"]) < 100:
        assert f'value="{data["full_name"]}"' in response.text
    with app.app_context():
        assert count_rows(Signature) == 0
        assert count_rows(OutboxMessage) == 0


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"full_name": ["a", "b"], "email": ["x@example.org", "y"]},
        {"country": "\x00", "postcode": "\x00"},
        {"full_name": "Ada", "email": "ada@example.org", "country": "US", "postcode": "02139", "show_name": "\x00"},
    ],
)
def test_strange_bodies_never_give_500(app, client, make_campaign, data):
    slug = make_campaign()
    response = client.post(f"/c/{slug}/sign", data=data)
    assert response.status_code in (303, 422)


@pytest.mark.parametrize(
    "body",
    [
        b"full_name=%FF%FE&email=ada%40example.org&postcode=02139&country=US",
        b"full_name=\xff\xfeAda&email=ada%40example.org&postcode=02139&country=US",
        b"full_name=Ada&email=ada%40example.org&postcode=02139&country=US&comment=%C0%80",
    ],
)
def test_undecodable_bytes_never_store_broken_text(app, client, make_campaign, body):
    slug = make_campaign()
    response = client.post(f"/c/{slug}/sign", data=body,
                           content_type="application/x-www-form-urlencoded")
    # Refused whole (campaign.ops.request_text), not stored as "%FF" nor read as an empty form.
    assert response.status_code == 400
    assert "could not be read as text" in response.text
    with app.app_context():
        assert signatures() == []


def test_body_over_64_kb_gets_413(app, client, make_campaign, signer):
    slug = make_campaign()
    response = client.post(f"/c/{slug}/sign", data=signer(comment="x" * (65 * 1024)))
    assert response.status_code == 413
    assert "larger than this form accepts" in response.text
    with app.app_context():
        assert count_rows(Signature) == 0


def test_answer_is_the_same_for_new_pending_and_confirmed(app, client, make_campaign, signer,
                                                          clock):
    slug = make_campaign()
    answers = []
    for _ in range(2):  # new, then pending (after the resend window: a new link is sent)
        response = client.post(f"/c/{slug}/sign", data=signer(), follow_redirects=True)
        answers.append((response.status_code, response.text))
        clock.move(minutes=app.config["CONFIRMATION_RESEND_MINUTES"])
    with app.app_context():
        [signature] = signatures()
        signature.status = SignatureStatus.CONFIRMED
        signature.confirmed_at = utcnow()
        db.session.commit()
    response = client.post(f"/c/{slug}/sign", data=signer(), follow_redirects=True)
    answers.append((response.status_code, response.text))
    assert answers[0] == answers[1] == answers[2]
    with app.app_context():
        assert count_rows(Signature) == 1
        assert [m.kind for m in outbox_messages()] == ["confirm", "confirm", "already_signed"]


def test_variants_of_one_address_sign_once(app, client, make_campaign, signer):
    slug = make_campaign()
    for email in ["a.da@gmail.com", "ADA@googlemail.com", "ada+petition@gmail.com"]:
        assert client.post(f"/c/{slug}/sign", data=signer(email=email)).status_code == 303
    with app.app_context():
        assert count_rows(Signature) == 1


def test_same_person_signs_two_campaigns(app, client, make_campaign, signer):
    first, second = make_campaign(), make_campaign()
    client.post(f"/c/{first}/sign", data=signer())
    client.post(f"/c/{second}/sign", data=signer())
    with app.app_context():
        assert count_rows(Signature) == 2


def _emails(app) -> list[str]:
    with app.app_context():
        return [message.kind for message in outbox_messages()]


def test_at_most_three_emails_a_day_per_address(app, client, make_campaign, signer, clock):
    slug = make_campaign()
    for _ in range(6):  # each past the resend window: only the daily cap holds them back
        assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
        clock.move(minutes=app.config["CONFIRMATION_RESEND_MINUTES"], seconds=1)
    with app.app_context():
        assert count_rows(Signature) == 1
    assert _emails(app) == ["confirm"] * 3
    clock.move(days=1)  # a day after the first: the signer may be reminded again
    client.post(f"/c/{slug}/sign", data=signer())
    assert _emails(app) == ["confirm"] * 4


def test_a_confirmed_signer_who_clicks_twice_is_told_once(app, client, make_campaign, signer,
                                                          clock):
    """The "already signed" email follows the same window as the link: one click, one email."""
    slug = make_campaign()
    client.post(f"/c/{slug}/sign", data=signer())
    with app.app_context():
        [signature] = signatures()
        signature.status = SignatureStatus.CONFIRMED
        signature.confirmed_at = utcnow()
        db.session.commit()
    answers = {client.post(f"/c/{slug}/sign", data=signer()).status_code for _ in range(2)}
    assert answers == {303}
    assert _emails(app) == ["confirm", "already_signed"]
    clock.move(minutes=app.config["CONFIRMATION_RESEND_MINUTES"], seconds=1)
    client.post(f"/c/{slug}/sign", data=signer())
    assert _emails(app) == ["confirm", "already_signed", "already_signed"]


def test_a_double_click_or_a_replayed_form_sends_one_email(app, client, make_campaign, signer,
                                                           clock):
    """Signing again while the last link is fresh sends nothing; later the link comes again."""
    slug = make_campaign()
    assert app.config["CONFIRMATION_RESEND_MINUTES"] == 5
    started = clock.now
    answers = []

    def sign_at(after: timedelta) -> None:
        clock.now = started + after
        response = client.post(f"/c/{slug}/sign", data=signer(), follow_redirects=True)
        answers.append((response.status_code, response.text))

    sign_at(timedelta(0))
    sign_at(timedelta(milliseconds=50))  # the double click
    with app.app_context():
        assert count_rows(Signature) == 1
    assert _emails(app) == ["confirm"]
    sign_at(timedelta(seconds=5))  # the same form sent again
    sign_at(timedelta(minutes=4, seconds=59))
    assert _emails(app) == ["confirm"]
    sign_at(timedelta(minutes=5))  # past the window: the link again
    assert _emails(app) == ["confirm"] * 2
    sign_at(timedelta(minutes=6))  # within the window of that second email
    assert _emails(app) == ["confirm"] * 2
    sign_at(timedelta(minutes=10))
    assert _emails(app) == ["confirm"] * 3
    sign_at(timedelta(minutes=30))  # the daily cap
    sign_at(timedelta(hours=23, minutes=59))
    assert _emails(app) == ["confirm"] * 3
    sign_at(timedelta(days=1, seconds=1))  # the first email is over a day old: one more
    assert _emails(app) == ["confirm"] * 4
    with app.app_context():
        assert count_rows(Signature) == 1
    assert len(answers) == 10 and len(set(answers)) == 1  # the page never tells them apart
    assert answers[0][0] == 200 and "Check your email" in answers[0][1]


def test_the_resend_window_is_a_setting(app, make_campaign, signer, clock):
    app.config["CONFIRMATION_RESEND_MINUTES"] = 1
    slug = make_campaign()
    client = app.test_client()
    for seconds in (0, 59, 1):
        clock.move(seconds=seconds)
        client.post(f"/c/{slug}/sign", data=signer())
    assert _emails(app) == ["confirm"] * 2


def test_the_last_email_is_found_on_the_outbox_index(app, ctx):
    plan = query_plan(signer_mail.emails_since_query(1, "ada@example.org", utcnow()))
    assert "ix_outbox_messages_campaign_id_recipient_key_created_at" in plan


def test_country_defaults_to_the_campaigns(app, client, make_campaign, signer):
    slug = make_campaign(default_country="GB")
    page = client.get(f"/c/{slug}")
    assert '<option value="GB" selected>' in page.text
    # A form sent without the field (a client with no country list) takes the campaign's.
    response = client.post(f"/c/{slug}/sign", data=signer(country=None, postcode="sw1a1aa"))
    assert response.status_code == 303
    with app.app_context():
        [signature] = signatures()
        assert (signature.country, signature.postcode) == ("GB", "SW1A 1AA")


def test_closed_campaign_shows_final_count_and_refuses_signatures(app, client, make_campaign, signer):
    slug = make_campaign(status="closed")
    page = client.get(f"/c/{slug}")
    assert page.status_code == 200
    assert "This petition is closed" in page.text
    assert 'name="full_name"' not in page.text
    response = client.post(f"/c/{slug}/sign", data=signer())
    assert response.status_code == 409
    with app.app_context():
        assert count_rows(Signature) == 0


def test_campaign_past_its_closing_date_takes_no_signatures(app, client, make_campaign, signer):
    slug = make_campaign(closes_at=utcnow() - timedelta(minutes=1))
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 409
    assert 'name="full_name"' not in client.get(f"/c/{slug}").text


@pytest.mark.parametrize("slug", ["no-such-campaign", "UPPER", "a" * 200, "x%00y", "..", "-a-"])
def test_unknown_campaign_is_404_on_every_route(app, client, make_campaign, signer, slug):
    make_campaign(status="draft", slug="a-draft")
    for path in [f"/c/{slug}", f"/c/{slug}/count.json", "/c/a-draft", "/c/a-draft/count.json"]:
        response = client.get(path)
        assert response.status_code == 404, path
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 404
    assert client.post("/c/a-draft/sign", data=signer()).status_code == 404
    assert "There is no page at this address" in client.get(f"/c/{slug}").text


def test_ref_records_the_share_channel(app, client, make_campaign, signer):
    slug = make_campaign()
    page = client.get(f"/c/{slug}?ref=whatsapp")
    assert 'name="ref" type="hidden" value="whatsapp"' in page.text
    client.post(f"/c/{slug}/sign", data=signer(ref="whatsapp"))
    client.post(f"/c/{slug}/sign", data=signer(email="bob@example.org", ref="<script>"))
    with app.app_context():
        assert [s.source for s in signatures()] == ["whatsapp", ""]


def test_signing_commits_signature_and_email_together(app, client, make_campaign, signer, monkeypatch):
    """If queueing the email fails, the signature is not stored either (and no 500 leaks)."""
    slug = make_campaign()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "enqueue", broken)
    response = client.post(f"/c/{slug}/sign", data=signer())
    assert response.status_code == 500
    assert "disk full" not in response.text
    with app.app_context():
        assert count_rows(Signature) == 0
        assert db.session.scalar(select(Campaign.slug)) == slug
