"""Advocacy campaigns, their targets and outreaches (and record_outreach_helper); events and
their attendances, read only."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    Campaign,
    CampaignStatus,
    Event,
    EventStatus,
    Outreach,
    Rsvp,
    RsvpStatus,
)
from tests import representative_data
from tests.representative_data import MEMBER_MN_03, MEMBER_MN_05


@pytest.fixture
def advocacy(app, api, make_campaign, make_key):
    """(key, the advocacy campaign document, representatives' uuids by name)."""
    slug = make_campaign()
    ids = representative_data.load(app)
    key = make_key("w@example.org", "read_write", campaigns_owned=[slug])
    entry = api(key, "/api/v1/").json
    listed = api(key, _path(entry["_links"]["osdi:advocacy_campaigns"]["href"])).json
    document = listed["_embedded"]["osdi:advocacy_campaigns"][0]
    targets = api(key, _path(document["_links"]["osdi:targets"]["href"])).json
    uuids = {t["name"]: t["identifiers"][0] for t in targets["_embedded"]["osdi:targets"]}
    assert len(uuids) == len(ids) == targets["total_records"]
    return key, document, uuids


def _path(href: str) -> str:
    return href.removeprefix("http://localhost")


def test_an_outreach_is_recorded_and_listed(app, api, advocacy):
    key, document, uuids = advocacy
    helper = _path(document["_links"]["osdi:record_outreach_helper"]["href"])
    body = {"type": "email", "targets": [{"identifiers": [uuids[MEMBER_MN_03]]}],
            "identifiers": ["crm:visit-1"]}
    made = api(key, helper, "POST", json=body)
    assert made.status_code == 201
    outreach = made.json["_embedded"]["osdi:outreaches"][0]
    assert outreach["type"] == "email"
    assert outreach["targets"][0]["identifiers"] == [uuids[MEMBER_MN_03]]
    assert "osdi:person" not in outreach["_links"]  # no person is kept for an outreach
    # The same client id again: a retry, counted once.
    again = api(key, helper, "POST", json=body)
    assert again.status_code == 200 and again.json["total_outreaches"] == 0
    listed = api(key, _path(document["_links"]["osdi:outreaches"]["href"])).json
    assert listed["total_records"] == 1
    assert api(key, _path(outreach["_links"]["self"]["href"])).json == outreach
    assert api(key, _path(document["_links"]["self"]["href"])).json["total_outreaches"] == 1
    targets = api(key, _path(document["_links"]["osdi:targets"]["href"])).json
    counted = {t["name"]: t["total_outreaches"] for t in targets["_embedded"]["osdi:targets"]}
    assert counted[MEMBER_MN_03] == 1 and sum(counted.values()) == 1
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        audited = [(e.action, e.detail) for e in entries]
    key_id = key.id
    assert audited == [("api.outreaches.recorded", {"key": key_id, "rows": 1}),
                       ("api.outreaches.recorded", {"key": key_id, "rows": 0})]


@pytest.mark.parametrize(("change", "field"), [
    ({"targets": []}, "targets"),
    ({"targets": [{"identifiers": ["campaign:00000000-0000-0000-0000-000000000000"]}]},
     "targets[0]"),
    ({"type": "fax"}, "type"),
    ({"type": "email", "member": MEMBER_MN_05}, "type"),  # this office has no email address
])
def test_a_bad_outreach_is_refused_and_nothing_stored(app, api, advocacy, change, field):
    key, document, uuids = advocacy
    change = dict(change)  # the table's own dict is shared by both databases' runs
    body = {"type": "phone", "targets": [{"identifiers": [uuids[change.pop("member", MEMBER_MN_03)]]}]}
    response = api(key, _path(document["_links"]["osdi:record_outreach_helper"]["href"]), "POST",
                   json=body | change)
    assert response.status_code == 400
    assert field in response.json["errors"]
    with app.app_context():
        assert db.session.scalars(select(Outreach)).all() == []


def test_outreaches_need_a_read_write_key_and_an_open_campaign(app, api, advocacy, make_key):
    key, document, uuids = advocacy
    helper = _path(document["_links"]["osdi:record_outreach_helper"]["href"])
    body = {"type": "phone", "targets": [{"identifiers": [uuids[MEMBER_MN_03]]}]}
    reader = make_key("w@example.org", "read", new_organizer=False)
    assert api(reader, helper, "POST", json=body).status_code == 403
    with app.app_context():
        db.session.execute(update(Campaign).values(status=CampaignStatus.CLOSED))
        db.session.commit()
    assert api(key, helper, "POST", json=body).status_code == 409


def test_the_outreach_limit_is_the_buttons_limit(app, api, advocacy):
    app.config["OUTREACH_RATE_LIMIT"] = "1 per minute"
    key, document, uuids = advocacy
    helper = _path(document["_links"]["osdi:record_outreach_helper"]["href"])
    body = {"type": "phone", "targets": [{"identifiers": [uuids[MEMBER_MN_03]]}]}
    assert api(key, helper, "POST", json=body).status_code == 201
    assert api(key, helper, "POST", json=body).status_code == 429


def _event_with_rsvps(app, slug: str) -> None:
    start = datetime(2026, 12, 20, 18, tzinfo=UTC)
    with app.app_context():
        campaign = store.get_by_slug(slug)
        event = Event(campaign_id=campaign.id, title="Town hall", starts_at=start,
                      ends_at=start + timedelta(hours=2), timezone="America/Chicago",
                      venue_name="Library", town="Minneapolis", region="MN", postcode="55401",
                      capacity=30, status=EventStatus.PUBLISHED)
        db.session.add(event)
        db.session.flush()
        db.session.add_all([
            Rsvp(event_id=event.id, full_name="Ada Lovelace", email="ada@example.org",
                 email_key="ada@example.org", postcode="55401", guests=2, status=RsvpStatus.GOING),
            Rsvp(event_id=event.id, full_name="Pat Pending", email="pat@example.org",
                 email_key="pat@example.org", status=RsvpStatus.PENDING),
        ])
        db.session.commit()
        db.session.remove()


def test_events_and_attendances_are_read_through_the_links(app, api, make_campaign, make_key):
    slug = make_campaign()
    _event_with_rsvps(app, slug)
    key = make_key(campaigns_owned=[slug])
    stranger = make_key("other@example.org", campaigns_owned=[make_campaign()])
    events = api(key, _path(api(key, "/api/v1/").json["_links"]["osdi:events"]["href"])).json
    event = events["_embedded"]["osdi:events"][0]
    assert (event["title"], event["status"], event["total_accepted"], event["capacity"]) == (
        "Town hall", "confirmed", 3, 30)
    assert event["start_date"] == "2026-12-20T18:00:00Z"
    assert event["location"]["locality"] == "Minneapolis"
    attendances = api(key, _path(event["_links"]["osdi:attendances"]["href"])).json
    found = {(a["_embedded"]["osdi:person"]["email_addresses"][0]["address"], a["status"])
             for a in attendances["_embedded"]["osdi:attendances"]}
    assert found == {("ada@example.org", "accepted"), ("pat@example.org", "needs action")}
    one = attendances["_embedded"]["osdi:attendances"][0]
    assert api(key, _path(one["_links"]["self"]["href"])).json == one
    assert api(stranger, _path(event["_links"]["self"]["href"])).status_code == 404
    assert api(stranger, "/api/v1/events").json["total_records"] == 0
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.detail["rows"]) for e in entries] == [
            ("api.attendances.read", 2), ("api.attendances.read", 1)]
