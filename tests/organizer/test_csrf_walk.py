"""Every state-changing route of the organizer area and of logging in refuses a request without
its CSRF token, and stores nothing.

The routes are read from the app's url_map, so a new one is walked as soon as it exists: it
fails here, by name, until ROUTES says how to send it a request that would change something.
Each route is then sent that request twice, as the campaign's owner (an administrator where
the route needs one) with CSRF checking on: without the token (400, the database unchanged),
then with the session's token (the change happens), which proves the request was one the
check had to stop.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from campaign.abuse import list_rules
from campaign.accounts import api_keys, organizers
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.languages import translations
from campaign.models import (
    ActionKind,
    Event,
    EventStatus,
    RuleKind,
    Signature,
    SignatureStatus,
    Webhook,
)
from campaign.updates import store as update_store
from tests.conftest import ORGANIZER_PASSWORD
from tests.helpers import FIXTURES, database_snapshot, state_changing_routes, url_of

OWNER = "owner@example.org"
NEW_PASSWORD = "violet kettle argues softly"


@dataclass(frozen=True)
class World:
    """A campaign the organizer owns, with something of each kind to act on."""

    slug: str
    confirmed_id: int
    action_ids: tuple[int, int]
    rule_id: int
    update_id: int = 0  # a draft update, which Ada (who allowed contact) would get
    key_id: int = 0  # the owner's API key
    event_ids: tuple[int, int] = (0, 0)  # a confirmed offer to host, and a published event
    hook_id: int = 0  # a webhook of the campaign


@dataclass(frozen=True)
class Request:
    """What one route needs to change something: its URL values, query string and form."""

    values: Callable[[World], dict] = lambda world: {"slug": world.slug}
    form: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    who: str = "owner"  # the campaign's owner; "admin": an administrator owning it; "nobody"


def _nothing(world: World) -> dict:
    return {}


def _update(world: World) -> dict:
    return {"slug": world.slug, "update_id": world.update_id}


def _action(world: World) -> dict:
    return {"slug": world.slug, "action_id": world.action_ids[0]}


def _signer(operation: str | None = None) -> Callable[[World], dict]:
    def values(world: World) -> dict:
        return {"slug": world.slug, "signature_id": world.confirmed_id,
                **({"operation": operation} if operation else {})}
    return values


CAMPAIGN_FIELDS = {"title": "Keep the river clean", "petition_text": "Stop the dumping.",
                   "target": "The County Board", "goal": "250", "default_country": "US",
                   "require_confirmation": "y"}

def _event(index: int) -> Callable[[World], dict]:
    def values(world: World) -> dict:
        return {"slug": world.slug, "event_id": world.event_ids[index]}
    return values


EVENT_FORM = {"title": "Town hall", "date": (date.today() + timedelta(days=30)).isoformat(),
              "start_time": "18:00", "end_time": "19:30", "timezone": "America/Chicago",
              "address": "300 Nicollet Mall", "postcode": "55401", "country": "US", "host": "me"}

def _hook(world: World) -> dict:
    return {"slug": world.slug, "hook_id": world.hook_id}


# Keyed "METHOD rule", as the url_map spells it.
ROUTES: dict[str, Request] = {
    "POST /organizer/c/<slug>/webhooks": Request(form={"url": "https://93.184.215.14/in",
                                                       "events": "signature.confirmed"}),
    "POST /organizer/c/<slug>/webhooks/<int:hook_id>/events": Request(
        _hook, {"events": ["signature.confirmed", "signature.removed"]}),
    "POST /organizer/c/<slug>/webhooks/<int:hook_id>/rotate": Request(_hook),
    "POST /organizer/c/<slug>/webhooks/<int:hook_id>/pause": Request(_hook),
    "POST /organizer/c/<slug>/webhooks/<int:hook_id>/resume": Request(_hook),
    "POST /organizer/c/<slug>/webhooks/<int:hook_id>/ping": Request(_hook),
    "POST /organizer/c/<slug>/webhooks/<int:hook_id>/delete": Request(_hook),
    "POST /organizer/c/<slug>/events/new": Request(form=EVENT_FORM),
    "POST /organizer/c/<slug>/events/<int:event_id>": Request(_event(1), {**EVENT_FORM, "title": "Moved"}),
    "POST /organizer/c/<slug>/events/<int:event_id>/publish": Request(_event(0)),
    "POST /organizer/c/<slug>/events/<int:event_id>/decline": Request(_event(0)),
    "POST /organizer/c/<slug>/events/<int:event_id>/cancel": Request(_event(1)),
    "POST /organizer/api-keys": Request(_nothing, {"name": "Sync", "access": "read_write"}),
    "POST /organizer/api-keys/<int:key_id>/revoke": Request(lambda world: {"key_id": world.key_id}),
    "POST /auth/login": Request(_nothing, {"email": OWNER, "password": ORGANIZER_PASSWORD},
                                who="nobody"),
    "POST /auth/logout": Request(_nothing),
    "POST /auth/password": Request(_nothing, {"current_password": ORGANIZER_PASSWORD,
                                              "new_password": NEW_PASSWORD,
                                              "confirm_password": NEW_PASSWORD}),
    "POST /organizer/new/article": Request(_nothing, {
        "article_text": (FIXTURES / "articles" / "creek-separate-lines.txt").read_text(),
        "slug": "creek"}),
    "POST /organizer/new/form": Request(_nothing, {**CAMPAIGN_FIELDS, "title": "Fix the bridge"}),
    "POST /organizer/c/<slug>/edit": Request(form={**CAMPAIGN_FIELDS, "goal": "999"}),
    "POST /organizer/c/<slug>/status": Request(form={"to": "close"}),
    "POST /organizer/c/<slug>/review/keep": Request(form={"field": "title"}),
    "POST /organizer/c/<slug>/actions/new": Request(form={"kind": ActionKind.TEXT, "title": "Tell a friend",
                                                          "body": "Share the page."}),
    "POST /organizer/c/<slug>/actions/<int:action_id>": Request(_action, {
        "kind": ActionKind.TEXT, "title": "Tell two friends", "body": "Share it twice."}),
    "POST /organizer/c/<slug>/actions/<int:action_id>/move": Request(_action, {"direction": "down"}),
    "POST /organizer/c/<slug>/actions/<int:action_id>/delete": Request(_action),
    "POST /organizer/c/<slug>/lists": Request(form={"kind": RuleKind.BLOCK_DOMAIN, "value": "spam.example",
                                                    "every_campaign": "y"}, who="admin"),
    "POST /organizer/c/<slug>/lists/<int:rule_id>/remove": Request(
        lambda world: {"slug": world.slug, "rule_id": world.rule_id}),
    "POST /organizer/c/<slug>/signers/bulk": Request(
        query={"status": SignatureStatus.PENDING},
        form={"operation": "invalidate", "expected": "1", "reason": "test"}),
    "POST /organizer/c/<slug>/signers/<int:signature_id>/<operation>": Request(_signer("invalidate")),
    "POST /organizer/c/<slug>/signers/<int:signature_id>/delete": Request(_signer(), {"sure": "y"}),
    "POST /organizer/c/<slug>/updates": Request(form={"title": "The vote", "body": "Call today."}),
    "POST /organizer/c/<slug>/updates/<int:update_id>/edit": Request(
        _update, {"title": "The vote", "body": "Call now."}),
    "POST /organizer/c/<slug>/updates/<int:update_id>/test": Request(_update),
    "POST /organizer/c/<slug>/updates/<int:update_id>/send": Request(_update, {"expected": "1"}),
    # The world's campaign is in English with a Spanish translation, on a site that speaks French too.
    "POST /organizer/c/<slug>/translations/language": Request(form={"language": "fr"}),
    "POST /organizer/c/<slug>/translations/<language>": Request(
        lambda world: {"slug": world.slug, "language": "es"}, {"title": "Salven el río"}),
    "POST /organizer/c/<slug>/translations/<language>/remove": Request(
        lambda world: {"slug": world.slug, "language": "es"}),
    "POST /organizer/c/<slug>/answers/<office_key>": Request(
        lambda world: {"slug": world.slug, "office_key": "target"},
        {"delivered_on": "2026-01-05", "method": "email", "answer_status": "supports",
         "answered_on": "2026-01-06", "answer_quote": "We agree."}),
}

WALKED = state_changing_routes(lambda blueprint: blueprint in ("organizer", "auth"))


def token_in(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', page)
    assert match, "the page carries no CSRF token"
    return match[1]


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["LANGUAGES"] = ["en", "es", "fr"]
    return app


def _world(app, make_campaign, make_organizer, who: str) -> World:
    slug = make_campaign()
    make_organizer(OWNER, role="admin" if who == "admin" else "organizer", campaigns_owned=[slug])
    with app.app_context():
        campaign = store.get_by_slug(slug)
        campaign.drafted_fields = {"title": "the headline"}  # for the review step to keep
        actions = [store.add_action(campaign, kind=ActionKind.TEXT, title=title)
                   for title in ("Tell a friend", "Come to the meeting")]
        signatures = [Signature(campaign_id=campaign.id, full_name=name, email=email, email_key=email,
                                country="US", postcode="02139", status=status)
                      for name, email, status in [("Ada Lovelace", "ada@example.org", SignatureStatus.CONFIRMED),
                                                  ("Pat Pending", "pat@example.org", SignatureStatus.PENDING)]]
        db.session.add_all(signatures)
        signatures[0].contact_ok = True
        draft = update_store.create(campaign, title="News", body="Text", organizer=None, now=utcnow())
        rule = list_rules.add(campaign, RuleKind.BLOCK_IP, "203.0.113.7",
                              organizer=organizers.get_by_email(OWNER))
        translations.save(campaign, "es", translations.TranslationValues(title="Mantengan limpio el río"))
        key = api_keys.create(organizers.get_by_email(OWNER), "CRM", "read", now=utcnow()).key
        start = utcnow() + timedelta(days=20)
        events = [Event(campaign_id=campaign.id, title=title, starts_at=start, status=status,
                        ends_at=start + timedelta(hours=1), timezone="America/Chicago",
                        address="1 Main St", postcode="55401", host_name="Hana",
                        host_email="hana@example.org", host_confirmed_at=utcnow())
                  for title, status in [("Offer", EventStatus.PROPOSED), ("Meeting", EventStatus.PUBLISHED)]]
        db.session.add_all(events)
        hook = Webhook(campaign_id=campaign.id, url="https://93.184.215.14/hook",
                       events=["signature.confirmed"], secret="whsec_test")
        db.session.add(hook)
        db.session.commit()
        world = World(slug=slug, confirmed_id=signatures[0].id,
                      action_ids=(actions[0].id, actions[1].id), rule_id=rule.id,
                      update_id=draft.id, key_id=key.id,
                      event_ids=(events[0].id, events[1].id), hook_id=hook.id)
        db.session.remove()
    return world


def _log_in(client) -> None:
    token = token_in(client.get("/auth/login").text)
    response = client.post("/auth/login", data={"email": OWNER, "password": ORGANIZER_PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 303, response.text[:500]


def _snapshot(app) -> dict:
    with app.app_context():
        snapshot = database_snapshot()
        db.session.remove()
    return snapshot


def test_the_table_lists_only_routes_that_exist():
    walked = {f"{method} {rule}" for method, rule, _ in WALKED}
    assert sorted(set(ROUTES) - walked) == []


@pytest.mark.parametrize(("method", "rule", "endpoint"), WALKED,
                         ids=[f"{endpoint} {method} {rule}" for method, rule, endpoint in WALKED])
def test_a_request_without_its_csrf_token_is_refused_and_changes_nothing(
        csrf_app, make_campaign, make_organizer, method, rule, endpoint):
    request = ROUTES.get(f"{method} {rule}")
    if request is None:
        pytest.fail(f"{endpoint} ({method} {rule}) changes state but is not in ROUTES of "
                    f"{__name__}: add the URL values and form data it needs")
    world = _world(csrf_app, make_campaign, make_organizer, request.who)
    client = csrf_app.test_client()
    if request.who != "nobody":
        _log_in(client)
    url = url_of(rule, request.values(world))
    before = _snapshot(csrf_app)

    refused = client.open(url, method=method, query_string=request.query, data=request.form)
    assert refused.status_code == 400, refused.text[:500]
    assert "This form has expired" in refused.text
    assert _snapshot(csrf_app) == before

    # The same request with the session's own token does what the route is for.
    token = token_in(client.get("/organizer/" if request.who != "nobody" else "/auth/login").text)
    done = client.open(url, method=method, query_string=request.query,
                       data={**request.form, "csrf_token": token})
    assert done.status_code < 400, done.text[:500]
    assert _snapshot(csrf_app) != before
