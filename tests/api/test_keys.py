"""Keys: who gets in, what a key may do, its limits, and what every answer carries."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign.accounts import api_keys, organizers
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import ApiKey, AuditEntry
from tests.api.conftest import HEADER

PERSON = {"person": {"given_name": "Ada", "family_name": "Lovelace",
                     "email_addresses": [{"address": "ada@example.org"}],
                     "postal_addresses": [{"postal_code": "02139", "country": "US"}]}}


def _petition_url(api, key) -> str:
    petitions = api(key, "/api/v1/petitions").json["_embedded"]["osdi:petitions"]
    return petitions[0]["_links"]["self"]["href"].removeprefix("http://localhost")


@pytest.mark.parametrize("headers", [{}, {HEADER: ""}, {HEADER: "cmp_" + "x" * 40},
                                     {HEADER: "not-a-key"}, {"Authorization": "Bearer cmp_x"}],
                         ids=["missing", "empty", "unknown", "malformed", "other-header"])
def test_no_valid_key_is_401_with_a_json_problem(client, headers):
    for url in ("/api/v1/", "/api/v1/people", "/api/v1/petitions"):
        response = client.get(url, headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 401 and response.json["title"]
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "Set-Cookie" not in response.headers


def test_a_revoked_key_stops_working(app, api, make_campaign, make_key):
    key = make_key(campaigns_owned=[make_campaign()])
    assert api(key, "/api/v1/petitions").status_code == 200
    with app.app_context():
        assert api_keys.revoke(db.session.get(ApiKey, key.id), now=utcnow())
        db.session.commit()
    assert api(key, "/api/v1/petitions").status_code == 401


def test_the_key_of_a_removed_organizer_stops_working(app, api, make_campaign, make_key):
    key = make_key(campaigns_owned=[make_campaign()])
    with app.app_context():
        db.session.delete(organizers.get_by_email(key.organizer_email))
        db.session.commit()
        assert db.session.scalars(select(ApiKey)).all() == []
    assert api(key, "/api/v1/").status_code == 401


def test_a_read_key_may_not_write(app, api, make_campaign, make_key):
    key = make_key(campaigns_owned=[make_campaign()])
    url = _petition_url(api, key) + "/signatures"
    response = api(key, url, "POST", json=PERSON)
    assert response.status_code == 403
    assert response.json["title"] == "Read-only key"
    assert api(key, url).json["total_records"] == 0


def test_another_organizers_campaign_is_404_everywhere(app, api, make_campaign, make_key):
    theirs = make_campaign()
    their_key = make_key("them@example.org", "read_write", campaigns_owned=[theirs])
    url = _petition_url(api, their_key)
    assert api(their_key, url + "/signatures", "POST", json=PERSON).status_code == 202
    signature = api(their_key, url + "/signatures").json["_embedded"]["osdi:signatures"][0]
    person = signature["_links"]["osdi:person"]["href"].removeprefix("http://localhost")
    petition_uuid = url.rsplit("/", 1)[1]

    mine = make_key("me@example.org", "read_write", campaigns_owned=[make_campaign()])
    for path in (url, url + "/signatures", signature["_links"]["self"]["href"], person,
                 f"/api/v1/advocacy_campaigns/{petition_uuid}",
                 f"/api/v1/advocacy_campaigns/{petition_uuid}/outreaches"):
        response = api(mine, path.removeprefix("http://localhost"))
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
    assert api(mine, url + "/signatures", "POST", json=PERSON).status_code == 404
    assert api(mine, "/api/v1/people").json["total_records"] == 0


@pytest.mark.parametrize("identifier", ["nope", "00000000-0000-0000-0000-000000000000",
                                        "campaign:00000000-0000-0000-0000-000000000000", "1"])
def test_unknown_identifiers_are_404(api, make_campaign, make_key, identifier):
    key = make_key(campaigns_owned=[make_campaign()])
    for path in (f"/api/v1/petitions/{identifier}", f"/api/v1/people/{identifier}",
                 f"/api/v1/events/{identifier}", f"/api/v1/advocacy_campaigns/{identifier}"):
        response = api(key, path)
        assert response.status_code == 404 and response.json["status"] == 404


def test_an_administrators_key_sees_every_campaign(api, make_campaign, make_organizer, make_key):
    make_campaign(title="One"), make_campaign(title="Two")
    make_organizer("admin@example.org", role="admin")
    key = make_key("admin@example.org", new_organizer=False)
    assert api(key, "/api/v1/petitions").json["total_records"] == 2


def test_each_key_has_its_rate_limit(app, api, make_campaign, make_key):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    slug = make_campaign()
    key = make_key(campaigns_owned=[slug])
    other = make_key("other@example.org", campaigns_owned=[slug])
    assert [api(key, "/api/v1/").status_code for _ in range(3)] == [200] * 3
    refused = api(key, "/api/v1/")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert api(other, "/api/v1/").status_code == 200  # a budget per key


def test_last_used_is_written_at_most_once_a_minute(app, api, make_campaign, make_key, clock):
    key = make_key(campaigns_owned=[make_campaign()])

    def last_used():
        with app.app_context():
            value = db.session.get(ApiKey, key.id).last_used_at
            db.session.remove()
        return value

    assert last_used() is None
    api(key, "/api/v1/")
    first = last_used()
    assert first == clock.now
    clock.move(seconds=50)
    api(key, "/api/v1/petitions")
    assert last_used() == first
    clock.move(seconds=11)
    api(key, "/api/v1/people")
    assert last_used() == clock.now


def test_no_answer_sets_a_cookie_or_may_be_stored(app, api, client, make_campaign, make_key):
    key = make_key("w@example.org", "read_write", campaigns_owned=[make_campaign()])
    url = _petition_url(api, key)
    answers = [api(key, "/api/v1/"), api(key, url), api(key, url + "/signatures", "POST", json=PERSON),
               api(key, url + "/signatures", "POST", json={"person": {}}),
               api(key, "/api/v1/people?page=0"), api(key, "/api/v1/nothing-here"),
               api(None, "/api/v1/people")]
    for response in answers:
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.mimetype in ("application/hal+json", "application/problem+json")
    assert [r.status_code for r in answers] == [200, 200, 202, 400, 400, 404, 401]


def test_reads_of_personal_data_and_writes_are_audited_without_personal_data(
        app, api, make_campaign, make_key):
    key = make_key("w@example.org", "read_write", campaigns_owned=[make_campaign()])
    url = _petition_url(api, key)
    api(key, url + "/signatures", "POST", json=PERSON)
    api(key, "/api/v1/petitions")  # no personal data: not audited
    api(key, url + "/signatures")
    api(key, "/api/v1/people")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        found = [(e.action, e.detail, e.campaign_id is not None) for e in entries]
        db.session.remove()
    assert found == [("api.signature.recorded", {"key": key.id, "rows": 1}, True),
                     ("api.signatures.read", {"key": key.id, "rows": 1}, True),
                     ("api.people.read", {"key": key.id, "rows": 1}, False)]
    assert "ada" not in repr(found).lower() and "lovelace" not in repr(found).lower()


def test_the_api_needs_no_csrf_token(app, api, make_campaign, make_key):
    app.config["WTF_CSRF_ENABLED"] = True
    key = make_key("w@example.org", "read_write", campaigns_owned=[make_campaign()])
    assert api(key, _petition_url(api, key) + "/signatures", "POST", json=PERSON).status_code == 202
