"""The campaign overview page and its SVG charts."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from campaign.campaigns import store
from campaign.counts import charts
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import Signature, SignatureStatus
from tests.helpers import links

SVG = "{http://www.w3.org/2000/svg}"


def _add(app, slug: str, rows: list[dict]) -> None:
    with app.app_context():
        campaign = store.get_by_slug(slug)
        for number, row in enumerate(rows):
            fields = {"country": "US", "postcode": "02139", "region": "MA",
                      "status": SignatureStatus.CONFIRMED}
            fields.update(row)
            fields.setdefault("confirmed_at", fields["created_at"])
            db.session.add(Signature(campaign_id=campaign.id, full_name=f"Signer {number}",
                                     email=f"s{number}@example.org",
                                     email_key=f"s{number}@example.org", **fields))
        db.session.commit()
        db.session.remove()


def _svgs(page: str) -> list[ET.Element]:
    """The page's charts (the map of states is an SVG too, tested in test_tile_map)."""
    return [ET.fromstring(svg) for svg in re.findall(r'<svg\b[^>]*class="chart".*?</svg>', page,
                                                     re.DOTALL)]


@pytest.fixture
def owner(client, make_campaign, make_organizer, login):
    """A logged-in organizer who owns one campaign; returns its slug."""
    slug = make_campaign(title="Keep the river clean", goal=10)
    login(client, make_organizer(campaigns_owned=[slug]))
    return slug


def test_overview_shows_figures_breakdowns_and_charts(app, client, owner, clock):
    # On the app's stopped clock: "today" and the hours cannot change between here and the page.
    start = (clock.now - timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    _add(app, owner, [
        {"created_at": start, "source": "twitter", "contact_ok": True},
        {"created_at": start + timedelta(minutes=5), "source": "twitter"},
        {"created_at": start + timedelta(hours=3), "country": "GB", "postcode": "SW1A 1AA",
         "region": ""},
        {"created_at": start + timedelta(days=3), "postcode": "10001", "region": "NY"},
        {"created_at": clock.now, "status": SignatureStatus.PENDING, "confirmed_at": None},
    ])
    page = client.get(f"/organizer/c/{owner}/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = " ".join(page.text.split())
    assert "<dt>Confirmed</dt><dd>4</dd>" in text and "<dt>Pending</dt><dd>1</dd>" in text
    assert "<dt>Signed today</dt><dd>1</dd>" in text and "<dt>Progress</dt><dd>40%</dd>" in text
    assert "1 of 4 confirmed signers (25.0%) allowed" in text
    for row in ["United States (US)</th><td class=\"num\">3</td><td class=\"num\">75.0%",
                "United Kingdom (GB)</th><td class=\"num\">1</td>",
                "Massachusetts (MA)</th><td class=\"num\">2</td><td class=\"num\">66.7%",
                "New York (NY)</th><td class=\"num\">1</td>",
                "GB SW</th><td class=\"num\">1</td>", "US 021</th><td class=\"num\">2</td>",
                "twitter</th><td class=\"num\">2</td>", "direct</th><td class=\"num\">2</td>"]:
        assert row in text, row
    # The hourly table: two in the first hour, one three hours later.
    first = f'<time datetime="{start.isoformat()}">'
    assert first in text and text.split(first, 1)[1].split("</tr>")[0].endswith(">2</td>")
    hourly, daily = _svgs(page.text)
    assert len(hourly.findall(f"{SVG}rect")) == 48
    assert 3 <= len(daily.findall(f"{SVG}rect")) <= 4  # day 2 from the 48th hour, to today
    assert 'style="' not in page.text and "<script>" not in page.text


def test_overview_counts_pending_signatures_whose_confirmation_was_refused(
        app, client, make_campaign, make_organizer, login, signer, smtp_server):
    """The mail server refuses two addresses for good: their signatures stay pending, and the
    overview says how many of the pending ones that is, with a link to list them."""
    slug = make_campaign(goal=10)
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port,
                      SMTP_TLS="none", SMTP_USER=None, SMTP_TIMEOUT=5)
    for address in ["gone@example.org", "lost@example.org"]:
        smtp_server.script("rcpt", "550 5.1.1 No such user", address=address, times=None)
    for address in ["ada@example.org", "gone@example.org", "lost@example.org", "bob@example.org"]:
        assert client.post(f"/c/{slug}/sign", data=signer(email=address)).status_code == 303
    other = make_campaign()  # another campaign's refusal counts there, not here
    assert client.post(f"/c/{other}/sign", data=signer(email="gone@example.org")).status_code == 303
    with app.app_context():
        assert outbox.deliver_due() == outbox.DeliveryReport(sent=2, failed=3)
    login(client, make_organizer(campaigns_owned=[slug, other]))
    text = " ".join(client.get(f"/organizer/c/{slug}/").text.split())
    assert "<dt>Pending</dt><dd>4</dd>" in text and "<dt>Undeliverable</dt><dd>2</dd>" in text
    assert (f"/organizer/c/{slug}/signers?status=undeliverable", "List them") in links(text)
    assert "<dt>Undeliverable</dt><dd>1</dd>" in client.get(f"/organizer/c/{other}/").text


def test_overview_without_signatures(client, owner):
    page = client.get(f"/organizer/c/{owner}/")
    assert page.status_code == 200
    assert "No confirmed signatures yet." in page.text and "<svg" not in page.text


def test_each_bucket_is_a_bar_and_a_table_row(app, client, owner, clock):
    start = (clock.now - timedelta(hours=10)).replace(minute=0, second=0, microsecond=0)
    _add(app, owner, [{"created_at": start + timedelta(hours=h)} for h in (0, 0, 4)])
    page = client.get(f"/organizer/c/{owner}/").text
    [svg] = _svgs(page)
    bars = svg.findall(f"{SVG}rect[@class='bar']")
    rows = re.findall(r"<tr><th scope=\"row\"><time datetime=", page)
    assert len(bars) == len(rows) == 11  # hours 0 to 10, up to now
    values = [int(bar.find(f"{SVG}title").text.rsplit(": ", 1)[1]) for bar in bars]
    assert values[:5] == [2, 0, 0, 0, 1] and sum(values) == 3
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "First 48 hours, by the hour"
    assert "3 confirmed signatures in 11 hours" in svg.find(f"{SVG}desc").text


@pytest.mark.parametrize("who", ["stranger", "other organizer"])
def test_other_people_cannot_see_the_overview(client, make_campaign, make_organizer, login, who):
    slug = make_campaign()
    if who == "other organizer":
        make_organizer("owner@example.org", campaigns_owned=[slug])
        login(client, make_organizer("other@example.org", campaigns_owned=[make_campaign()]))
        assert client.get(f"/organizer/c/{slug}/").status_code == 404
    else:
        response = client.get(f"/organizer/c/{slug}/")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_an_admin_sees_any_overview(client, make_campaign, make_organizer, login):
    slug = make_campaign()
    login(client, make_organizer("admin@example.org", role="admin"))
    assert client.get(f"/organizer/c/{slug}/").status_code == 200
    assert client.get("/organizer/c/no-such-campaign/").status_code == 404


def test_home_lists_campaigns_with_a_link_to_each_overview(app, client, owner, clock):
    _add(app, owner, [{"created_at": clock.now}, {"created_at": clock.now - timedelta(days=2)}])
    page = client.get("/organizer/")
    assert (f"/organizer/c/{owner}/", "Keep the river clean") in links(page.text)
    assert '<td class="num">2</td>' in page.text and "20%" in page.text


def test_bar_chart_is_well_formed_and_escapes_labels():
    bars = [charts.Bar("<b>&", 3, tick="a<"), charts.Bar("two", 0), charts.Bar("three", 12)]
    svg = ET.fromstring(str(charts.bar_chart(
        bars, chart_id="c", title="T & <t>", description="D", x_label="X", y_label="Y"
    )))
    rects = svg.findall(f"{SVG}rect[@class='bar']")
    assert len(rects) == 3 and rects[1].get("height") == "0.0"
    assert rects[0].find(f"{SVG}title").text == "<b>&: 3"
    assert svg.find(f"{SVG}title").text == "T & <t>"
    assert svg.get("aria-labelledby") == "c-title c-desc"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"X", "Y", "a<", "0", "15"} <= set(texts)  # axis titles, a tick, the value scale
    assert all(float(r.get("height")) >= 0 for r in rects)


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [(0, [0, 1]), (1, [0, 1]), (7, [0, 2, 4, 6, 8]), (10, [0, 5, 10]),
     (1234, [0, 500, 1000, 1500]), (1_000_000, [0, 500_000, 1_000_000])],
)
def test_nice_steps(largest, ticks):
    assert charts.nice_steps(largest) == ticks
