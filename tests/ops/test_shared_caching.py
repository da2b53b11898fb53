"""Public pages a shared cache may keep: no cookie and no Vary: Cookie for visitors without a
session, validators to revalidate, and never a personal page marked for sharing."""
import hashlib
from pathlib import Path

import pytest
from flask import url_for

from campaign.campaigns import social_card
from campaign.mail import outbox
from tests.helpers import confirm_link, sent_bodies


def _public_paths(slug: str) -> list[str]:
    return ["/", f"/c/{slug}", f"/c/{slug}/count.json", f"/c/{slug}.json", f"/c/{slug}/badge.svg",
            f"/c/{slug}/card.png"]


@pytest.fixture
def slug(app, make_campaign, monkeypatch):
    # The preview image is drawn with Pillow; its bytes do not matter here.
    monkeypatch.setattr(social_card, "render_card", lambda **_: b"\x89PNG-test")
    return make_campaign()


def _cache_control(response) -> dict[str, str | None]:
    return dict(response.cache_control.items())


def test_a_visitor_without_a_session_gets_an_answer_fit_for_everyone(app, slug):
    for path in _public_paths(slug):
        response = app.test_client().get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert "cookie" not in response.headers.get("Vary", "").lower(), path
        control = _cache_control(response)
        assert "public" in control and "private" not in control and "no-store" not in control, path
        assert int(control.get("s-maxage") or control["max-age"]) > 0, path
        assert response.headers.get("ETag"), path


def test_the_campaign_page_is_cached_for_seconds_and_revalidated_by_browsers(app, slug):
    app.config["PAGE_CACHE_SECONDS"] = 3
    client = app.test_client()
    page = client.get(f"/c/{slug}")
    control = _cache_control(page)
    assert control["s-maxage"] == "3" and control["max-age"] == "0"
    again = client.get(f"/c/{slug}", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_same_page_for_two_visitors_has_the_same_validator(app, slug):
    """Two strangers get byte-identical pages: one cached copy can serve both."""
    first, second = app.test_client().get(f"/c/{slug}"), app.test_client().get(f"/c/{slug}")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_a_count_change_changes_the_validator(app, slug, client, signer):
    before = app.test_client().get(f"/c/{slug}/count.json")
    client.post(f"/c/{slug}/sign", data=signer())
    with app.app_context():
        outbox.deliver_due()
    assert client.post(confirm_link(sent_bodies()[-1])).status_code == 303
    after = app.test_client().get(f"/c/{slug}/count.json", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.json["count"] == 1


def test_a_signer_within_the_hour_gets_a_private_page(app, slug, client, signer):
    signed = client.post(f"/c/{slug}/sign", data=signer(full_name="Grace Hopper"))
    assert signed.status_code == 303 and "Set-Cookie" in signed.headers
    page = client.get(f"/c/{slug}")
    assert "You signed this petition in this browser" in page.text
    control = _cache_control(page)
    assert "no-store" in control and "public" not in control and "s-maxage" not in control
    assert "cookie" in page.headers.get("Vary", "").lower()
    # Someone else, without that cookie, gets the page for everyone.
    stranger = app.test_client().get(f"/c/{slug}")
    assert "You signed this petition in this browser" not in stranger.text
    assert "public" in _cache_control(stranger)


def test_an_organizer_never_gets_a_page_marked_for_sharing(app, make_campaign, make_organizer, login, client):
    slug = make_campaign()
    login(client, make_organizer(campaigns_owned=[slug]))
    for path in ["/", f"/c/{slug}"]:
        response = client.get(path)
        assert response.status_code == 200
        control = _cache_control(response)
        assert "public" not in control and "no-store" in control, path


def test_a_session_that_ends_here_is_removed_without_marking_the_page_public(app, slug, client, signer, clock):
    client.post(f"/c/{slug}/sign", data=signer())
    clock.move(hours=2)  # the signer's memory is over: the session empties
    page = client.get(f"/c/{slug}")
    assert "You signed this petition in this browser" not in page.text
    assert "public" not in _cache_control(page)


def test_static_urls_carry_the_files_content_hash(app, tmp_path, monkeypatch):
    """A changed file gets a new URL, so caches may keep each version for a year."""
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    style = Path(tmp_path / "site.css")
    style.write_text("body { color: black }")
    with app.test_request_context():
        first = url_for("static", filename="site.css")
        assert first == f"/static/site.css?v={hashlib.sha256(style.read_bytes()).hexdigest()[:12]}"
        style.write_text("body { color: navy; }")
        assert url_for("static", filename="site.css") != first
        assert url_for("static", filename="missing.css") == "/static/missing.css"
