"""The signer's memory: who signed in this browser, kept an hour to prefill letters and show
their representatives, then forgotten; and the sealed reference to their signature, which
nobody can point at another signature."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import ActionKind
from campaign.public import signer_memory
from tests import representative_data as data
from tests.helpers import signatures

LETTER = "Please keep the river clean and stop the dumping upstream."
PAGES = ["/c/{slug}", "/c/{slug}/signed", "/c/{slug}/representatives"]


@pytest.fixture
def slug(app, make_campaign) -> str:
    """An open campaign with a letter action, and representatives for its signers."""
    slug = make_campaign()
    with app.app_context():
        store.add_action(store.get_by_slug(slug), kind=ActionKind.LETTER, title="Write to Congress",
                         details={"letter": {"example": LETTER}})
        db.session.commit()
        db.session.remove()
    data.load(app)
    return slug


@pytest.fixture
def clock(monkeypatch):
    """The time as the signer's memory reads it, moved by hand: clock.advance(timedelta)."""

    class Clock:
        now = utcnow()

        def advance(self, by: timedelta) -> None:
            self.now += by

    moved = Clock()
    monkeypatch.setattr(signer_memory, "utcnow", lambda: moved.now)
    return moved


def _sign(client, slug: str, signer, **fields) -> None:
    response = client.post(f"/c/{slug}/sign", data=signer(**fields))
    assert response.status_code == 303


@pytest.mark.parametrize("page", PAGES)
def test_the_signer_is_shown_for_an_hour_then_forgotten(client, slug, signer, clock, page):
    _sign(client, slug, signer, postcode="55401")
    url = page.format(slug=slug)
    clock.advance(signer_memory.MEMORY - timedelta(seconds=1))
    shown = client.get(url)
    assert shown.status_code == 200
    assert "Ada Lovelace" in shown.text and "55401" in shown.text

    clock.advance(timedelta(seconds=2))  # an hour and a second after signing
    later = client.get(url)  # the next person at the same computer
    assert later.status_code == 200
    assert "Ada Lovelace" not in later.text and "55401" not in later.text
    with client.session_transaction() as session:
        assert "signer" not in session  # the cookie no longer holds the name either


# The sealed reference ---------------------------------------------------------------------------

def _pointed_at(ref: str, own_id: int, other_id: int) -> str:
    """The reference with its id changed from own_id to other_id, as someone editing their
    cookie would try: the id is XOR-masked, in the 8 bytes after a 16-byte nonce."""
    raw = bytearray(base64.urlsafe_b64decode(ref))
    for offset, byte in enumerate((own_id ^ other_id).to_bytes(8, "big")):
        raw[16 + offset] ^= byte
    return base64.urlsafe_b64encode(bytes(raw)).decode("ascii")


TAMPERED = {
    "another-signature": None,  # made in the test: it needs both ids
    "truncated": lambda ref: ref[:-4],
    "lengthened": lambda ref: ref + "AAAA",
    "not-base64": lambda ref: "%%% not a reference %%%",
    "not-ascii": lambda ref: "référence",
    "empty": lambda ref: "",
    "a-number": lambda ref: 12345,
    "null": lambda ref: None,
}


@pytest.mark.parametrize("tampering", TAMPERED)
def test_a_tampered_reference_stores_no_district_and_breaks_nothing(app, slug, signer, tampering):
    # Both sign in ZIP code 55416, which lies in two districts: each may say which is theirs.
    someone_else, client = app.test_client(), app.test_client()
    _sign(someone_else, slug, signer, email="grace@example.org", postcode="55416")
    _sign(client, slug, signer, postcode="55416")
    with app.app_context():
        other_id, own_id = (s.id for s in signatures())
    with client.session_transaction() as session:
        ref = session["signer"]["ref"]
        change = TAMPERED[tampering] or (lambda ref: _pointed_at(ref, own_id, other_id))
        session["signer"] = {**session["signer"], "ref": change(ref)}

    response = client.post(f"/c/{slug}/signed/district", data={"district": "MN-03"})
    assert (response.status_code, response.location) == (303, f"/c/{slug}/signed#district-choice")
    with app.app_context():
        assert [(s.id, s.district) for s in signatures()] == [(other_id, ""), (own_id, "")]
    for page in PAGES:
        assert client.get(page.format(slug=slug)).status_code == 200
