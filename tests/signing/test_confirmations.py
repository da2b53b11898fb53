"""Confirming a signature from the emailed link, asking for a new link, and the emails sent.

Mail goes to the memory backend: `deliver` runs one outbox round and returns what it sent.
"""
from __future__ import annotations

import http.client
import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from werkzeug.serving import make_server

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import backends, outbox
from campaign.models import Campaign, CampaignStatus, ConfirmationToken, SignatureStatus
from campaign.ops.security import RedactTokens, redact
from tests.helpers import confirm_link, outbox_messages, signatures

SAMPLE_TOKEN = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE"  # the shape of a real one (43)


def sign(client, slug: str, data: dict):
    response = client.post(f"/c/{slug}/sign", data=data)
    assert response.status_code == 303
    return response


def deliver(app) -> list:
    """Run one outbox round; the emails it sent."""
    before = len(backends.memory_outbox)
    with app.app_context():
        outbox.deliver_due()
    return backends.memory_outbox[before:]


def sign_and_get_link(app, client, slug: str, data: dict) -> str:
    sign(client, slug, data)
    [message] = [m for m in deliver(app) if m["To"] == data["email"]]
    return confirm_link(message.get_content())


def count(client, slug: str) -> int:
    return client.get(f"/c/{slug}/count.json").json["count"]


def states(app) -> list[tuple[str, str, bool]]:
    """(email, status, has confirmed_at) for every signature."""
    with app.app_context():
        return [(s.email, s.status, s.confirmed_at is not None) for s in signatures()]


def assert_offers_new_link(response, slug: str) -> None:
    assert f'action="/c/{slug}/resend"' in response.text
    assert 'name="email"' in response.text
    assert "Send me a new link" in response.text
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_opening_the_link_shows_a_button_and_confirms_nothing(app, client, make_campaign, signer):
    slug = make_campaign()
    link = sign_and_get_link(app, client, slug, signer())
    for _ in range(2):  # a mail scanner, then the signer
        page = client.get(link)
        assert page.status_code == 200
        assert "Confirm my signature" in page.text and '<form method="post">' in page.text
        assert page.headers["Referrer-Policy"] == "no-referrer"
    assert states(app) == [("ada@example.org", SignatureStatus.PENDING, False)]
    assert count(client, slug) == 0


def test_pressing_the_button_confirms_once(app, client, make_campaign, signer):
    slug = make_campaign()
    link = sign_and_get_link(app, client, slug, signer())
    response = client.post(link)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{slug}/confirmed")
    assert "your signature counts" in client.get(response.headers["Location"]).text
    assert states(app) == [("ada@example.org", SignatureStatus.CONFIRMED, True)]
    assert count(client, slug) == 1
    with app.app_context():
        first_confirmed_at = signatures()[0].confirmed_at
    assert client.post(link).status_code == 303
    assert client.get(link).status_code == 200
    assert count(client, slug) == 1
    with app.app_context():
        [signature] = signatures()
        assert signature.confirmed_at == first_confirmed_at


@pytest.mark.parametrize(
    "token",
    [
        SAMPLE_TOKEN,  # well formed, unknown
        "A" * 40,
        "short",
        "%00" + SAMPLE_TOKEN[3:],
        "..",
        "%2e%2e",
        SAMPLE_TOKEN[:-1] + "=",
        "é" * 43,
        '"><img src=x onerror=alert(1)>',
        "A" * 65,
        "A" * 5000,
    ],
)
def test_unusable_token_gets_404_with_an_offer(app, client, make_campaign, signer, token):
    slug = make_campaign()
    sign(client, slug, signer())
    for method in (client.get, client.post):
        response = method(f"/c/{slug}/confirm/{token}")
        assert response.status_code == 404, method
        assert "We do not recognise this link" in response.text
        assert_offers_new_link(response, slug)
        assert "<img" not in response.text
    assert states(app)[0][1] == SignatureStatus.PENDING


def test_token_of_another_campaign_gets_404(app, client, make_campaign, signer):
    mine, other = make_campaign(), make_campaign()
    sign(client, mine, signer())
    link = sign_and_get_link(app, client, other, signer(email="bob@example.org"))
    token = link.rsplit("/", 1)[1]
    for method in (client.get, client.post):
        response = method(f"/c/{mine}/confirm/{token}")
        assert response.status_code == 404
        assert_offers_new_link(response, mine)
    assert [status for _, status, _ in states(app)] == [SignatureStatus.PENDING] * 2
    assert count(client, mine) == count(client, other) == 0


def test_expired_token_gets_410_and_never_confirms(app, client, make_campaign, signer):
    slug = make_campaign()
    link = sign_and_get_link(app, client, slug, signer())
    with app.app_context():
        past = utcnow() - timedelta(minutes=1)
        db.session.execute(update(ConfirmationToken).values(expires_at=past))
        db.session.commit()
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "This confirmation link has expired" in response.text
        assert_offers_new_link(response, slug)
    assert states(app) == [("ada@example.org", SignatureStatus.PENDING, False)]
    assert count(client, slug) == 0
    # The offer works: a new link, valid for days again, confirms.
    assert resend(client, slug, "ada@example.org").status_code == 200
    [message] = deliver(app)
    assert client.post(confirm_link(message.get_content())).status_code == 303
    assert count(client, slug) == 1


def resend(client, slug: str, address: str):
    return client.post(f"/c/{slug}/resend", data={"email": address})


def test_resend_gives_a_pending_signer_a_new_working_link(app, client, make_campaign, signer):
    slug = make_campaign()
    old_link = sign_and_get_link(app, client, slug, signer())
    response = resend(client, slug, "ADA@example.org")
    assert response.status_code == 200
    assert "Check your email" in response.text
    [message] = deliver(app)
    assert message["To"] == "ada@example.org"
    new_link = confirm_link(message.get_content())
    assert new_link != old_link
    assert client.post(new_link).status_code == 303
    assert count(client, slug) == 1


def test_a_double_click_on_send_me_a_new_link_sends_one(app, client, make_campaign, signer):
    slug = make_campaign()
    sign_and_get_link(app, client, slug, signer())
    first, second = resend(client, slug, "ada@example.org"), resend(client, slug, "ada@example.org")
    assert first.data == second.data and "Check your email" in second.text
    [message] = deliver(app)
    # Once that link has gone, asking again sends another: the first may not have arrived.
    resend(client, slug, "ada@example.org")
    [again] = deliver(app)
    assert confirm_link(again.get_content()) != confirm_link(message.get_content())


def test_resend_answers_alike_for_pending_unknown_and_confirmed(app, client, make_campaign, signer):
    slug = make_campaign()
    sign(client, slug, signer(email="pending@example.org"))
    confirmed_link = sign_and_get_link(app, client, slug, signer(email="confirmed@example.org"))
    client.post(confirmed_link)
    deliver(app)
    answers = {}
    for address in ["pending@example.org", "unknown@example.org", "confirmed@example.org"]:
        response = resend(client, slug, address)
        answers[address] = (response.status_code, response.data)
        sent = deliver(app)
        expected = [address] if address == "pending@example.org" else []
        assert [m["To"] for m in sent] == expected
    assert len(set(answers.values())) == 1, answers.keys()
    assert "Check your email" in answers["unknown@example.org"][1].decode()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Please enter your email address."),
        ("ada@", "not valid"),
        ("a b@example.org", "not valid"),
    ],
)
def test_resend_refuses_an_invalid_address(app, client, make_campaign, address, message):
    slug = make_campaign()
    response = resend(client, slug, address)
    assert response.status_code == 422
    assert message in response.text.split('id="email-error">', 1)[1].split("</p>", 1)[0]
    assert deliver(app) == []


@pytest.mark.parametrize(
    "closing",
    [{"status": CampaignStatus.CLOSED}, {"closes_at": utcnow() - timedelta(seconds=1)}],
    ids=["closed", "past-closing-date"],
)
def test_resend_after_the_campaign_closed_sends_nothing_and_says_it_closed(
        app, client, make_campaign, signer, closing):
    slug = make_campaign()
    sign(client, slug, signer())
    deliver(app)
    with app.app_context():
        db.session.execute(update(Campaign).where(Campaign.slug == slug).values(**closing))
        db.session.commit()
        queued = len(outbox_messages())
    answers = set()
    for address in ["ada@example.org", "unknown@example.org"]:  # a pending signer, and nobody
        response = resend(client, slug, address)
        assert response.status_code == 409
        assert "This petition has closed" in response.text
        assert "Check your email" not in response.text and "on its way" not in response.text
        answers.add(response.text)
    assert len(answers) == 1  # the same answer for both: it says nothing of who signed
    with app.app_context():
        assert len(outbox_messages()) == queued
    assert deliver(app) == []
    form = client.get(f"/c/{slug}/resend")
    assert "This petition has closed" in form.text and 'name="email"' not in form.text


def test_signing_again_and_again_sends_at_most_the_daily_cap(app, client, make_campaign, signer,
                                                             clock):
    slug = make_campaign()
    answers = set()
    for _ in range(5):  # each time past the resend window, so each may send a new link
        answers.add(sign(client, slug, signer()).headers["Location"])
        clock.move(minutes=app.config["CONFIRMATION_RESEND_MINUTES"])
    assert len(answers) == 1
    assert len(states(app)) == 1
    sent = deliver(app)
    cap = app.config["EMAILS_PER_ADDRESS_PER_DAY"]
    assert cap == 3 and len(sent) == cap
    assert all(m["To"] == "ada@example.org" for m in sent)
    links = [confirm_link(m.get_content()) for m in sent]
    assert len(set(links)) == cap  # each a new link, each working
    assert all(client.get(link).status_code == 200 for link in links)
    resend(client, slug, "ada@example.org")  # the cap covers asking for a new link too
    assert deliver(app) == []


def test_confirmed_signer_signing_again_is_told_by_email(app, client, make_campaign, signer):
    slug = make_campaign()
    first = client.post(f"/c/{slug}/sign", data=signer(), follow_redirects=True)
    [message] = deliver(app)
    client.post(confirm_link(message.get_content()))
    again = client.post(f"/c/{slug}/sign", data=signer(full_name="Ada King"), follow_redirects=True)
    assert (again.status_code, again.data) == (first.status_code, first.data)
    [notice] = deliver(app)
    assert notice["To"] == "ada@example.org"
    assert "already signed" in notice["Subject"]
    body = notice.get_content()
    assert "your signature counts" in body
    assert "/confirm/" not in body
    assert states(app) == [("ada@example.org", SignatureStatus.CONFIRMED, True)]
    assert count(client, slug) == 1
    with app.app_context():
        assert signatures()[0].full_name == "Ada Lovelace"  # a repeat changes nothing stored


def test_campaign_without_confirmation_counts_at_once(app, client, make_campaign, signer):
    slug = make_campaign(require_confirmation=False)
    page = client.post(f"/c/{slug}/sign", data=signer(), follow_redirects=True)
    assert "Thank you for signing" in page.text
    assert count(client, slug) == 1
    assert states(app) == [("ada@example.org", SignatureStatus.CONFIRMED, True)]
    [thanks] = deliver(app)
    assert "Thank you for signing" in thanks["Subject"]
    body = thanks.get_content()
    assert "Your signature is counted" in body
    assert "/confirm/" not in body and "Confirm my signature" not in body


@pytest.mark.parametrize(
    "closing",
    [{"status": CampaignStatus.CLOSED}, {"closes_at": utcnow() - timedelta(seconds=1)}],
    ids=["closed", "past-closing-date"],
)
def test_confirming_after_the_campaign_closed_gets_409(app, client, make_campaign, signer, closing):
    slug = make_campaign()
    link = sign_and_get_link(app, client, slug, signer())
    with app.app_context():
        db.session.execute(update(Campaign).where(Campaign.slug == slug).values(**closing))
        db.session.commit()
    opened = client.get(link)
    assert opened.status_code == 409
    assert "Confirm my signature" not in opened.text  # no button that cannot work
    response = client.post(link)
    assert response.status_code == 409
    assert "closed" in response.text
    assert states(app) == [("ada@example.org", SignatureStatus.PENDING, False)]
    assert count(client, slug) == 0


def test_invalidated_signature_is_not_thanked_or_counted(app, client, make_campaign, signer):
    slug = make_campaign()
    link = sign_and_get_link(app, client, slug, signer())
    with app.app_context():
        [signature] = signatures()
        signature.status = SignatureStatus.INVALIDATED
        db.session.commit()
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 409
        assert "cannot be counted" in response.text
        assert "your signature counts" not in response.text
    assert states(app) == [("ada@example.org", SignatureStatus.INVALIDATED, False)]
    assert count(client, slug) == 0


def werkzeug_record(request_line: str, status: str = "200") -> logging.LogRecord:
    """An access-log record as werkzeug's request handler builds it."""
    return logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 0,
        '127.0.0.1 - - [01/Jan/2025 12:00:00] "%s" %s %s', (request_line, status, "-"), None,
    )


@pytest.mark.parametrize(
    "request_line",
    [
        f"GET /c/river/confirm/{SAMPLE_TOKEN} HTTP/1.1",
        f"POST /c/river/confirm/{SAMPLE_TOKEN}?utm_source=mail HTTP/1.1",
        f"\x1b[32mPOST /c/river/confirm/{SAMPLE_TOKEN} HTTP/1.1\x1b[0m",  # werkzeug's colours
        f"GET /c/river/confirm/{SAMPLE_TOKEN[:20]} HTTP/1.1",  # part of one, still a secret
    ],
)
def test_access_log_lines_lose_the_token(request_line):
    secret = request_line.split("/confirm/")[1].split(" ")[0].split("?")[0]
    assert secret not in redact(request_line)
    record = werkzeug_record(request_line, "303")
    assert RedactTokens().filter(record) is True
    line = record.getMessage()
    assert secret not in line
    assert "/c/river/confirm/[redacted]" in line
    assert line.startswith("127.0.0.1 - - [01/Jan/2025 12:00:00] ") and line.endswith(" 303 -")


def test_other_log_lines_are_left_alone():
    record = werkzeug_record("GET /c/river/count.json HTTP/1.1")
    assert RedactTokens().filter(record) is True
    assert record.getMessage().endswith('"GET /c/river/count.json HTTP/1.1" 200 -')
    assert record.args == ("GET /c/river/count.json HTTP/1.1", "200", "-")


def test_development_server_logs_confirm_requests_without_the_token(app, client, make_campaign,
                                                                     signer, caplog):
    slug = make_campaign()
    link = sign_and_get_link(app, client, slug, signer())
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", link)
            assert connection.getresponse().status == 200
            connection.close()
    finally:
        server.shutdown()
        thread.join()
    token = link.rsplit("/", 1)[1]
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any(f"/c/{slug}/confirm/[redacted]" in line for line in lines), lines
    assert not [line for line in lines if token in line]
