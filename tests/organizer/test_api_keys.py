"""The API keys page: a key is shown once, kept as a hash, listed, revoked; each sees its own."""
from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from campaign.extensions import db
from campaign.models import ApiKey


def _secret(page: str) -> str:
    match = re.search(r'<code id="new-key"[^>]*>(cmp_[A-Za-z0-9_-]{40})</code>', page)
    assert match, page[:2000]
    return match[1]


def test_a_key_is_shown_once_and_stored_as_its_hash(app, client, make_organizer, login):
    login(client, make_organizer())
    assert 'href="/organizer/api-keys"' in client.get("/organizer/").text  # in the top navigation
    made = client.post("/organizer/api-keys", data={"name": "Action Network sync",
                                                    "access": "read_write"})
    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    secret = _secret(made.text)
    with app.app_context():
        key = db.session.scalars(select(ApiKey)).one()
        assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret.startswith(key.prefix) and len(key.prefix) < 16
        assert (key.name, key.access, key.revoked_at) == ("Action Network sync", "read_write", None)
    listed = client.get("/organizer/api-keys").text
    assert secret not in listed  # never again
    assert "Action Network sync" in listed and f"{key.prefix}…" in listed
    assert "read and write" in listed and "never" in listed
    # It works on the API, as its owner.
    assert client.get("/api/v1/", headers={"OSDI-API-Token": secret}).status_code == 200
    assert "Set-Cookie" not in client.get("/api/v1/", headers={"OSDI-API-Token": secret}).headers


def test_a_revoked_key_is_listed_as_revoked_and_refused(app, client, make_organizer, login):
    login(client, make_organizer())
    secret = _secret(client.post("/organizer/api-keys", data={"name": "Script",
                                                              "access": "read"}).text)
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id))
    answer = client.post(f"/organizer/api-keys/{key_id}/revoke")
    assert answer.status_code == 303
    page = client.get("/organizer/api-keys").text
    assert "is revoked" in page and "revoked 20" in page
    assert client.get("/api/v1/", headers={"OSDI-API-Token": secret}).status_code == 401


def test_another_organizers_key_cannot_be_revoked_or_seen(app, make_organizer, login):
    owner, other = app.test_client(), app.test_client()
    login(owner, make_organizer("owner@example.org"))
    login(other, make_organizer("other@example.org"))
    owner.post("/organizer/api-keys", data={"name": "Mine", "access": "read"})
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id))
    assert "Mine" not in other.get("/organizer/api-keys").text
    assert other.post(f"/organizer/api-keys/{key_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ApiKey, key_id).revoked_at is None


def test_a_key_needs_a_name_and_an_access(app, client, make_organizer, login):
    login(client, make_organizer())
    for form in ({"name": "", "access": "read"}, {"name": "   ", "access": "read"},
                 {"name": "x" * 101, "access": "read"}, {"name": "ok", "access": "admin"}):
        answer = client.post("/organizer/api-keys", data=form)
        assert answer.status_code == 422, form
        assert "cmp_" not in answer.text
    with app.app_context():
        assert db.session.scalars(select(ApiKey)).all() == []
