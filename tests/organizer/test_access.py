"""Who may open which organizer URL, walked from app.url_map so that new URLs are covered too.

Every endpoint of the "organizer" blueprint (and the login-only pages listed below) is tried as
a stranger, as an organizer of another campaign, and as an owner, member and admin of the
campaign in the URL; every page of the app is checked for the security headers.
"""
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, PathConverter, UUIDConverter

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import (
    ActionKind,
    Event,
    EventStatus,
    ListRule,
    OrganizerRole,
    Representative,
    RuleKind,
    Signature,
    SignatureStatus,
    Webhook,
)
from campaign.organizer.access import DOWNLOAD_SUFFIXES
from campaign.public import embed
from campaign.updates import store as update_store

# Pages outside the organizer blueprint that also need a login.
LOGIN_ONLY = {"auth.change_password"}
# A real value for each URL parameter, taken from the campaign under test, so that a view that
# looked a row up by id alone (without the campaign check) would be caught.
PARAMS = {
    "slug": lambda world: world.slug,
    "signature_id": lambda world: world.signature_id,
    "action_id": lambda world: world.action_id,
    "operation": lambda world: "invalidate",
    # Representatives are shared by every campaign: the signer's senator.
    "representative_id": lambda world: world.representative_id,
    "rule_id": lambda world: world.rule_id,  # an entry of the campaign's block list
    "update_id": lambda world: world.update_id,  # a draft update of the campaign
    "office_key": lambda world: "target",  # the campaign's own addressee, for its delivery
    "language": lambda world: "es",  # a language of LANGUAGES the campaign may be translated into
    "key_id": lambda world: 1,  # an API key (keys belong to organizers, not campaigns)
    "event_id": lambda world: world.event_id,  # a published event of the campaign
    "hook_id": lambda world: world.hook_id,  # a webhook of the campaign
}
# Endpoints whose GET the owner walk cannot fill in, with the reason. None today: an endpoint
# with a new kind of parameter fails test_every_parameter_has_a_value until it is listed here
# or given a value in PARAMS.
OWNER_SKIPS: dict[str, str] = {}
# Pages of the whole site for admins alone: any other organizer gets 404.
ADMIN_ONLY = {"organizer.audit_log"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
STRICT_REFERRERS = {
    "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin",
}


def _guarded_rules(app):
    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint.startswith("organizer.") or r.endpoint in LOGIN_ONLY]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _dummy(rule, name: str):
    converter = rule._converters.get(name)
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-0000-0000-000000000000"
    return "campaign.css" if isinstance(converter, PathConverter) else "x"


def _url(rule, world=None) -> str:
    values = {name: PARAMS[name](world) if world is not None and name in PARAMS
              else _dummy(rule, name) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _fetch(client, url: str, method: str = "GET", **kwargs):
    """The answer, read to the end and closed: exports stream inside their request context."""
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()
    return response


def _is_data(url: str) -> bool:
    return url.endswith(DOWNLOAD_SUFFIXES)


def _snapshot() -> dict[str, list[str]]:
    """Every row of every table, to show that a refused request changed nothing."""
    rows = {t.name: sorted(repr(tuple(r)) for r in db.session.execute(t.select()))
            for t in db.metadata.sorted_tables}
    db.session.remove()
    return rows


def _login(client, email):
    from tests.conftest import ORGANIZER_PASSWORD

    response = client.post("/auth/login", data={"email": email, "password": ORGANIZER_PASSWORD})
    assert response.status_code == 303


@pytest.fixture
def world(app, make_campaign, make_organizer, signer):
    """A campaign with a signer and an action; its owner, a member, an admin and a stranger."""
    slug = make_campaign(title="Theirs")
    elsewhere = make_campaign(title="Someone else's")
    assert app.test_client().post(f"/c/{slug}/sign", data=signer()).status_code == 303
    with app.app_context():
        campaign = store.get_by_slug(slug)
        action = store.add_action(campaign, kind=ActionKind.TEXT, title="Write to the board")
        senator = Representative(source="test", external_id="S1", name="Jane Roe",
                                 office="senator", country="US", region="MA")
        db.session.add(senator)
        rule = ListRule(campaign_id=campaign.id, kind=RuleKind.BLOCK_DOMAIN, value="spam.example")
        db.session.add(rule)
        db.session.commit()
        rule_id = rule.id
        action_id, representative_id = action.id, senator.id
        update_id = update_store.create(campaign, title="News", body="Text", organizer=None,
                                        now=utcnow()).id
        db.session.commit()
        signature = db.session.scalar(select(Signature))
        # A constituent of the senator's, so that their packet has someone to deliver.
        signature.status, signature.region = SignatureStatus.CONFIRMED, "MA"
        db.session.commit()
        signature_id = signature.id
        start = utcnow() + timedelta(days=20)
        event = Event(campaign_id=campaign.id, title="Town hall", starts_at=start,
                      ends_at=start + timedelta(hours=1), timezone="America/Chicago",
                      address="1 Main St", postcode="55401", status=EventStatus.PUBLISHED)
        db.session.add(event)
        db.session.commit()
        event_id = event.id
        hook = Webhook(campaign_id=campaign.id, url="https://93.184.215.14/hook",
                       events=["signature.confirmed"], secret="whsec_test")
        db.session.add(hook)
        db.session.commit()
        hook_id = hook.id
        db.session.remove()
    return SimpleNamespace(
        slug=slug, signature_id=signature_id, action_id=action_id,
        representative_id=representative_id, rule_id=rule_id, update_id=update_id, event_id=event_id,
        hook_id=hook_id,
        owner=make_organizer("owner@example.org", campaigns_owned=[slug]),
        member=_member(app, make_organizer, slug),
        admin=make_organizer("admin@example.org", role=OrganizerRole.ADMIN),
        stranger=make_organizer("stranger@example.org", campaigns_owned=[elsewhere]),
    )


def _member(app, make_organizer, slug) -> str:
    email = make_organizer("member@example.org")
    result = app.test_cli_runner().invoke(args=["organizer", "add", slug, email])
    assert result.exit_code == 0, result.output
    return email


def test_the_walk_covers_the_organizer_area(app):
    endpoints = {rule.endpoint for rule in _guarded_rules(app)}
    assert {"organizer.home", "auth.change_password"} <= endpoints


def test_every_parameter_has_a_value(app):
    missing = [f"{rule.endpoint} ({rule.rule}): no value for <{name}>"
               for rule in _guarded_rules(app) if rule.endpoint not in OWNER_SKIPS
               for name in rule.arguments if name not in PARAMS]
    assert missing == [], "add a value to PARAMS or an entry to OWNER_SKIPS"


def test_strangers_get_the_login_page_or_401(app, world):
    client, problems = app.test_client(), []
    for rule in _guarded_rules(app):
        if "GET" not in rule.methods:
            continue
        url = _url(rule, world)
        response = _fetch(client, url)
        if _is_data(url):
            expected = response.status_code == 401
        else:
            location = response.headers.get("Location", "")
            expected = (response.status_code == 302 and location.startswith("/auth/login?")
                        and parse_qs(urlsplit(location).query).get("next") == [url])
        if not expected:
            problems.append(f"GET {url}: {response.status_code} {response.headers.get('Location')}")
        if response.headers.get("Cache-Control") != "no-store":
            problems.append(f"GET {url}: Cache-Control {response.headers.get('Cache-Control')}")
    assert problems == []


@pytest.mark.parametrize("csrf", [True, False], ids=["csrf-on", "csrf-off"])
def test_anonymous_writes_change_nothing(app, world, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    client, problems = app.test_client(), []
    with app.app_context():
        before = _snapshot()
    allowed = {400, 401, 302} if csrf else {401, 302}
    for rule in _guarded_rules(app):
        for method in WRITE_METHODS & rule.methods:
            url = _url(rule, world)
            response = _fetch(client, url, method, data={"confirm": "y", "status": "x"})
            location = response.headers.get("Location", "")
            if response.status_code not in allowed or (
                    response.status_code == 302 and not location.startswith("/auth/login?")):
                problems.append(f"{method} {url}: {response.status_code} {location}")
    with app.app_context():
        assert _snapshot() == before
    assert problems == []


def test_another_organizers_campaign_is_404_everywhere(app, world):
    client, problems = app.test_client(), []
    _login(client, world.stranger)
    with app.app_context():
        before = _snapshot()
    for rule in _guarded_rules(app):
        if "slug" not in rule.arguments:
            continue
        for method in _methods(rule):
            url = _url(rule, world)
            response = _fetch(client, url, method, data={"confirm": "y"})
            if response.status_code != 404:
                problems.append(f"{method} {url}: {response.status_code}")
    with app.app_context():
        after = _snapshot()
    after.pop("organizer_sessions"), before.pop("organizer_sessions")  # last seen may move
    assert problems == [] and after == before


@pytest.mark.parametrize("role", ["owner", "member", "admin"])
def test_the_campaigns_organizers_open_every_page(app, world, role):
    client, problems = app.test_client(), []
    _login(client, getattr(world, role))
    for rule in _guarded_rules(app):
        if "GET" not in rule.methods or rule.endpoint in OWNER_SKIPS:
            continue
        url = _url(rule, world)
        response = _fetch(client, url)
        location = response.headers.get("Location", "")
        if rule.endpoint in ADMIN_ONLY and role != "admin":
            if response.status_code != 404:
                problems.append(f"GET {url}: {response.status_code}, not 404, for the {role}")
        elif response.status_code not in (200, 302, 303) or "/auth/login" in location:
            problems.append(f"GET {url}: {response.status_code} {location}")
        if response.headers.get("Cache-Control") != "no-store":
            problems.append(f"GET {url}: Cache-Control {response.headers.get('Cache-Control')}")
        problems += [f"GET {url}: {p}" for p in _header_problems(response)]
    assert problems == []


def test_admins_see_every_campaign_organizers_only_theirs(app, world, make_campaign):
    nobodys = make_campaign(title="Nobody's yet")
    seen = {}
    for role in ("owner", "member", "admin", "stranger"):
        client = app.test_client()
        _login(client, getattr(world, role))
        page = client.get("/organizer/").text
        seen[role] = {title for title in ("Theirs", "Someone else&#39;s", "Nobody&#39;s yet")
                      if title in page}
        assert (client.get(f"/organizer/c/{nobodys}/").status_code == 404) == (role != "admin")
    assert seen == {
        "owner": {"Theirs"}, "member": {"Theirs"}, "stranger": {"Someone else&#39;s"},
        "admin": {"Theirs", "Someone else&#39;s", "Nobody&#39;s yet"},
    }


def test_every_page_has_the_security_headers(app, world):
    client, problems = app.test_client(), []
    urls = [_url(rule, world) for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    urls += ["/no/such/page", f"/c/{world.slug}/confirm/not-a-token", "/static/campaign.css"]
    # Only the embeddable form's pages may be framed (test_embed.py checks by whom).
    framable = {_url(rule, world) for rule in app.url_map.iter_rules() if rule.endpoint in embed.FRAMED_ENDPOINTS}
    for url in urls:
        response = _fetch(client, url)
        problems += [f"GET {url} ({response.status_code}): {p}"
                     for p in _header_problems(response, framable=url in framable)]
    response = client.post(f"/c/{world.slug}/sign", data={})
    problems += [f"POST sign: {p}" for p in _header_problems(response)]
    assert len(urls) > 10 and problems == []


def _header_problems(response, framable: bool = False) -> list[str]:
    """What is missing from the security headers, and any script the CSP would have to allow."""
    problems = []
    directives = {}
    for part in response.headers.get("Content-Security-Policy", "").split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.split()
    script = directives.get("script-src", directives.get("default-src"))
    if script is None or {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script):
        problems.append(f"script-src {script}")
    if (directives.get("frame-ancestors") == ["'none'"]) == framable:
        problems.append(f"frame-ancestors {directives.get('frame-ancestors')}")
    if directives.get("object-src") != ["'none'"]:
        problems.append(f"object-src {directives.get('object-src')}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.headers.get("X-Frame-Options") != (None if framable else "DENY"):
        problems.append(f"X-Frame-Options {response.headers.get('X-Frame-Options')}")
    if response.headers.get("Referrer-Policy") not in STRICT_REFERRERS:
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if response.mimetype == "text/html":
        parser = _ScriptFinder()
        parser.feed(response.get_data(as_text=True))
        problems += parser.problems
    return problems


class _ScriptFinder(HTMLParser):
    """Inline scripts, event attributes and javascript: URLs, which the CSP forbids."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower(
            ).startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")


def test_ids_too_large_for_the_database_are_404(app, world):
    """Every <int:...> of the organizer area, given 2**64: not found, never an overflow."""
    client, problems, checked = app.test_client(), [], 0
    _login(client, world.owner)
    for rule in _guarded_rules(app):
        ids = {name for name, converter in rule._converters.items()
               if isinstance(converter, IntegerConverter)}
        if not ids:
            continue
        url = f"/{rule.rule.lstrip('/')}"
        for name in rule._converters:
            value = 2**64 if name in ids else PARAMS[name](world)
            url = re.sub(rf"<(?:[^<>:]+:)?{name}>", str(value), url)
        for method in sorted(rule.methods & {"GET", "POST"}):
            checked += 1
            response = _fetch(client, url, method, data={"confirm": "y"})
            if response.status_code != 404:
                problems.append(f"{method} {url}: {response.status_code}")
    assert checked >= 5 and problems == []
