"""The dashboard's figures: served at once from the last count, recounted in the background."""
from __future__ import annotations

import threading
import time

import pytest

from campaign import cache
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def recounts_finish(app):
    """No recount may outlive its test: it would open a connection on a disposed engine."""
    yield
    _wait_for(lambda: not cache._refreshing)


@pytest.fixture
def counter():
    calls = []

    def compute():
        calls.append(threading.current_thread().name)
        return len(calls)

    return calls, compute


def test_first_view_counts_then_reuses_the_count(app, ctx, counter):
    calls, compute = counter
    assert cache.refreshed_in_background(("t", 1), compute, ttl=60) == 1
    assert cache.refreshed_in_background(("t", 1), compute, ttl=60) == 1
    assert len(calls) == 1


def test_stale_count_is_served_while_one_thread_recounts(app, ctx, counter):
    calls, count = counter
    recount_may_finish = threading.Event()

    def compute():
        if calls:  # the recount: held until the views below have been answered
            recount_may_finish.wait(5)
        return count()

    assert cache.refreshed_in_background(("t", 2), compute, ttl=0.5) == 1
    time.sleep(0.6)  # the count's lifetime (0.5 s) runs out: serving it stale is what is tested
    # Stale: the old value at once, and one recount started behind it, not one per view.
    assert cache.refreshed_in_background(("t", 2), compute, ttl=0.5) == 1
    assert cache.refreshed_in_background(("t", 2), compute, ttl=0.5) == 1
    recount_may_finish.set()
    _wait_for(lambda: cache.refreshed_in_background(("t", 2), compute, ttl=60) == 2)
    assert calls[:2] == ["MainThread", "tally-refresh"]


def test_a_count_long_out_of_date_is_redone_before_answering(app, ctx, counter):
    _calls, compute = counter
    cache.refreshed_in_background(("t", 3), compute, ttl=0.01)
    time.sleep(0.01 * (cache.STALE_LIFETIMES + 2))  # older than any stale count may be: tested
    assert cache.refreshed_in_background(("t", 3), compute, ttl=0.01) == 2


def test_a_failed_recount_keeps_the_last_figures(app, ctx):
    values = iter([1])

    def compute():
        return next(values)  # StopIteration the second time: a failed recount

    assert cache.refreshed_in_background(("t", 4), compute, ttl=0.02) == 1
    time.sleep(0.03)  # the lifetime (0.02 s) runs out, so that a recount starts (and fails)
    assert cache.refreshed_in_background(("t", 4), compute, ttl=0.02) == 1
    _wait_for(lambda: not cache._refreshing)
    assert cache.refreshed_in_background(("t", 4), compute, ttl=0.02) == 1


def test_dashboard_shows_new_signatures_after_the_background_recount(
        app, client, make_campaign, make_organizer, login):
    app.config["DASHBOARD_CACHE_SECONDS"] = 1.0
    slug = make_campaign(goal=10)
    login(client, make_organizer(campaigns_owned=[slug]))

    def add_confirmed(number: int) -> None:
        with app.app_context():
            campaign_id = _campaign_id(slug)
            now = utcnow()
            db.session.add(Signature(campaign_id=campaign_id, full_name=f"Signer {number}",
                                     email=f"s{number}@example.org", email_key=f"s{number}@example.org",
                                     country="US", postcode="02139", contact_ok=True,
                                     status=SignatureStatus.CONFIRMED,
                                     created_at=now, confirmed_at=now))
            db.session.commit()

    def confirmed_shown() -> str:
        page = client.get(f"/organizer/c/{slug}/")
        assert page.status_code == 200
        return page.text

    add_confirmed(1)
    assert "Counted at" in confirmed_shown()
    assert "1 of 1 confirmed signer " in " ".join(confirmed_shown().split())
    add_confirmed(2)
    # Within its lifetime the count is reused; after it, the next views see the new row.
    assert "1 of 1 confirmed signer " in " ".join(confirmed_shown().split())
    time.sleep(1.1)  # DASHBOARD_CACHE_SECONDS runs out: what the page shows after is tested
    _wait_for(lambda: "2 of 2 confirmed signers" in " ".join(confirmed_shown().split()))


def _campaign_id(slug: str) -> int:
    from campaign.models import Campaign

    return db.session.scalar(db.select(Campaign.id).where(Campaign.slug == slug))
