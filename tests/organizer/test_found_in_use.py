"""Organizer faults found in use: a new campaign's defaults, empty packets, logged-out downloads."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import Representative, Signature, SignatureStatus
from campaign.organizer.access import DOWNLOAD_SUFFIXES
from tests.helpers import FIXTURES


class _FormFields(HTMLParser):
    """What a browser sends for the form posting to `action`: each field with its default."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.data = action, False, {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.inside = values.get("action") == self.action
        elif self.inside and tag in ("input", "textarea") and values.get("name"):
            if values.get("type") == "checkbox" and "checked" not in values:
                return  # an unticked box sends nothing
            self.data[values["name"]] = values.get("value") or ("y" if values.get("type") == "checkbox" else "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def _new_form_as_sent(page: str, **typed) -> dict:
    fields = _FormFields("/organizer/new/form")
    fields.feed(page)
    assert "title" in fields.data and "petition_text" in fields.data
    return fields.data | typed


def test_a_campaign_from_the_form_delivers_names_as_an_imported_one(app, client, make_organizer, login):
    login(client, make_organizer())
    text = (FIXTURES / "articles" / "uk-maternity-unit.txt").read_text()
    assert client.post("/organizer/new/article", data={"article_text": text, "slug": "imported"}
                       ).status_code == 303
    data = _new_form_as_sent(client.get("/organizer/new").text, title="Fix the bridge",
                             slug="from-form", petition_text="Repair it.")
    assert client.post("/organizer/new/form", data=data).status_code == 303
    with app.app_context():
        imported, made = store.get_by_slug("imported"), store.get_by_slug("from-form")
        assert imported.deliver_names is True
        assert made.deliver_names == imported.deliver_names
        db.session.remove()


@pytest.fixture
def senators(app, make_campaign, make_organizer, signer, login, client):
    """An owner's campaign with one confirmed signer in Massachusetts; its senators there and elsewhere."""
    slug = make_campaign()
    login(client, make_organizer(campaigns_owned=[slug]))
    assert app.test_client().post(f"/c/{slug}/sign", data=signer()).status_code == 303
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        signature.status, signature.region = SignatureStatus.CONFIRMED, "MA"
        theirs = Representative(source="test", external_id="S1", name="Jane Roe", office="senator",
                                country="US", region="MA")
        nobodys = Representative(source="test", external_id="S2", name="John Doe", office="senator",
                                 country="US", region="VT")
        db.session.add_all([theirs, nobodys])
        db.session.commit()
        ids = theirs.id, nobodys.id
        db.session.remove()
    return slug, *ids


def test_a_packet_without_constituents_is_404(client, senators):
    slug, theirs, nobodys = senators
    pdf = client.get(f"/organizer/c/{slug}/delivery/{theirs}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/organizer/c/{slug}/delivery/{theirs}").status_code == 200
    assert client.get(f"/organizer/c/{slug}/delivery/{nobodys}.pdf").status_code == 404
    assert client.get(f"/organizer/c/{slug}/delivery/{nobodys}").status_code == 404


def _downloads(app) -> list:
    """Every organizer URL that answers with a file, found in the url_map by its ending."""
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("organizer.") and rule.rule.endswith(DOWNLOAD_SUFFIXES)]


def test_the_downloads_are_found(app):
    endings = {rule.rule.rsplit(".", 1)[1] for rule in _downloads(app)}
    assert endings == {"csv", "json", "pdf", "zip"} and len(_downloads(app)) >= 6


@pytest.mark.parametrize("cookie", ["none", "forged"])
def test_logged_out_downloads_all_get_401(app, senators, cookie):
    slug, theirs, _ = senators
    client, answers = app.test_client(), {}
    if cookie == "forged":
        with client.session_transaction() as session:  # signed rightly, but no such login
            session["_user_id"] = "not-a-session-token"
    for rule in _downloads(app):
        url = rule.build({"slug": slug, "representative_id": theirs, "event_id": 1},
                         append_unknown=False)[1]
        response = client.get(url)
        response.close()
        answers[url] = (response.status_code, response.headers.get("Location"),
                        response.headers.get("Cache-Control"), "attachment" in
                        response.headers.get("Content-Disposition", ""))
    assert set(answers.values()) == {(401, None, "no-store", False)}, answers
