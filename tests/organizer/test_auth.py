"""Login, lockout, rate limits, sessions, `next`, password change and logs of the auth blueprint."""
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from campaign.accounts import organizers, passwords
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import AuditEntry, Organizer, OrganizerSession
from tests.conftest import ORGANIZER_PASSWORD

NEW_PASSWORD = "violet kettle argues softly"
GENERIC = "Wrong email or password, or the account is locked for a while."


def _post_login(client, email, password=ORGANIZER_PASSWORD, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": password}, **kwargs)


def _organizer(email) -> Organizer:
    return db.session.scalar(select(Organizer).where(Organizer.email == email))


def _session_token(client) -> str | None:
    with client.session_transaction() as saved:
        return saved.get("_user_id")


def _page_without_typed_values(response) -> str:
    return re.sub(r'value="[^"]*"', "", response.text)


class CountingHasher:
    """Wraps the argon2 hasher to count verifications (the slow, timing-relevant step)."""

    def __init__(self, real):
        self.real, self.verified = real, 0

    def verify(self, stored, password):
        self.verified += 1
        return self.real.verify(stored, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_login_and_the_page_it_leads_to(client, make_organizer):
    email = make_organizer()
    response = _post_login(client, email.upper())  # any case of the address
    assert response.status_code == 303 and response.headers["Location"] == "/organizer/"
    assert client.get("/organizer/").status_code == 200


def test_unknown_account_wrong_password_and_lock_look_the_same(app, client, make_organizer):
    email = make_organizer()
    unknown = _post_login(client, "nobody@example.org")
    wrong = _post_login(client, email, "not the password at all")
    malformed = _post_login(client, "not an address")
    with app.app_context():
        db.session.execute(update(Organizer).values(locked_until=utcnow() + timedelta(minutes=5)))
        db.session.commit()
    locked = _post_login(client, email)  # the right password, but locked
    assert {r.status_code for r in (unknown, wrong, malformed, locked)} == {401}
    pages = {_page_without_typed_values(r) for r in (unknown, wrong, malformed, locked)}
    assert len(pages) == 1 and GENERIC in pages.pop()


def test_a_refused_login_leads_with_an_error_summary(client, make_organizer):
    """As on the visitor's forms: a focused summary first, each error a link to its field."""
    refused = _post_login(client, make_organizer(), "not the password at all")
    assert refused.status_code == 401
    summary = refused.text.split('id="error-summary"', 1)
    assert len(summary) == 2 and "autofocus" in summary[1].split(">", 1)[0]
    assert summary[1].index('href="#password"') < summary[1].index('name="email"')
    assert "<title>Error: " in refused.text


def test_every_failure_path_does_the_hashing_work(app, client, make_organizer, monkeypatch):
    email = make_organizer()
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    cases = [("nobody@example.org", ORGANIZER_PASSWORD), ("not an address", "x"),
             (email, "not the password at all")]
    for address, password in cases:
        before = counting.verified
        assert _post_login(client, address, password).status_code == 401
        assert counting.verified == before + 1, address
    with app.app_context():
        db.session.execute(update(Organizer).values(locked_until=utcnow() + timedelta(minutes=5)))
        db.session.commit()
    before = counting.verified
    assert _post_login(client, email).status_code == 401
    assert counting.verified == before + 1


def test_five_failures_lock_the_account_for_fifteen_minutes(app, client, make_organizer):
    email = make_organizer()
    for _ in range(5):
        assert _post_login(client, email, "not the password at all").status_code == 401
    refused = _post_login(client, email)
    assert refused.status_code == 401 and GENERIC in refused.text
    with app.app_context():
        locked_until = _organizer(email).locked_until
        assert timedelta(minutes=14) < locked_until - utcnow() <= timedelta(minutes=15)
        db.session.execute(update(Organizer).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _post_login(client, email).status_code == 303
    with app.app_context():
        organizer = _organizer(email)
        assert (organizer.failed_logins, organizer.locked_until) == (0, None)


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(ctx, make_organizer):
    email = make_organizer()
    start = utcnow()

    def attempt(password, minutes):
        return organizers.authenticate(email, password, now=start + timedelta(minutes=minutes))

    for minute in (0, 4, 8, 12):
        assert attempt("wrong!", minute) is None
    assert attempt("wrong!", 16) is None  # the first failure has left the window: count anew
    assert attempt(ORGANIZER_PASSWORD, 16) is not None
    for n in range(5):
        attempt("wrong!", 17 + n / 60)
    assert attempt(ORGANIZER_PASSWORD, 31) is None  # locked at 17:04 for 15 minutes
    assert attempt(ORGANIZER_PASSWORD, 33) is not None


def test_many_failures_from_one_address_get_a_429_page(app, client, make_organizer):
    app.config["LOGIN_RATE_LIMIT"] = "3 per 15 minutes"
    emails = [make_organizer(f"org{n}@example.org") for n in range(2)]
    for n in range(3):  # different accounts: the per-account lock never comes into it
        assert _post_login(client, emails[n % 2], "not the password at all").status_code == 401
    refused = _post_login(client, emails[0])
    assert refused.status_code == 429
    assert "Too many requests" in refused.text and "<html" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert refused.headers["Cache-Control"] == "no-store"
    elsewhere = _post_login(app.test_client(), emails[0], environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert elsewhere.status_code == 303


def test_only_wrong_passwords_count_towards_the_address_limit(app, client, make_organizer):
    app.config["LOGIN_RATE_LIMIT"] = "2 per 15 minutes"
    email = make_organizer()
    for _ in range(4):
        assert _post_login(client, email).status_code == 303
        client.post("/auth/logout")
        assert client.post("/auth/login", data={}).status_code == 422  # an empty form
        assert client.get("/auth/login").status_code == 200
    assert _post_login(client, email, "not the password at all").status_code == 401
    assert client.get("/auth/password").status_code == 302  # not logged in
    assert _post_login(client, email, "not the password at all").status_code == 401
    assert _post_login(client, email).status_code == 429


def test_guessing_the_current_password_counts_towards_the_address_limit(app, client,
                                                                         make_organizer):
    app.config["LOGIN_RATE_LIMIT"] = "2 per 15 minutes"
    _post_login(client, make_organizer())
    for _ in range(2):
        assert _change(client, current="not the password at all").status_code == 422
    assert _change(client).status_code == 429
    assert _post_login(app.test_client(), "org@example.org").status_code == 429


def test_ipv6_addresses_of_one_network_count_together(app):
    from campaign.organizer.auth import _client_key

    def key(address):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return _client_key()

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("::ffff:192.0.2.1") == key("192.0.2.1") == "192.0.2.1"


def test_login_starts_a_new_session_every_time(client, make_organizer):
    email = make_organizer()
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    _post_login(client, email)
    with client.session_transaction() as after:
        assert "planted" not in after
    first = _session_token(client)
    client.post("/auth/logout")
    _post_login(client, email)
    second = _session_token(client)
    assert first and second and first != second


def test_logout_really_ends_the_session(app, client, make_organizer):
    email = make_organizer()
    _post_login(client, email)
    stolen = client.get_cookie("session").value
    assert client.post("/auth/logout").headers["Location"] == "/auth/login"
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/organizer/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    with app.app_context():
        assert db.session.scalar(select(OrganizerSession.ended_at)) is not None


def test_idle_sessions_end(app, client, make_organizer):
    email = make_organizer()
    _post_login(client, email)
    idle = app.config["ORGANIZER_IDLE_MINUTES"]
    with app.app_context():
        db.session.execute(update(OrganizerSession).values(
            last_seen_at=utcnow() - timedelta(minutes=idle + 1)))
        db.session.commit()
    response = client.get("/organizer/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(OrganizerSession.ended_at)) is not None


def test_sessions_end_after_30_idle_minutes_by_default_and_activity_extends_them(
        app, client, make_organizer, clock):
    assert app.config["ORGANIZER_IDLE_MINUTES"] == 30
    _post_login(client, make_organizer())
    for _ in range(3):  # a request every 29 minutes keeps it going, past the 30 from login
        clock.move(minutes=29)
        assert client.get("/organizer/").status_code == 200
    clock.move(minutes=30, seconds=1)
    expired = client.get("/organizer/c/anything/signers?status=pending")
    assert expired.status_code == 302
    assert expired.headers["Location"].startswith("/auth/login?next=")
    assert "signers" in expired.headers["Location"]
    clock.move(seconds=1)  # and it stays ended: the next request is no one's either
    assert client.get("/organizer/").status_code == 302


def test_the_idle_time_is_configurable(app, client, make_organizer, clock):
    app.config["ORGANIZER_IDLE_MINUTES"] = 5
    _post_login(client, make_organizer())
    clock.move(minutes=4)
    assert client.get("/organizer/").status_code == 200
    clock.move(minutes=5, seconds=1)
    answer = client.get("/organizer/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_quiet_few_minutes_keep_the_session_and_mark_it_seen(app, client, make_organizer,
                                                               method):
    email = make_organizer()
    _post_login(client, email)
    quiet = utcnow() - timedelta(minutes=5)
    with app.app_context():
        db.session.execute(update(OrganizerSession).values(last_seen_at=quiet))
        db.session.commit()
    if method == "get":
        assert client.get("/organizer/").status_code == 200
    else:  # a form sent after a pause: the write must not wait on the request's own lock
        assert client.post("/auth/password", data={}).status_code == 422
    with app.app_context():
        if method == "get":  # a page that only reads still records the visit
            assert db.session.scalar(select(OrganizerSession.last_seen_at)) > quiet
        assert db.session.scalar(select(OrganizerSession.ended_at)) is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/organizer/", "/organizer/"),
        ("/organizer/c/pier/signers?status=pending", "/organizer/c/pier/signers?status=pending"),
        ("//evil.example", "/organizer/"),
        ("//evil.example/organizer/", "/organizer/"),
        ("https://evil.example/", "/organizer/"),
        ("http:/evil.example", "/organizer/"),
        ("/\\evil.example", "/organizer/"),
        ("\\\\evil.example", "/organizer/"),
        ("/\t/evil.example", "/organizer/"),
        ("/\n/evil.example", "/organizer/"),
        ("javascript:alert(1)", "/organizer/"),
        ("JavaScript:alert(1)", "/organizer/"),
        ("data:text/html,<script>alert(1)</script>", "/organizer/"),
        (" /organizer/", "/organizer/"),
        ("organizer/", "/organizer/"),
        ("", "/organizer/"),
    ],
)
def test_next_accepts_only_local_paths(client, make_organizer, target, expected):
    email = make_organizer()
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": email, "password": ORGANIZER_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == expected
    again = client.get("/auth/login", query_string={"next": target})  # already logged in
    assert again.headers["Location"] == expected


def _change(client, current=ORGANIZER_PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/auth/password", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm})


def test_change_password_ends_every_other_session(app, client, make_organizer):
    email = make_organizer()
    other_device = app.test_client()
    _post_login(other_device, email)
    _post_login(client, email)
    before = _session_token(client)
    old_cookie = client.get_cookie("session").value
    page = client.get("/auth/password")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    response = _change(client)
    assert response.status_code == 303 and response.headers["Location"] == "/organizer/"
    assert "Your password is changed" in client.get("/organizer/").text
    assert _session_token(client) != before
    assert other_device.get("/organizer/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/organizer/").status_code == 302
    assert _post_login(app.test_client(), email).status_code == 401
    assert _post_login(app.test_client(), email, NEW_PASSWORD).status_code == 303
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.organizer_id) == ("organizer.password_changed",
                                                      _organizer(email).id)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("not the password at all", NEW_PASSWORD, None, "not your current password"),
        (ORGANIZER_PASSWORD, "Password123!", None, "most common"),
        (ORGANIZER_PASSWORD, "short", None, "at least 8"),
        (ORGANIZER_PASSWORD, ORGANIZER_PASSWORD, None, "different from the current"),
        (ORGANIZER_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "The two new passwords differ"),
    ],
)
def test_change_password_refusals(app, client, make_organizer, current, new, confirm, message):
    email = make_organizer()
    _post_login(client, email)
    response = _change(client, current, new, confirm)
    assert response.status_code == 422 and message in response.text
    assert client.get("/organizer/").status_code == 200  # still logged in
    with app.app_context():
        assert passwords.verify(_organizer(email).password_hash, ORGANIZER_PASSWORD)
        assert db.session.scalar(select(AuditEntry)) is None


def test_wrong_current_passwords_count_towards_the_lock(app, client, make_organizer):
    email = make_organizer()
    _post_login(client, email)
    for _ in range(5):
        assert _change(client, current="not the password at all").status_code == 422
    assert _change(client).status_code == 422  # locked: even the right one is refused now
    assert _post_login(app.test_client(), email).status_code == 401


def test_logs_name_organizers_by_id_only(app, client, make_organizer, caplog):
    email = make_organizer("secretive@example.org")
    caplog.set_level(logging.INFO)
    _post_login(client, "nobody@example.org", "a typed secret 1")
    for _ in range(5):
        _post_login(client, email, "a typed secret 2")
    with app.app_context():
        organizers.unlock(_organizer(email))
        db.session.commit()
    _post_login(client, email)
    _change(client)
    client.post("/auth/logout")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "logged in" in text and "locked" in text and "changed password" in text
    for secret in ("nobody@example.org", email, "secretive", "a typed secret",
                   ORGANIZER_PASSWORD, NEW_PASSWORD):
        assert secret not in text


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def test_login_and_logout_need_the_csrf_token(csrf_client, make_organizer):
    email = make_organizer()
    refused = _post_login(csrf_client, email)
    assert refused.status_code == 400 and "This form has expired" in refused.text
    assert csrf_client.get("/organizer/").status_code == 302
    token = _token(csrf_client.get("/auth/login").text)
    response = csrf_client.post("/auth/login", data={
        "email": email, "password": ORGANIZER_PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert csrf_client.post("/auth/logout").status_code == 400
    assert csrf_client.get("/organizer/").status_code == 200  # still logged in
    token = _token(csrf_client.get("/organizer/").text)
    assert csrf_client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    assert csrf_client.get("/organizer/").status_code == 302


def test_change_password_needs_the_csrf_token(app, csrf_client, make_organizer):
    email = make_organizer()
    token = _token(csrf_client.get("/auth/login").text)
    csrf_client.post("/auth/login", data={
        "email": email, "password": ORGANIZER_PASSWORD, "csrf_token": token})
    assert _change(csrf_client).status_code == 400
    with app.app_context():
        assert passwords.verify(_organizer(email).password_hash, ORGANIZER_PASSWORD)
