"""Per-address limits on signing and confirming: 429 with Retry-After, never a count that rises.

Limits are counted in memory here (each app afresh); one test counts them in the real Redis
at 127.0.0.1:6379, in a database number and key prefix of its own, from two processes.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from sqlalchemy.exc import OperationalError

import config
from campaign import create_app
from campaign.abuse import list_rules, network, rate_limits
from campaign.accounts import organizers
from campaign.campaigns import store
from campaign.extensions import db, limiter
from campaign.models import OutboxMessage, Outreach, Signature
from campaign.signing import submission
from tests.helpers import REPO_ROOT, confirm_link, count_rows, signatures
from tests.ops.test_read_only import ReadOnly
from tests.signing.test_confirmations import count, deliver
from tests.signing.test_confirmations import sign as sign_ok

ROOT = REPO_ROOT
SHARED = "198.51.100.23"  # a school's address
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")


def _sign(client, slug: str, n: int, address: str = SHARED, **headers):
    return client.post(f"/c/{slug}/sign", data={
        "full_name": f"Signer {n}", "email": f"signer{n}@example.org", "postcode": "02139",
        "country": "US",
    }, environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_the_defaults_are_the_issues():
    assert config.Config.SIGN_RATE_LIMIT == "10 per 10 minutes"
    assert config.Config.CONFIRM_RATE_LIMIT == "30 per 10 minutes"


def test_a_burst_of_30_from_one_address_adds_at_most_the_limit(app, client, make_campaign):
    app.config["SIGN_RATE_LIMIT"] = config.Config.SIGN_RATE_LIMIT
    slug = make_campaign(require_confirmation=False)  # each accepted signature counts at once
    answers = [_sign(client, slug, n) for n in range(30)]
    assert [a.status_code for a in answers] == [303] * 10 + [429] * 20
    refused = answers[-1]
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    text = " ".join(refused.text.split())
    assert "Please try again in about 10 minutes" in text
    assert "This one was <strong>not</strong> recorded" in text
    assert "If you signed before, your signature is kept" in text
    assert f'href="/c/{slug}"' in text and refused.headers["X-Frame-Options"] == "DENY"
    assert count(client, slug) == 10
    with app.app_context():
        assert count_rows(Signature) == 10 and count_rows(OutboxMessage) == 10


def test_an_allow_listed_address_is_not_limited(app, client, make_campaign, make_organizer):
    app.config["SIGN_RATE_LIMIT"] = "3 per 10 minutes"
    slug = make_campaign(require_confirmation=False)
    email = make_organizer(campaigns_owned=[slug])
    with app.app_context():
        list_rules.add(store.get_by_slug(slug), "allow_ip", "198.51.100.0/24",
                       organizer=organizers.get_by_email(email), note="the school")
        db.session.commit()
    assert all(_sign(client, slug, n).status_code == 303 for n in range(12))
    elsewhere = [_sign(client, slug, 100 + n, address="203.0.113.5").status_code for n in range(4)]
    assert elsewhere == [303, 303, 303, 429]
    assert count(client, slug) == 15


def test_each_campaign_has_its_own_budget(app, client, make_campaign):
    app.config["SIGN_RATE_LIMIT"] = "2 per 10 minutes"
    first, second = make_campaign(), make_campaign()
    assert [_sign(client, first, n).status_code for n in range(3)] == [303, 303, 429]
    assert [_sign(client, second, n).status_code for n in range(3)] == [303, 303, 429]
    with app.app_context():
        assert count_rows(Signature) == 4


def test_invalid_forms_use_the_budget_too(app, client, make_campaign):
    app.config["SIGN_RATE_LIMIT"] = "2 per 10 minutes"
    slug = make_campaign()
    bad = client.post(f"/c/{slug}/sign", data={"email": "nope"}, environ_base={"REMOTE_ADDR": SHARED})
    assert bad.status_code == 422
    assert [_sign(client, slug, n).status_code for n in range(2)] == [303, 429]


def test_confirming_is_limited_but_opening_the_link_is_not(app, client, make_campaign, signer):
    app.config["CONFIRM_RATE_LIMIT"] = "2 per 10 minutes"
    slug = make_campaign()
    for n in range(3):
        sign_ok(client, slug, signer(email=f"c{n}@example.org"))
    links = sorted(_links(deliver(app)))
    for link in links * 2:  # mail scanners open links: never limited
        assert client.get(link, environ_base={"REMOTE_ADDR": SHARED}).status_code == 200
    presses = [client.post(link, environ_base={"REMOTE_ADDR": SHARED}) for link in links]
    assert [p.status_code for p in presses] == [303, 303, 429]
    assert "Many confirmations have come from your connection" in presses[-1].text
    assert int(presses[-1].headers["Retry-After"]) > 0
    assert count(client, slug) == 2
    later = client.post(links[-1], environ_base={"REMOTE_ADDR": "203.0.113.80"})
    assert later.status_code == 303 and count(client, slug) == 3  # the link still works


def _links(messages) -> list[str]:
    return [confirm_link(m.get_content()) for m in messages]


def test_login_refusals_say_when_to_try_again(app, client, make_organizer):
    app.config["LOGIN_RATE_LIMIT"] = "1 per 15 minutes"
    email = make_organizer()
    client.post("/auth/login", data={"email": email, "password": "not it at all"})
    refused = client.post("/auth/login", data={"email": email, "password": "not it either"})
    assert refused.status_code == 429
    assert "Please wait about 15 minutes and try again." in refused.text
    assert 840 < int(refused.headers["Retry-After"]) <= 900


@pytest.mark.parametrize("hops", [0, 1])
def test_forwarded_for_counts_only_behind_the_configured_proxies(app, make_campaign, hops):
    slug = make_campaign()
    proxied = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         PROXY_FIX_HOPS=hops, SIGN_RATE_LIMIT="2 per 10 minutes")
    try:
        client = proxied.test_client()
        # Forged addresses in front of the one the proxy adds: only the last is the proxy's.
        forged = [_sign(client, slug, n, address="10.0.0.2",
                        **{"X-Forwarded-For": f"192.0.2.{n}, 198.51.100.{n}"}).status_code
                  for n in range(3)]
        same = [_sign(client, slug, 10 + n, address="10.0.0.2",
                      **{"X-Forwarded-For": f"192.0.2.{n}, 203.0.113.9"}).status_code for n in range(3)]
        with proxied.app_context():
            stored = {s.ip_hash for s in signatures()}
    finally:
        with proxied.app_context():
            db.session.remove()
            db.engine.dispose()
    key = config.TestingConfig.SECRET_KEY
    if hops == 0:  # the header is anyone's to write: the limit and the hash ignore it
        assert forged == [303, 303, 429] and same == [429, 429, 429]
        assert stored == {network.ip_hashes(key, "10.0.0.2")[0]}
    else:  # behind one proxy the client is the address it reports, whatever came before
        assert forged == [303, 303, 303] and same == [303, 303, 429]
        assert network.ip_hashes(key, "203.0.113.9")[0] in stored
        assert network.ip_hashes(key, "10.0.0.2")[0] not in stored


def test_redis_url_becomes_the_limit_store():
    def storage(**env) -> str:
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI")} | env
        return subprocess.run(
            [sys.executable, "-c", "import config; print(config.Config.RATELIMIT_STORAGE_URI)"],
            env=environment, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    assert storage() == "memory://"
    assert storage(REDIS_URL="redis://cache:6379/2") == "redis://cache:6379/2"
    assert storage(REDIS_URL="redis://cache:6379/2", RATELIMIT_STORAGE_URI="memory://") == "memory://"


# A second worker: its own process, with an app per configuration in turn, signing through
# the test client from the same address as the first.
_WORKER = """
import json, sys
import config
from campaign import create_app
settings = json.loads(sys.argv[1])
answers = []
for number, overrides in enumerate(settings["runs"]):
    app = create_app(config.TestingConfig, **(settings["config"] | overrides))
    client = app.test_client()
    answers.append([client.post(f"/c/{settings['slug']}/sign", environ_base={"REMOTE_ADDR": settings["address"]},
                                data={"full_name": "Worker", "email": f"worker{number}-{n}@example.org",
                                      "postcode": "02139", "country": "US"}).status_code
                    for n in range(settings["signatures"])])
print(json.dumps(answers))
"""


def _redis_or_skip(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url} (.ci/run starts one)")
    return client


def test_the_limit_holds_across_two_workers_on_redis(app, make_campaign):
    redis_client = _redis_or_skip(REDIS_TEST_URL)
    prefix = f"campaign-test-{os.getpid()}-{secrets.token_hex(4)}"
    slug = make_campaign()
    shared = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              "SIGN_RATE_LIMIT": "5 per 10 minutes", "RATELIMIT_STORAGE_URI": REDIS_TEST_URL,
              "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix}}
    first = create_app(config.TestingConfig, **shared)
    try:
        client = first.test_client()
        assert [_sign(client, slug, n).status_code for n in range(3)] == [303, 303, 303]
        assert redis_client.keys(f"{prefix}:*")  # counted in Redis, not in this worker's memory
        settings = {"slug": slug, "address": SHARED, "signatures": 4, "config": shared,
                    "runs": [{}, {"RATELIMIT_STORAGE_URI": "memory://"}]}
        done = subprocess.run([sys.executable, "-c", _WORKER, json.dumps(settings)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        on_redis, in_memory = json.loads(done.stdout.strip().splitlines()[-1])
        assert on_redis == [303, 303, 429, 429]  # the second worker knows of the first's three
        # Counting in each worker's memory instead, the second starts from nothing.
        assert in_memory == [303] * 4
    finally:
        for key in redis_client.scan_iter(f"{prefix}:*"):
            redis_client.delete(key)
        with first.app_context():
            db.session.remove()
            db.engine.dispose()
    with app.app_context():
        assert count_rows(Signature) == 3 + 2 + 4


def test_the_email_and_outreach_defaults():
    assert config.Config.EMAIL_REQUEST_RATE_LIMIT == "10 per 10 minutes"
    assert config.Config.OUTREACH_RATE_LIMIT == "60 per 10 minutes"


def test_asking_for_emails_is_limited_per_address_and_sends_nothing_more(app, client, make_campaign, signer):
    app.config["EMAIL_REQUEST_RATE_LIMIT"] = "3 per 10 minutes"
    slug = make_campaign()
    sign_ok(client, slug, signer())  # a pending signer: a new link may be sent to them

    def resend(address: str = SHARED):
        return client.post(f"/c/{slug}/resend", data={"email": "ada@example.org"},
                           environ_base={"REMOTE_ADDR": address})

    def delete_my_data(n: int):
        return client.post("/delete-my-data", data={"email": f"someone{n}@example.org"},
                           environ_base={"REMOTE_ADDR": SHARED})

    # Three each: the resend form counts per campaign, the deletion form across the site.
    answers = [resend(), resend()] + [delete_my_data(n) for n in range(4)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    refused = answers[-1]
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "No email was sent for this one" in " ".join(refused.text.split())
    assert resend().status_code == 200
    with app.app_context():
        sent = count_rows(OutboxMessage)
    assert resend().status_code == 429
    with app.app_context():
        assert count_rows(OutboxMessage) == sent
    # Opening the forms is never limited, and another address has a budget of its own.
    assert client.get("/delete-my-data", environ_base={"REMOTE_ADDR": SHARED}).status_code == 200
    assert resend("203.0.113.9").status_code == 200


def test_outreach_notes_are_limited_per_address(app, client, make_campaign):
    from tests import representative_data as data

    reps = data.load(app)
    app.config["OUTREACH_RATE_LIMIT"] = "2 per 10 minutes"
    slug = make_campaign()
    answers = [client.post(f"/c/{slug}/representatives/{reps[name]}/contacted",
                           data={"channel": "phone", "country": "US", "postcode": "55401"},
                           environ_base={"REMOTE_ADDR": SHARED})
               for name in (data.MEMBER_MN_05, data.MEMBER_MN_03, data.MEMBER_MN_05)]
    assert [a.status_code for a in answers] == [303, 303, 429]
    assert "was <strong>not</strong> recorded" in answers[-1].text
    with app.app_context():
        assert count_rows(Outreach) == 2


def _crash(*args, **kwargs):
    raise RuntimeError("a fault on our side")


@pytest.mark.parametrize(("fault", "status"), [("read-only", 503), ("crash", 500)])
def test_answers_failed_on_our_side_use_no_budget(app, client, make_campaign, monkeypatch,
                                                  fault, status):
    """A signer who met our failure may try again: only answers we gave count."""
    app.config["SIGN_RATE_LIMIT"] = "2 per 10 minutes"
    slug = make_campaign()
    with app.app_context():
        switch = ReadOnly(db.engine)
    try:
        with monkeypatch.context() as patched:
            if fault == "read-only":
                switch.on = True
            else:
                patched.setattr(submission, "submit", _crash)
            failed = [_sign(client, slug, n).status_code for n in range(4)]
            switch.on = False
        again = [_sign(client, slug, n).status_code for n in range(3)]
    finally:
        switch.remove()
    assert failed == [status] * 4
    assert again == [303, 303, 429]
    with app.app_context():
        assert count_rows(Signature) == 2


class _Unreadable:
    """list_rules as the limit sees it while the database cannot be read."""

    @staticmethod
    def rules_for(slug: str):
        raise OperationalError("SELECT ... FROM list_rules", None, Exception("server closed"))


def test_an_allow_listed_address_is_not_limited_when_the_list_cannot_be_read(
        app, client, make_campaign, make_organizer, monkeypatch):
    app.config["SIGN_RATE_LIMIT"] = "2 per 10 minutes"
    slug = make_campaign(require_confirmation=False)
    # A rally's wifi uses up the budget before the organizer allow-lists it.
    assert [_sign(client, slug, n).status_code for n in range(3)] == [303, 303, 429]
    email = make_organizer(campaigns_owned=[slug])
    with app.app_context():
        list_rules.add(store.get_by_slug(slug), "allow_ip", SHARED,
                       organizer=organizers.get_by_email(email), note="the rally")
        db.session.commit()
    assert _sign(client, slug, 3).status_code == 303
    monkeypatch.setattr(rate_limits, "list_rules", _Unreadable)
    assert [_sign(client, slug, n).status_code for n in range(4, 7)] == [303] * 3
    assert count(client, slug) == 6


def test_a_count_that_cannot_be_written_after_the_answer_keeps_the_answer(
        app, client, make_campaign, monkeypatch):
    """The budget is counted once the answer is made: a store gone by then (Redis restarting)
    must not turn a stored signature into a 500."""
    app.config["SIGN_RATE_LIMIT"] = "2 per 10 minutes"
    slug = make_campaign(require_confirmation=False)

    def store_gone(*args, **kwargs):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(limiter.limiter, "hit", store_gone)
    assert _sign(client, slug, 1).status_code == 303
    assert count(client, slug) == 1
