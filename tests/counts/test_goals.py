"""Goals: the ladder, a reached goal raised once (even under concurrent confirmations), a fixed one kept."""
from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.counts import goals
from campaign.extensions import db
from campaign.mail import backends, outbox
from campaign.models import AuditEntry, Campaign, Signature, SignatureStatus
from tests.helpers import confirm_link

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("count", "goal"), [
    (0, 10), (9, 10), (10, 25), (24, 25), (25, 50), (50, 100), (999, 1_000), (1_000, 2_500),
    (2_500, 5_000), (5_000, 10_000), (10_000, 25_000), (25_000, 50_000), (1_234_567, 2_500_000),
])
def test_the_ladder_goes_to_the_first_step_above_the_count(count, goal):
    assert goals.next_goal(count) == goal


def test_the_ladder_steps():
    assert goals.ladder(25_000)[5:] == [500, 1_000, 2_500, 5_000, 10_000, 25_000]


def _shown(page: str) -> str:
    """The page's text as a reader sees it: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def _store_confirmed(app, slug: str, number: int, *, start: int = 0) -> None:
    with app.app_context():
        campaign = store.get_by_slug(slug)
        for i in range(start, start + number):
            db.session.add(Signature(
                campaign_id=campaign.id, full_name=f"Signer {i}", email=f"s{i}@example.org",
                email_key=f"s{i}@example.org", country="US", status=SignatureStatus.CONFIRMED,
                created_at=T0 + timedelta(minutes=i), confirmed_at=T0 + timedelta(minutes=i)))
        db.session.commit()


def _campaign(app, slug: str) -> Campaign:
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        db.session.expunge(campaign)
        return campaign


def test_the_signature_that_reaches_the_goal_raises_it_and_the_page_says_so(app, client, make_campaign,
                                                                              signer):
    slug = make_campaign(goal=10, require_confirmation=False)
    _store_confirmed(app, slug, 9)
    assert "9 signatures, next goal 10" in _shown(client.get(f"/c/{slug}").text)
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    assert _campaign(app, slug).goal == 25
    page = _shown(client.get(f"/c/{slug}").text)
    assert "10 signatures, next goal 25" in page
    assert client.get(f"/c/{slug}/count.json").json["goal"] == 25


def _goal_entries(app) -> list[tuple[int | None, dict]]:
    with app.app_context():
        query = (select(AuditEntry.campaign_id, AuditEntry.detail)
                 .where(AuditEntry.action == "campaign.goal_raised").order_by(AuditEntry.id))
        return [tuple(row) for row in db.session.execute(query)]


def test_a_raised_goal_is_audited_and_the_audit_page_shows_it(app, client, make_campaign, make_organizer,
                                                               login, signer):
    slug = make_campaign(goal=10, require_confirmation=False)
    _store_confirmed(app, slug, 8)
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303  # 9: not reached
    assert _goal_entries(app) == []
    assert client.post(f"/c/{slug}/sign", data=signer(email="grace@example.org")).status_code == 303
    assert _goal_entries(app) == [(_campaign(app, slug).id, {"changes": {"goal": {"old": 10, "new": 25}},
                                                             "signatures": 10})]
    login(client, make_organizer("admin@example.org", role="admin"))
    page = client.get("/organizer/audit", query_string={"action": "campaign.goal_raised"}).text
    assert "campaign.goal_raised" in page and f"/c/{slug}" in page
    assert "goal: 10 → 25" in page and "signatures: 10" in page


def _confirmation_links(app, client, slug: str, signer, number: int) -> list[str]:
    for i in range(number):
        assert client.post(f"/c/{slug}/sign", data=signer(email=f"p{i}@example.org")).status_code == 303
    with app.app_context():
        outbox.deliver_due()
    return [confirm_link(message.get_content()) for message in backends.memory_outbox]


def test_concurrent_confirmations_raise_the_goal_once(app, client, make_campaign, signer):
    slug = make_campaign(goal=10)
    _store_confirmed(app, slug, 8)
    links = _confirmation_links(app, client, slug, signer, 6)
    barrier = threading.Barrier(len(links))
    statuses = [0] * len(links)

    def confirm(index: int) -> None:
        own = app.test_client()
        barrier.wait()
        statuses[index] = own.post(links[index]).status_code

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(links))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * len(links)
    # 14 confirmed: the goal of 10 was passed once, to 25; a second raise would have made it 50.
    assert _campaign(app, slug).goal == 25
    assert [detail["changes"] for _, detail in _goal_entries(app)] == [{"goal": {"old": 10, "new": 25}}]
    assert "14 signatures, next goal 25" in _shown(client.get(f"/c/{slug}").text)


def test_concurrent_raises_of_one_reached_goal_change_it_once(app, make_campaign):
    slug = make_campaign(goal=10)
    campaign_id = _campaign(app, slug).id
    barrier = threading.Barrier(6)
    raised: list[int | None] = []

    def reach(count: int) -> None:
        with app.app_context():
            barrier.wait()
            raised.append(goals.reach(campaign_id, count))
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=reach, args=(count,)) for count in range(10, 16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(raised) == 6 and [goal for goal in raised if goal is not None] == [25]
    assert _campaign(app, slug).goal == 25


def test_a_goal_not_reached_is_not_written(app, make_campaign):
    slug = make_campaign(goal=10)
    campaign = _campaign(app, slug)
    with app.app_context():
        assert goals.reach(campaign.id, 9) is None
        db.session.commit()
    after = _campaign(app, slug)
    assert (after.goal, after.updated_at) == (10, campaign.updated_at)


EDIT = {"title": "Keep the river clean", "slug": "river", "target": "The County Board",
        "goal": "10", "closes_at": "", "default_country": "US", "deliver_names": "y",
        "hashtags": "", "commentary": "", "petition_text": "We ask the county to stop the dumping."}


def test_a_goal_the_organizer_fixed_stays(app, client, make_campaign, make_organizer, login, signer):
    slug = make_campaign(slug="river", goal=100, require_confirmation=False)
    login(client, make_organizer(campaigns_owned=[slug]))
    assert 'name="goal_fixed"' in client.get("/organizer/c/river/edit").text
    assert client.post("/organizer/c/river/edit", data=EDIT | {"goal_fixed": "y"}).status_code == 303
    assert _campaign(app, slug).goal_fixed is True
    _store_confirmed(app, slug, 10)
    client.post("/auth/logout")
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    assert _campaign(app, slug).goal == 10
    assert "11 signatures, goal 10 reached" in _shown(client.get(f"/c/{slug}").text)
    # Unfixed again, the next signature that counts raises it past the count.
    login(client, "org@example.org")
    assert client.post("/organizer/c/river/edit", data=EDIT).status_code == 303
    client.post("/auth/logout")
    assert client.post(f"/c/{slug}/sign", data=signer(email="grace@example.org")).status_code == 303
    assert _campaign(app, slug).goal == 25


def test_milestone_emails_are_off_by_default(app, make_campaign):
    slug = make_campaign()
    assert _campaign(app, slug).milestone_emails is False
