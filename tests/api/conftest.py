"""Fixtures of the API tests: an organizer's keys, and requests sent with one."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from campaign.accounts import api_keys, organizers
from campaign.clock import utcnow
from campaign.extensions import db

HEADER = "OSDI-API-Token"
ENTRY = "http://localhost/api/v1/"


@dataclass(frozen=True)
class Key:
    """A key as its organizer copied it, and the row's id."""

    secret: str
    id: int
    organizer_email: str

    @property
    def headers(self) -> dict:
        return {HEADER: self.secret}


@pytest.fixture
def make_key(app, make_organizer):
    """make_key(email, access="read", campaigns_owned=()) → a Key of that (new) organizer."""

    def make(email: str = "org@example.org", access: str = "read", *, campaigns_owned=(),
             new_organizer: bool = True) -> Key:
        if new_organizer:
            make_organizer(email, campaigns_owned=campaigns_owned)
        with app.app_context():
            made = api_keys.create(organizers.get_by_email(email), "Sync", access, now=utcnow())
            db.session.commit()
            key = Key(made.secret, made.key.id, email)
            db.session.remove()
        return key

    return make


@pytest.fixture
def api(client):
    """api(key, url, method="GET", json=None) → the answer, the key in its header."""

    def send(key: Key | None, url: str, method: str = "GET", json=None, **kwargs):
        headers = key.headers if key is not None else {}
        return client.open(url, method=method, headers=headers, json=json, **kwargs)

    return send
