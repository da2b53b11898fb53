"""The public JSON document /c/<slug>.json: counts read back, no personal data, cached, 404s."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from campaign import cache
from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import CampaignStatus
from tests.seats import EXPECTED_CONFIRMED, EXPECTED_UNKNOWN, SIGNERS, add_signers, build_world


@pytest.fixture
def slug(app, make_campaign):
    slug = make_campaign(title="Keep the library grants")
    build_world(app, slug, other_slug=make_campaign(title="Another"))
    return slug


def _iso(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_the_document_has_every_count(client, slug):
    response = client.get(f"/c/{slug}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.data)
    assert (data["slug"], data["title"], data["state"]) == (slug, "Keep the library grants", "open")
    assert data["signature_count"] == EXPECTED_CONFIRMED
    assert data["signatures_by_country"] == [
        {"name": "United Kingdom", "code": "GB", "signature_count": 1},
        {"name": "United States", "code": "US", "signature_count": EXPECTED_CONFIRMED - 1},
    ]
    assert data["signatures_by_region"] == [
        {"name": "Alaska", "code": "AK", "signature_count": 1},
        {"name": "Minnesota", "code": "MN", "signature_count": 7},
    ]
    assert data["signatures_by_district"] == [
        {"code": "AK-AL", "name": "Alaska at-large", "representative": ["Nick Begich"],
         "signature_count": 1},
        {"code": "MN-02", "name": "Minnesota's 2nd congressional district",
         "representative": ["Angie Craig"], "signature_count": 1},
        {"code": "MN-05", "name": "Minnesota's 5th congressional district",
         "representative": ["Ilhan Omar"], "signature_count": 3},
    ]
    assert data["signatures_in_shared_postcodes"] == [
        {"districts": ["MN-03", "MN-05"], "representative": ["Kelly Morrison", "Ilhan Omar"],
         "signature_count": 2}]
    assert data["signatures_with_unknown_district"] == EXPECTED_UNKNOWN
    assert data["url"] == f"http://localhost/c/{slug}"
    for key in ("created_at", "updated_at", "counted_at"):
        assert _iso(data[key]) <= datetime.now(UTC)
    assert "closing_at" not in data


def test_no_personal_data(client, slug):
    text = client.get(f"/c/{slug}.json").get_data(as_text=True)
    for name, email, _country, postcode, *_ in SIGNERS:
        assert email not in text and postcode not in text
        assert json.dumps(name)[1:-1] not in text and name not in text
    assert "@" not in text


def test_it_may_be_cached_briefly_by_anyone(client, slug):
    response = client.get(f"/c/{slug}.json")
    assert response.headers["Cache-Control"] == "public, max-age=5"


def test_a_closing_date_is_given_in_utc(app, client, make_campaign):
    slug = make_campaign(closes_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert client.get(f"/c/{slug}.json").json["closing_at"] == "2030-01-02T03:04:05Z"


@pytest.mark.parametrize("which", ["draft", "unknown", "bad-slug"])
def test_drafts_and_unknown_campaigns_are_404_json(client, make_campaign, which):
    slug = {"draft": lambda: make_campaign(status=CampaignStatus.DRAFT),
            "unknown": lambda: "no-such-campaign", "bad-slug": lambda: "Not_A..Slug"}[which]()
    response = client.get(f"/c/{slug}.json")
    assert response.status_code == 404 and response.json["status"] == 404


def test_an_empty_campaign_has_zero_counts(client, make_campaign):
    data = client.get(f"/c/{make_campaign()}.json").json
    assert data["signature_count"] == 0
    assert data["signatures_by_country"] == data["signatures_by_district"] == []


def test_counts_are_cached_for_the_tally_lifetime(app, client, slug):
    app.config["TALLY_CACHE_SECONDS"] = 60
    assert client.get(f"/c/{slug}.json").json["signature_count"] == EXPECTED_CONFIRMED
    with app.app_context():
        add_signers(slug, [("New Person", "new@example.org", "US", "55401", "MN", "MN-05", "",
                            "confirmed")])
        db.session.commit()
        campaign_id = store.get_by_slug(slug).id
    assert client.get(f"/c/{slug}.json").json["signature_count"] == EXPECTED_CONFIRMED
    cache.forget(campaign_id)  # what confirming a signature does
    assert client.get(f"/c/{slug}.json").json["signature_count"] == EXPECTED_CONFIRMED + 1
    cache.forget(campaign_id)
