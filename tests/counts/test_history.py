"""The count over time: per hour (UTC), empty hours filled, as JSON, CSV and a chart with a table."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from campaign.campaigns import store
from campaign.counts import history, history_chart
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CONFIRMED, PENDING, INVALIDATED = (SignatureStatus.CONFIRMED, SignatureStatus.PENDING,
                                   SignatureStatus.INVALIDATED)
# (minutes after T0 it was confirmed, status): 3 in the 09:00 hour, none at 10:00, 3 at 11:00.
SIGNED = [(5, CONFIRMED), (30, CONFIRMED), (59, CONFIRMED), (70, PENDING), (80, INVALIDATED),
          (120, CONFIRMED), (150, CONFIRMED), (179, CONFIRMED)]


def _store(app, slug: str, signed=SIGNED, *, name: str = "Zoë Secret") -> int:
    with app.app_context():
        campaign = store.get_by_slug(slug)
        for i, (minutes, status) in enumerate(signed):
            moment = T0 + timedelta(minutes=minutes)
            db.session.add(Signature(
                campaign_id=campaign.id, full_name=name, email=f"{slug}{i}@example.org",
                email_key=f"{slug}{i}@example.org", country="US", status=status, created_at=moment,
                confirmed_at=moment if status == CONFIRMED else None))
        db.session.commit()
        return campaign.id


@pytest.fixture
def campaign(app, make_campaign):
    slug = make_campaign(slug="river")
    other = make_campaign(slug="other")
    _store(app, other, [(1, CONFIRMED)] * 4)  # another campaign's signatures count elsewhere
    return _store(app, slug)


def test_confirmed_signatures_per_hour_with_empty_hours_and_running_totals(app, campaign):
    with app.app_context():
        hours = history.history(campaign, open_now=False, now=T0 + timedelta(days=3))
    assert [(h.iso, h.signatures, h.total) for h in hours] == [
        ("2026-03-01T09:00:00Z", 3, 3), ("2026-03-01T10:00:00Z", 0, 3), ("2026-03-01T11:00:00Z", 3, 6)]


def test_an_open_campaign_runs_to_the_current_hour(app, campaign):
    with app.app_context():
        hours = history.history(campaign, open_now=True, now=T0 + timedelta(hours=4, minutes=30))
    assert [(h.iso, h.signatures, h.total) for h in hours[-3:]] == [
        ("2026-03-01T11:00:00Z", 3, 6), ("2026-03-01T12:00:00Z", 0, 6), ("2026-03-01T13:00:00Z", 0, 6)]


def test_no_confirmed_signature_no_hours(app, make_campaign):
    campaign_id = _store(app, make_campaign(), [(5, PENDING)])
    with app.app_context():
        assert history.history(campaign_id, open_now=True, now=T0) == []


def test_the_json_holds_the_hours_and_nothing_personal(client, campaign):
    response = client.get("/c/river/history.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.json
    assert (body["slug"], body["interval"], body["time_zone"], body["signature_count"]) == ("river", "hour",
                                                                                          "UTC", 6)
    assert body["from"] == "2026-03-01T09:00:00Z"
    assert body["hours"][:3] == [
        {"hour": "2026-03-01T09:00:00Z", "signatures": 3, "total": 3},
        {"hour": "2026-03-01T10:00:00Z", "signatures": 0, "total": 3},
        {"hour": "2026-03-01T11:00:00Z", "signatures": 3, "total": 6}]
    # Open now, so it runs to this hour, every hour after the last signature at 0.
    assert all(hour["signatures"] == 0 and hour["total"] == 6 for hour in body["hours"][3:])
    assert "Zo" not in response.text and "@" not in response.text
    assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]
    assert "Set-Cookie" not in response.headers


def test_the_csv_reads_back(client, campaign):
    response = client.get("/c/river/history.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "public" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows[:4] == [["hour_utc", "signatures", "total"], ["2026-03-01T09:00:00Z", "3", "3"],
                        ["2026-03-01T10:00:00Z", "0", "3"], ["2026-03-01T11:00:00Z", "3", "6"]]


def test_csv_cells_a_spreadsheet_would_run_are_neutralized():
    hours = [history.Hour(T0, 1, 1)]
    assert history.csv_text(hours).splitlines()[1] == "2026-03-01T09:00:00Z,1,1"
    assert history.exports.neutralize("=1+1") == "'=1+1"  # the same guard as the signer exports


@pytest.mark.parametrize("path", ["/c/nowhere/history.json", "/c/nowhere/history.csv",
                                  "/c/draft-one/history.json", "/c/draft-one/history.csv",
                                  "/c/river/history.xml", "/c/River%00/history.json"])
def test_unknown_drafts_and_other_formats_are_404(client, campaign, make_campaign, path):
    make_campaign(slug="draft-one", status="draft")
    assert client.get(path).status_code == 404


def test_the_campaign_page_shows_a_chart_with_a_text_alternative(client, campaign, clock):
    clock.now = T0 + timedelta(hours=26)  # the next day, 11:00
    page = client.get("/c/river").text
    section = page[page.index('id="history-heading"'):]
    section = section[:section.index("</section>")]
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<polyline" in svg
    assert "style=" not in svg and "<script" not in svg  # the CSP forbids inline code
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "6 confirmed signatures since 01 Mar 2026 09:00 UTC" in text
    assert "the busiest hour, 01 Mar 2026 11:00 UTC, had 3" in text
    # By day, the latest first: the next day with none, then the first with all 6.
    assert "02 Mar 2026 0 6 01 Mar 2026 6 6" in text and "earlier" not in text
    assert 'href="/c/river/history.csv"' in section and 'href="/c/river/history.json"' in section


def test_no_chart_before_the_first_confirmed_signature(client, make_campaign):
    slug = make_campaign()
    assert 'id="history-heading"' not in client.get(f"/c/{slug}").text


def test_a_long_history_is_drawn_with_few_points_ending_at_the_total():
    hours = history.filled({T0 + timedelta(hours=i): 1 for i in range(0, 5000, 3)}, until=None)
    shown = history_chart.points(hours)
    assert len(shown) <= history_chart.MAX_POINTS + 1
    assert shown[0] is hours[0] and shown[-1] is hours[-1]
    assert [h.total for h in shown] == sorted(h.total for h in shown)
    svg = history_chart.chart(hours, chart_id="c", title="t", description="d")
    assert len(re.search(r'points="([^"]+)"', svg).group(1).split()) == len(shown)


def test_a_first_hour_alone_is_drawn_as_a_point():
    """A line through one point draws nothing: a campaign's first hour must still show."""
    svg = history_chart.chart(history.filled({T0: 3}, until=None), chart_id="c", title="t", description="d")
    assert re.search(r'<circle class="history-point" cx="[\d.]+" cy="[\d.]+"', svg)
    several = history_chart.chart(history.filled({T0: 3, T0 + timedelta(hours=2): 1}, until=None),
                                  chart_id="c", title="t", description="d")
    assert "<circle" not in several


def test_days_sum_the_hours():
    hours = history.filled({T0: 2, T0 + timedelta(hours=20): 3}, until=None)
    assert [(d.start.day, d.signatures, d.total) for d in history.days(hours)] == [(1, 2, 2), (2, 3, 5)]


def test_hours_are_utc_whatever_the_sessions_time_zone(app, campaign):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # SQLite has no session time zone
            db.session.execute(db.text("SET TIME ZONE 'Asia/Kolkata'"))  # UTC+05:30
        hours = history.hourly_counts(campaign)
        db.session.rollback()
    assert hours == {T0: 3, T0 + timedelta(hours=2): 3}
