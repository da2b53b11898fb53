"""The shipped nginx configuration in front of real app servers (gunicorn, production settings).

Anonymous reads are served from nginx's micro-cache; a page that is someone's own never
reaches anyone else; static files are compressed and kept long; HSTS is on every answer. With
two app servers behind it, sharing the database and Redis, every rule still holds: the rate
limit is one budget, an address signs once, counts agree within their stated seconds, and the
outbox sends each email once.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from contextlib import ExitStack, contextmanager
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import OutboxMessage, OutboxStatus, Signature
from tests.helpers import confirm_link
from tests.live_app import LiveApp, fetch, production_env
from tests.nginx_front import NginxFront, Reply, free_port

REDIS_URL = "redis://127.0.0.1:6379/12"
HSTS = "max-age=63072000; includeSubDomains"
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@contextmanager
def front(app, tmp_path, *, instances: int, **settings: str):
    """instances app servers on the test's database, and nginx in front of them."""
    https_port = free_port()
    env = production_env(tmp_path, **{
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "AUTO_UPGRADE": "0", "LOAD_SAMPLE": "0",
        "OUTBOX_EMBEDDED_WORKER": "0", "PROXY_FIX_HOPS": "1", "BASE_URL": f"https://127.0.0.1:{https_port}",
        "REDIS_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"nginx-test-{secrets.token_hex(4)}", **settings})
    with ExitStack() as stack:
        apps = [stack.enter_context(LiveApp(env, tmp_path / f"app{n}.log")) for n in range(instances)]
        nginx = NginxFront(tmp_path / "nginx", [a.port for a in apps], https_port=https_port)
        stack.enter_context(nginx)
        yield nginx, apps


def sign_through(nginx: NginxFront, slug: str, fields: dict[str, str], cookie: str = "") -> Reply:
    """A browser signing through the front: the page (for its form token), then the form."""
    page = nginx.get(f"/c/{slug}", **({"Cookie": cookie} if cookie else {}))
    token = _FORM_TOKEN.search(page.text)
    assert token, page.text[:300]
    return nginx.request("POST", f"/c/{slug}/sign",
                         body=urlencode({**fields, "form_token": token[1]}).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Origin": nginx.base_url, **({"Cookie": cookie} if cookie else {})})


def _signer(n: int, **fields: str) -> dict[str, str]:
    return {"full_name": f"Signer {n}", "email": f"signer{n}@example.org", "country": "US",
            "postcode": "02139", **fields}


def test_anonymous_reads_come_from_the_cache_and_personal_pages_never_do(app, make_campaign, tmp_path):
    slug = make_campaign()
    with front(app, tmp_path, instances=1) as (nginx, _):
        for path in ["/", f"/c/{slug}", f"/c/{slug}/count.json", f"/c/{slug}.json", f"/c/{slug}/badge.svg"]:
            first, second = nginx.get(path), nginx.get(path)
            assert first.status == second.status == 200, path
            assert second.headers["x-cache-status"] == "HIT", path
            assert second.body == first.body, path
            assert "set-cookie" not in first.headers and "set-cookie" not in second.headers, path
            assert first.headers["strict-transport-security"] == HSTS, path

        # A signer gets a session, and with it their own page, from the app every time...
        signed = sign_through(nginx, slug, _signer(1, full_name="Grace Hopper"))
        assert signed.status == 303 and "set-cookie" in signed.headers
        cookie = signed.headers["set-cookie"].split(";", 1)[0]
        own = nginx.get(f"/c/{slug}", Cookie=cookie)
        assert "You signed this petition in this browser" in own.text
        assert own.headers["x-cache-status"] == "BYPASS"
        assert "private" in own.headers["cache-control"] or "no-store" in own.headers["cache-control"]
        # ...and nobody else ever gets it, from the cache or from the app.
        for _ in range(3):
            stranger = nginx.get(f"/c/{slug}")
            assert stranger.status == 200
            assert "You signed this petition in this browser" not in stranger.text
            assert "Grace Hopper" not in stranger.text

        # Answers of every kind carry HSTS, errors included.
        assert nginx.get("/c/no-such-campaign").headers["strict-transport-security"] == HSTS
        assert nginx.get("/static/campaign.css").headers["strict-transport-security"] == HSTS


def test_static_files_are_compressed_and_kept_long_when_versioned(app, make_campaign, tmp_path):
    slug = make_campaign()
    with front(app, tmp_path, instances=1) as (nginx, _):
        page = nginx.get(f"/c/{slug}").text
        stamped = re.search(r'href="(/static/campaign\.css\?v=[0-9a-f]+)"', page)
        assert stamped, "the page links its stylesheet without a version stamp"
        css = nginx.get(stamped[1], Accept_Encoding="gzip")
        assert css.status == 200 and css.headers["content-encoding"] == "gzip"
        assert css.headers["cache-control"] == "max-age=31536000"
        assert css.headers["strict-transport-security"] == HSTS
        # Without the stamp (the embed snippet other sites copy), an hour only.
        plain = nginx.get("/static/embed.js")
        assert plain.status == 200 and plain.headers["cache-control"] == "max-age=3600"


def test_plain_http_goes_to_https_and_large_bodies_are_refused(app, make_campaign, tmp_path):
    slug = make_campaign()
    with front(app, tmp_path, instances=1) as (nginx, _):
        moved = nginx.request("GET", f"/c/{slug}", https=False, headers={"Host": "petitions.example.org"})
        assert moved.status == 301
        assert moved.headers["location"] == f"https://petitions.example.org/c/{slug}"
        huge = nginx.request("POST", f"/c/{slug}/sign", body=b"full_name=" + b"x" * (3 * 1024 * 1024),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert huge.status == 413
    with app.app_context():
        assert db.session.scalars(select(Signature)).all() == []
        db.session.remove()


def test_two_app_servers_behind_nginx_keep_every_rule(app, make_campaign, tmp_path, smtp_server):
    limited, once, counted = make_campaign(), make_campaign(), make_campaign()
    limit = 6
    with front(app, tmp_path, instances=2, SIGN_RATE_LIMIT=f"{limit} per 10 minutes",
               OUTBOX_EMBEDDED_WORKER="1", OUTBOX_POLL_SECONDS="0.2", TALLY_CACHE_SECONDS="2",
               CAMPAIGN_CACHE_SECONDS="2", MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1",
               SMTP_PORT=str(smtp_server.port), SMTP_TLS="none") as (nginx, apps):
        # Both servers answer (nginx takes turns): each would allow `limit` on its own.
        assert {fetch(a.port, "GET", f"/c/{limited}").status for a in apps} == {200}
        statuses = [sign_through(nginx, limited, _signer(n)).status for n in range(2 * limit)]
        assert sorted(statuses) == [303] * limit + [429] * limit

        # One address signs once, however its attempts are spread over the servers.
        answers: list[int] = []
        attempts = [threading.Thread(target=lambda: answers.append(
            sign_through(nginx, once, _signer(99, email="twice@example.org")).status)) for _ in range(4)]
        for thread in attempts:
            thread.start()
        for thread in attempts:
            thread.join()
        assert answers == [303] * 4

        # Counts agree on both servers, and through nginx, within their stated seconds.
        confirmed, link_path = _confirm_one(nginx, counted, smtp_server)
        # The access log keeps no link token, query string or client address.
        token = link_path.rsplit("/", 1)[1]
        log = nginx.access_log()
        assert f"/c/{counted}/confirm/[redacted]" in log and token not in log
        assert "127.0.0.1" not in log and "?" not in log
        stated = 2 + 5 + 1  # the count's cache here, count.json's max-age in nginx, a margin
        _wait_for(lambda: all(_count(fetch(a.port, "GET", f"/c/{counted}/count.json").text) == 1
                              for a in apps), seconds=2 + 1, what="both servers counting the signature")
        _wait_for(lambda: _count(nginx.get(f"/c/{counted}/count.json").text) == 1, seconds=stated,
                  what="nginx serving the new count")
        assert confirmed.status == 303

        # An edit made elsewhere shows on every server within the campaign's cache seconds.
        with app.app_context():
            campaign = store.get_by_slug(counted)
            store.update(campaign, title="Keep the river clean for good")
            db.session.commit()
            db.session.remove()
        _wait_for(lambda: all("Keep the river clean for good" in fetch(a.port, "GET", f"/c/{counted}").text
                              for a in apps), seconds=2 + 2 + 1, what="both servers showing the edit")

        # Every email is sent once, by whichever server's outbox worker took it.
        with app.app_context():
            expected = len(db.session.scalars(select(OutboxMessage)).all())
            db.session.remove()
        _wait_for(lambda: _sent(app) == expected, seconds=30, what="the outbox sending everything")
        time.sleep(1)  # a second sending of any of them would arrive meanwhile
        ids = [received.message["Message-ID"] for received in smtp_server.messages]
        assert expected >= limit + 2 and len(ids) == expected and len(set(ids)) == expected
    with app.app_context():
        twice = db.session.scalars(select(Signature).where(Signature.email == "twice@example.org")).all()
        assert len(twice) == 1
        db.session.remove()


def _confirm_one(nginx: NginxFront, slug: str, smtp_server) -> tuple[Reply, str]:
    """Sign through nginx and confirm from the emailed link, through nginx; the link's path."""
    assert sign_through(nginx, slug, _signer(7, email="counted@example.org")).status == 303

    def link() -> str | None:
        for received in list(smtp_server.messages):
            if received.recipients == ("counted@example.org",):
                return confirm_link(received.message.get_body(("plain",)).get_content())
        return None

    _wait_for(lambda: link() is not None, seconds=20, what="the confirmation email")
    path = link().removeprefix(nginx.base_url)
    page = nginx.get(path)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    answer = nginx.request("POST", path, body=urlencode({"csrf_token": token[1]}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                                    "Origin": nginx.base_url, "Referer": nginx.base_url + path})
    return answer, path


def _count(body: str) -> int:
    match = re.search(r'"count":\s*(\d+)', body)
    return int(match[1]) if match else -1


def _sent(app) -> int:
    with app.app_context():
        sent = len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)).all())
        db.session.remove()
    return sent


def _wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.1)
