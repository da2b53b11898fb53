"""'I contacted them': one outreach per visitor, representative and channel, counted per office."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Outreach, Representative
from campaign.representatives import outreach
from tests import representative_data as data
from tests.helpers import count_rows


@pytest.fixture
def reps(app) -> dict[str, int]:
    return data.load(app)


def _contacted(client, slug: str, rep_id: int, channel: str | None, **extra):
    form = {"channel": channel, "country": "US", "postcode": "55401", **extra}
    return client.post(f"/c/{slug}/representatives/{rep_id}/contacted",
                       data={k: v for k, v in form.items() if v is not None})


def _counts(app, slug: str) -> dict[int, dict[str, int]]:
    with app.app_context():
        return outreach.counts(store.get_by_slug(slug).id)


def test_contacted_is_recorded_and_shown_back(app, client, make_campaign, reps):
    slug = make_campaign()
    casey = reps[data.MEMBER_MN_05]
    response = _contacted(client, slug, casey, "phone")
    assert response.status_code == 303
    assert response.location == f"/c/{slug}/representatives?country=US&postcode=55401#rep-{casey}"
    page = client.get(response.location).text
    assert "Thank you — noted." in page
    card = page[page.index(f'id="rep-{casey}"'):]
    card = card[:card.index("</article>")]
    assert "Contacted by phone ✓" in card and 'value="phone"' not in card
    assert 'value="form"' in card  # the other ways are still buttons
    with app.app_context():
        [row] = db.session.scalars(select(Outreach))
        assert (row.representative_id, row.representative_name, row.channel) == (
            casey, data.MEMBER_MN_05, "phone")
        with client.session_transaction() as session:
            visitor_id = session["visitor"]
        assert re.fullmatch(r"[0-9a-f]{64}", row.visitor_key) and visitor_id not in row.visitor_key
        assert row.visitor_key == outreach.visitor_key(app.config["SECRET_KEY"], visitor_id)


def test_once_per_visitor_and_channel(app, make_campaign, reps):
    slug = make_campaign()
    casey, dana = reps[data.MEMBER_MN_05], reps[data.MEMBER_MN_03]
    visitor, other_visitor = app.test_client(), app.test_client()
    for _ in range(3):  # repeats and double clicks: answered the same, counted once
        assert _contacted(visitor, slug, casey, "phone").status_code == 303
    assert _counts(app, slug) == {casey: {"phone": 1}}
    _contacted(visitor, slug, casey, "form")
    assert _counts(app, slug) == {casey: {"phone": 1, "form": 1}}
    _contacted(other_visitor, slug, casey, "phone")
    _contacted(other_visitor, slug, dana, "email")
    assert _counts(app, slug) == {casey: {"phone": 2, "form": 1}, dana: {"email": 1}}


def test_counts_are_per_campaign_and_keep_a_removed_representative_out(app, make_campaign, reps):
    first, second = make_campaign(), make_campaign()
    casey, senator = reps[data.MEMBER_MN_05], reps[data.SENATORS_MN[0]]
    with app.app_context():
        ids = {slug: store.get_by_slug(slug).id for slug in (first, second)}
        people = {i: db.session.get(Representative, i) for i in (casey, senator)}
        now = utcnow()
        outreach.record(ids[first], people[casey], "letter", "visitor-a", now=now)
        outreach.record(ids[first], people[senator], "phone", "visitor-a", now=now)
        outreach.record(ids[second], people[casey], "letter", "visitor-a", now=now)
        assert outreach.record(ids[second], people[casey], "letter", "visitor-a", now=now) is False
        db.session.delete(people[senator])  # a later import dropped them
        db.session.commit()
        assert outreach.counts(ids[first]) == {casey: {"letter": 1}}
        assert outreach.counts(ids[second]) == {casey: {"letter": 1}}
        assert db.session.scalar(select(Outreach.representative_name).where(
            Outreach.representative_id.is_(None))) == data.SENATORS_MN[0]


@pytest.mark.parametrize(("rep", "channel", "status"), [
    (data.MEMBER_MN_05, "fax", 400),
    (data.MEMBER_MN_05, None, 400),
    (data.MEMBER_MN_05, "email", 400),  # this office publishes no email: it cannot have been one
    (999_999, "phone", 404),  # no such representative
    (10**20, "phone", 404),  # not even a database integer
])
def test_bad_channel_or_unknown_representative(app, client, make_campaign, reps, rep, channel,
                                                status):
    slug = make_campaign()
    response = _contacted(client, slug, reps.get(rep, rep), channel)
    assert response.status_code == status
    if status == 400:
        assert "Please choose how you contacted them" in response.text
    with app.app_context():
        assert count_rows(Outreach) == 0


def test_a_bad_place_in_the_form_only_drops_it_from_the_way_back(client, make_campaign, reps):
    slug = make_campaign()
    response = _contacted(client, slug, reps[data.MEMBER_MN_05], "phone", postcode="<script>")
    assert response.status_code == 303
    assert response.location == f"/c/{slug}/representatives#rep-{reps[data.MEMBER_MN_05]}"


def test_unknown_or_draft_campaigns_take_no_outreach(app, client, make_campaign, reps):
    draft = make_campaign(status="draft")
    assert _contacted(client, draft, reps[data.MEMBER_MN_05], "phone").status_code == 404
    assert _contacted(client, "nope", reps[data.MEMBER_MN_05], "phone").status_code == 404
    with app.app_context():
        assert count_rows(Outreach) == 0


def test_without_the_form_token_nothing_is_recorded(app, make_campaign, reps):
    app.config["WTF_CSRF_ENABLED"] = True
    slug = make_campaign()
    client = app.test_client()
    page = client.get(f"/c/{slug}/representatives", query_string={"postcode": "55401"}).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    casey = reps[data.MEMBER_MN_05]
    assert _contacted(client, slug, casey, "phone").status_code == 400
    assert _contacted(client, slug, casey, "phone", csrf_token="forged").status_code == 400
    with app.app_context():
        assert count_rows(Outreach) == 0
    assert _contacted(client, slug, casey, "phone", csrf_token=token).status_code == 303
    assert _counts(app, slug) == {casey: {"phone": 1}}


def test_the_visitor_key_depends_on_the_secret():
    assert outreach.visitor_key("one", "browser") != outreach.visitor_key("two", "browser")
    assert outreach.visitor_key("one", "browser") == outreach.visitor_key("one", "browser")
