"""The public campaign row each process keeps for a few seconds: what it may and may not decide."""
import html
from datetime import timedelta

import pytest
from sqlalchemy import update

from campaign.campaigns import sample, store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Campaign, CampaignStatus
from tests.helpers import outbox_messages, signatures


@pytest.fixture
def long_cache(app):
    """Rows kept for a minute, so that a change made "elsewhere" is surely not seen yet."""
    app.config["CAMPAIGN_CACHE_SECONDS"] = 60
    return app


def close_elsewhere(app, slug: str, **closing) -> None:
    """Close the campaign as another process would: this process hears nothing of it."""
    with app.app_context():
        db.session.execute(update(Campaign).where(Campaign.slug == slug).values(**closing))
        db.session.commit()


@pytest.mark.parametrize(
    "closing",
    [{"status": CampaignStatus.CLOSED}, {"closes_at": utcnow() - timedelta(seconds=1)}],
    ids=["closed", "past-closing-date"],
)
def test_a_campaign_closed_elsewhere_takes_no_signature_while_its_row_is_cached(
        long_cache, client, make_campaign, signer, closing):
    app = long_cache
    slug = make_campaign(closes_at=utcnow() + timedelta(days=1))
    assert client.post(f"/c/{slug}/sign", data=signer(email="first@example.org")).status_code == 303
    close_elsewhere(app, slug, **closing)
    # This process still shows the form from the row it read before the close...
    assert 'name="full_name"' in client.get(f"/c/{slug}").text
    # ...but the insert reads the campaign itself: nothing stored, no email, the closed page.
    for email in ("second@example.org", "first@example.org"):  # a new signer and a repeat
        refused = client.post(f"/c/{slug}/sign", data=signer(email=email))
        assert refused.status_code == 409
        assert "This petition has closed" in refused.text
    with app.app_context():
        assert [s.email for s in signatures()] == ["first@example.org"]
        assert [m.kind for m in outbox_messages()] == ["confirm"]


def test_a_change_committed_in_this_process_shows_at_once(long_cache, client, make_campaign):
    app = long_cache
    slug = make_campaign(title="Keep the river clean")
    assert "Keep the river clean" in client.get(f"/c/{slug}").text
    with app.app_context():
        campaign = store.get_by_slug(slug)
        campaign.title = "Keep the river cleaner"
        db.session.commit()
    page = client.get(f"/c/{slug}")
    assert "Keep the river cleaner" in page.text
    with app.app_context():
        store.set_status(store.get_by_slug(slug), CampaignStatus.CLOSED)
        db.session.commit()
    closed = client.get(f"/c/{slug}")
    assert 'name="full_name"' not in closed.text
    assert client.get(f"/c/{slug}/count.json").json["accepting_signatures"] is False


def test_a_draft_is_never_served_from_the_cache(long_cache, client, make_campaign):
    app = long_cache
    slug = make_campaign()
    assert client.get(f"/c/{slug}").status_code == 200
    with app.app_context():
        store.set_status(store.get_by_slug(slug), CampaignStatus.DRAFT)
        db.session.commit()
    assert client.get(f"/c/{slug}").status_code == 404
    assert client.get(f"/c/{slug}/count.json").status_code == 404


def test_a_cached_campaign_still_loads_its_article_and_actions(long_cache, client):
    with long_cache.app_context():
        campaign = sample.load_if_empty()
        slug, headline = campaign.slug, campaign.article.headline
    for _ in range(2):  # the second page is built from the cached row
        text = html.unescape(client.get(f"/c/{slug}").text)
        assert headline in text
        assert "<h4>Write to your members of Congress</h4>" in text
