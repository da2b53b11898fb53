"""Recording deliveries and answers, and what the public page and JSON show of them."""
from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.delivery import answers
from campaign.extensions import db
from campaign.models import AuditEntry, Delivery
from tests import seats

world, owner = seats.world, seats.owner


def _url(slug: str, key: str) -> str:
    return f"/organizer/c/{slug}/answers/{key}"


def _days_ago(days: int) -> str:
    return (utcnow().date() - timedelta(days=days)).isoformat()


def _omar(ids) -> str:
    return answers.representative_key(ids["Ilhan Omar"])


def _row(page: str, key: str) -> str:
    match = re.search(rf'<tr id="office-{key}">(.*?)</tr>', page, re.DOTALL)
    assert match, page[:3000]
    return " ".join(match[1].split())


def test_a_recorded_answer_shows_on_the_public_page_beside_its_constituent_count(client, owner):
    slug, ids = owner
    quote = 'I <script>alert("x")</script> support it'
    saved = client.post(_url(slug, _omar(ids)), data={
        "delivered_on": _days_ago(10), "method": "in_person", "answer_status": "supports",
        "answered_on": _days_ago(3), "answer_quote": quote,
        "answer_url": "https://omar.house.gov/a?x=1&y=2"})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/organizer/c/{slug}/answers")
    client.post("/auth/logout")

    page = client.get(f"/c/{slug}")
    assert page.status_code == 200
    row = _row(page.text, _omar(ids))
    assert "Ilhan Omar" in row
    assert '<td class="num">3</td>' in row  # her constituents who signed
    assert "Supports" in row and "(in person)" in row
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in row and "<script>" not in row
    assert ('<a href="https://omar.house.gov/a?x=1&amp;y=2" rel="nofollow noopener">' in row)
    # Offices not answered yet: the target, delivered to nobody, says so.
    assert "Not delivered yet" in _row(page.text, "target")


def test_an_unanswered_delivery_shows_the_days_since_on_the_page_and_in_the_json(client, owner):
    slug, _ = owner
    assert client.post(_url(slug, "target"), data={"delivered_on": _days_ago(12),
                                                   "method": "email"}).status_code == 303
    page = client.get(f"/c/{slug}").text
    assert "No answer yet" in _row(page, "target") and "12 days since delivery" in _row(page, "target")
    document = client.get(f"/c/{slug}.json").get_json()
    target = document["accountability"][0]
    assert target == {
        "office": "The County Board", "kind": "target", "role": None, "seat": None,
        "constituents_signed": seats.EXPECTED_CONFIRMED, "delivered_on": _days_ago(12),
        "delivery_method": "email", "packet_sha256": None, "answer": None,
        "days_since_delivery": 12}
    omar = next(o for o in document["accountability"] if o["office"] == "Ilhan Omar")
    assert (omar["constituents_signed"], omar["delivered_on"], omar["answer"]) == (3, None, None)
    assert document["response_threshold"] is None


def test_the_json_carries_the_answer_and_the_packet_sha256(client, owner):
    slug, ids = owner
    pdf = client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}.pdf")
    assert client.post(_url(slug, _omar(ids)), data={
        "delivered_on": _days_ago(5), "method": "post", "with_packet": "y",
        "answer_status": "declined", "answered_on": _days_ago(1)}).status_code == 303
    sha = hashlib.sha256(pdf.data).hexdigest()
    omar = next(o for o in client.get(f"/c/{slug}.json").get_json()["accountability"]
                if o["office"] == "Ilhan Omar")
    assert omar["packet_sha256"] == sha
    assert omar["answer"] == {"status": "declined", "answered_on": _days_ago(1), "quote": "",
                              "url": None}
    assert omar["days_since_delivery"] is None
    page = client.get(f"/c/{slug}").text
    assert sha in _row(page, _omar(ids)) and "Declined to answer" in _row(page, _omar(ids))


@pytest.mark.parametrize(("form", "message"), [
    ({"delivered_on": "tomorrow", "method": "email"}, "Not a valid date value"),
    ({"delivered_on": "+1", "method": "email"}, "cannot be in the future"),
    ({"delivered_on": "-5", "method": ""}, "Choose how the petition was delivered."),
    ({"delivered_on": "-5", "method": "fax"}, "Not a valid choice"),
    ({"delivered_on": "-5", "method": "email", "answer_status": "supports", "answered_on": "-6"},
     "The answer date cannot be before the delivery date."),
    ({"delivered_on": "-5", "method": "email", "answer_status": "supports", "answered_on": "+1"},
     "The answer date cannot be in the future."),
    ({"delivered_on": "-5", "method": "email", "answer_status": "supports"},
     "Give the date of the answer too."),
    ({"delivered_on": "-5", "method": "email", "answer_status": "furious", "answered_on": "-1"},
     "Not a valid choice"),
    ({"answer_status": "supports", "answered_on": "-1"}, "Record the delivery (its date) before the answer."),
    ({"delivered_on": "-5", "method": "email", "answer_status": "opposes", "answered_on": "-1",
      "answer_url": "javascript:alert(1)"}, "must be a web address starting with http:// or https://"),
    ({"delivered_on": "-5", "method": "email", "answer_status": "opposes", "answered_on": "-1",
      "answer_quote": "x" * 1001}, "1000 characters"),
    ({"delivered_on": "-5", "method": "email", "with_packet": "y"}, "never downloaded"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(app, client, owner, form, message):
    slug, ids = owner
    for name in ("delivered_on", "answered_on"):
        if re.fullmatch(r"[+-]\d+", form.get(name, "")):
            days = int(form[name])
            form = {**form, name: (utcnow().date() + timedelta(days=days)).isoformat()}
    response = client.post(_url(slug, _omar(ids)), data=form)
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    with app.app_context():
        assert db.session.scalar(select(Delivery)) is None


def test_an_office_no_constituent_of_which_signed_or_unknown_is_404(client, owner):
    slug, ids = owner
    for key in (answers.representative_key(ids["Kelly Morrison"]), "representative-987654", "nobody"):
        assert client.get(_url(slug, key)).status_code == 404
        assert client.post(_url(slug, key), data={"delivered_on": _days_ago(1),
                                                  "method": "email"}).status_code == 404


def test_only_organizers_of_the_campaign_may_record(app, client, world, make_organizer, login):
    slug, ids = world
    login(client, make_organizer("stranger@example.org"))
    assert client.get(f"/organizer/c/{slug}/answers").status_code == 404
    refused = client.post(_url(slug, _omar(ids)), data={"delivered_on": _days_ago(1), "method": "email"})
    assert refused.status_code == 404
    client.post("/auth/logout")
    anonymous = client.post(_url(slug, _omar(ids)), data={"delivered_on": _days_ago(1), "method": "email"})
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(Delivery)) is None


def test_changing_and_clearing_a_record_is_audited_and_refreshes_the_page(app, client, owner):
    slug, _ = owner
    client.post(_url(slug, "target"), data={"delivered_on": _days_ago(4), "method": "web_form"})
    assert "No answer yet" in _row(client.get(f"/c/{slug}").text, "target")
    form = client.get(_url(slug, "target")).text
    assert 'value="web_form" selected' in form or "selected value=\"web_form\"" in form
    client.post(_url(slug, "target"), data={"delivered_on": _days_ago(4), "method": "web_form",
                                            "answer_status": "no_position", "answered_on": _days_ago(0)})
    assert "No position" in _row(client.get(f"/c/{slug}").text, "target")
    client.post(_url(slug, "target"), data={"delivered_on": "", "method": ""})
    assert 'id="accountability"' not in client.get(f"/c/{slug}").text  # nothing delivered: no table
    with app.app_context():
        assert db.session.scalar(select(Delivery)) is None
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.startswith("delivery.")).order_by(AuditEntry.id)).all()
    assert actions == ["delivery.recorded", "delivery.edited", "delivery.removed"]


def test_the_organizer_page_lists_offices_and_the_overview_says_when_delivery_is_due(app, client, owner):
    slug, _ = owner
    page = client.get(f"/organizer/c/{slug}/answers")
    assert page.status_code == 200
    assert "The County Board" in page.text and "Ilhan Omar" in page.text
    assert "Kelly Morrison" not in page.text
    assert "Delivery due" not in client.get(f"/organizer/c/{slug}/").text
    with app.app_context():
        store.get_by_slug(slug).response_threshold = seats.EXPECTED_CONFIRMED
        db.session.commit()
    overview = client.get(f"/organizer/c/{slug}/").text
    assert "Delivery due:" in overview and "response threshold of 9" in overview
    assert "Delivery due:" in client.get(f"/organizer/c/{slug}/answers").text


def test_the_threshold_is_set_on_the_edit_page(app, client, owner):
    slug, _ = owner
    form = {"title": "Keep the library grants", "slug": slug, "petition_text": "Keep them.",
            "target": "Congress", "goal": "100", "default_country": "US"}
    bad = client.post(f"/organizer/c/{slug}/edit", data={**form, "response_threshold": "0"})
    assert bad.status_code == 422 and "Number must be between 1 and 100000000" in bad.text
    assert client.post(f"/organizer/c/{slug}/edit",
                       data={**form, "response_threshold": "10000"}).status_code == 303
    with app.app_context():
        assert store.get_by_slug(slug).response_threshold == 10_000
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.edited"))
        assert entry.detail["changes"]["response_threshold"] == {"old": None, "new": 10_000}
    assert client.get(f"/c/{slug}.json").get_json()["response_threshold"] == 10_000
