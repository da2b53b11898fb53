"""The count badge: /c/<slug>/badge.svg shows the confirmed count and goal, and nothing personal."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus
from campaign.public import badge

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    """The badge's visible lines and its accessible title, as a reader of the image gets them."""
    root = ET.fromstring(svg)  # also proves the document is well-formed XML
    title = root.find(f"{SVG}title").text
    lines = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    return [title, *lines]


def _add_signers(app, slug: str, statuses: list[str]) -> None:
    with app.app_context():
        campaign = store.get_by_slug(slug)
        for n, status in enumerate(statuses):
            db.session.add(Signature(
                campaign_id=campaign.id, full_name=f"Signer Number{n}", email=f"s{n}@example.org",
                email_key=f"s{n}@example.org", country="US", postcode="02139", status=status,
                confirmed_at=utcnow() if status == SignatureStatus.CONFIRMED else None, show_name=True,
            ))
        db.session.commit()


def test_badge_shows_the_confirmed_count_and_goal(app, client, make_campaign):
    slug = make_campaign(title="Keep the river clean", goal=5000)
    _add_signers(app, slug, [SignatureStatus.CONFIRMED] * 3 + [SignatureStatus.PENDING, SignatureStatus.INVALIDATED])
    response = client.get(f"/c/{slug}/badge.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert _texts(response.text) == [
        "Keep the river clean: 3 signatures, goal 5,000",
        "Keep the river clean",
        "3 signatures · goal 5,000",
    ]
    assert "Signer Number" not in response.text and "@example.org" not in response.text


def test_one_signature_is_singular(app, client, make_campaign):
    slug = make_campaign(goal=10)
    _add_signers(app, slug, [SignatureStatus.CONFIRMED, SignatureStatus.PENDING])
    assert _texts(client.get(f"/c/{slug}/badge.svg").text)[2] == "1 signature · goal 10"


def test_the_title_is_escaped(client, make_campaign):
    title = 'Ban <script>alert("x")</script> & "dumping"'
    slug = make_campaign(title=title)
    svg = client.get(f"/c/{slug}/badge.svg").text
    assert "<script" not in svg
    assert _texts(svg)[1] == title[: badge.TITLE_CHARS - 1].rstrip() + "…"
    assert _texts(svg)[0].startswith(title)


def test_layout_shortens_long_titles_and_fills_the_bar():
    long = badge.layout("A" * 100, count=1, goal=4)
    assert len(long.title) == badge.TITLE_CHARS and long.title.endswith("…")
    assert long.full_title == "A" * 100 and long.count_text == "1 signature"
    assert long.bar_filled == badge.BAR_WIDTH // 4
    assert badge.layout("Short", count=12_345, goal=10_000).bar_filled == badge.BAR_WIDTH
    assert badge.layout("Short", count=0, goal=10).bar_filled == 0


def test_a_closed_campaign_keeps_its_badge(client, make_campaign):
    slug = make_campaign(status="closed", goal=250)
    response = client.get(f"/c/{slug}/badge.svg")
    assert response.status_code == 200 and _texts(response.text)[2] == "0 signatures · goal 250"


def test_unknown_campaign_has_no_badge(client):
    assert client.get("/c/no-such-campaign/badge.svg").status_code == 404
