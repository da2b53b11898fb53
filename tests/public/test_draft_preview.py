"""A draft's public address: its page with a banner for its organizers, 404 for everyone else."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from campaign import cache
from campaign.models import CampaignStatus, OrganizerRole

BANNER = "Draft: only organizers see this."


@pytest.fixture
def draft(app, make_campaign, make_organizer):
    """A draft with an owner, a member and an admin; an organizer of another campaign."""
    slug = make_campaign(status=CampaignStatus.DRAFT, title="Save the pier")
    member = make_organizer("member@example.org")
    result = app.test_cli_runner().invoke(args=["organizer", "add", slug, member])
    assert result.exit_code == 0, result.output
    return SimpleNamespace(
        slug=slug, member=member,
        owner=make_organizer("owner@example.org", campaigns_owned=[slug]),
        admin=make_organizer("admin@example.org", role=OrganizerRole.ADMIN),
        stranger=make_organizer("stranger@example.org", campaigns_owned=[make_campaign()]),
    )


def _client(app, login, email=None):
    client = app.test_client()
    if email is not None:
        login(client, email)
    return client


@pytest.mark.parametrize("role", ["owner", "member", "admin"])
def test_its_organizers_see_the_page_with_the_banner(app, login, draft, role):
    response = _client(app, login, getattr(draft, role)).get(f"/c/{draft.slug}")
    assert response.status_code == 200 and BANNER in response.text
    assert "<h1>Save the pier</h1>" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    # The form is shown switched off; nothing on the page posts a signature.
    assert "<fieldset disabled>" in response.text
    assert f'action="/c/{draft.slug}/sign' not in response.text


def _forged_token(client):
    with client.session_transaction() as session:  # signed with the right key, but no such login
        session["_user_id"] = "a-session-token-that-was-never-issued"


def _forged_signature(client):
    client.set_cookie("session", "eyJfdXNlcl9pZCI6ImFkbWluIn0.forged.signature")


@pytest.mark.parametrize("who", ["stranger", "anonymous", "forged token", "forged signature"])
def test_everyone_else_gets_404(app, login, draft, who):
    client = _client(app, login, draft.stranger if who == "stranger" else None)
    if who == "forged token":
        _forged_token(client)
    elif who == "forged signature":
        _forged_signature(client)
    response = client.get(f"/c/{draft.slug}")
    assert response.status_code == 404 and BANNER not in response.text
    assert "Save the pier" not in response.text


@pytest.mark.parametrize("who", ["owner", "anonymous"])
def test_signing_the_embed_and_the_data_of_a_draft_stay_404(app, login, draft, signer, who):
    client = _client(app, login, draft.owner if who == "owner" else None)
    for url in (f"/c/{draft.slug}.json", f"/c/{draft.slug}/count.json", f"/c/{draft.slug}/embed",
                f"/c/{draft.slug}/card.png", f"/c/{draft.slug}/badge.svg"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/c/{draft.slug}/sign", data=signer()).status_code == 404
    assert client.post(f"/c/{draft.slug}/embed/sign", data=signer()).status_code == 404


def _cached_for(app, slug: str) -> list[tuple]:
    """The cache's keys of the campaign's rendered page and body (its counts may be cached)."""
    from campaign.campaigns import store

    with app.app_context():
        campaign_id = store.get_by_slug(slug).id
    database = app.config["SQLALCHEMY_DATABASE_URI"]  # the cache is shared by every app
    return [key for key in cache._cache
            if key[:2] == (database, campaign_id) and key[2] in ("page", "body")]


def _set_status(client, slug: str, to: str) -> None:
    assert client.post(f"/organizer/c/{slug}/status", data={"to": to}).status_code == 303


def test_the_page_cache_never_holds_a_draft(app, login, draft):
    app.config.update(TALLY_CACHE_SECONDS=60, CAMPAIGN_CACHE_SECONDS=60)
    owner, visitor = _client(app, login, draft.owner), app.test_client()
    assert BANNER in owner.get(f"/c/{draft.slug}").text
    assert _cached_for(app, draft.slug) == []
    assert visitor.get(f"/c/{draft.slug}").status_code == 404
    _set_status(owner, draft.slug, "open")
    page = visitor.get(f"/c/{draft.slug}")
    assert page.status_code == 200 and BANNER not in page.text
    assert f'action="/c/{draft.slug}/sign' in page.text


def test_a_page_cached_while_open_is_not_the_preview(app, login, draft):
    app.config.update(TALLY_CACHE_SECONDS=60, CAMPAIGN_CACHE_SECONDS=60)
    owner, visitor = _client(app, login, draft.owner), app.test_client()
    _set_status(owner, draft.slug, "open")
    assert BANNER not in visitor.get(f"/c/{draft.slug}").text  # the open page, now cached
    assert _cached_for(app, draft.slug) != []
    _set_status(owner, draft.slug, "draft")
    assert visitor.get(f"/c/{draft.slug}").status_code == 404
    preview = owner.get(f"/c/{draft.slug}")
    assert BANNER in preview.text and preview.headers["Cache-Control"] == "no-store"
    assert visitor.get(f"/c/{draft.slug}").status_code == 404


def test_the_organizer_pages_link_the_preview_of_a_draft_only(app, login, draft):
    owner = _client(app, login, draft.owner)
    for page in ("", "edit"):
        assert f'<a href="/c/{draft.slug}">Preview</a>' in owner.get(f"/organizer/c/{draft.slug}/{page}").text
    _set_status(owner, draft.slug, "open")
    edit = owner.get(f"/organizer/c/{draft.slug}/edit").text
    assert ">Preview</a>" not in edit and f'<a href="/c/{draft.slug}">Public page</a>' in edit
