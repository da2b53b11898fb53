"""Find your representatives: the lookup page, the letter, and the thank-you page after signing."""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import ActionKind, PostcodeDistrict, Signature
from tests import representative_data as data
from tests.helpers import links, signatures

LETTER = "Please keep the river clean and stop the dumping upstream."


@pytest.fixture
def reps(app) -> dict[str, int]:
    return data.load(app)


@pytest.fixture
def slug(app, make_campaign) -> str:
    """An open campaign with a letter action."""
    slug = make_campaign()
    with app.app_context():
        campaign = store.get_by_slug(slug)
        store.add_action(campaign, kind=ActionKind.LETTER, title="Write to Congress",
                             details={"letter": {"example": LETTER}})
        db.session.commit()
        db.session.remove()
    return slug


def _lookup(client, slug: str, **params):
    return client.get(f"/c/{slug}/representatives", query_string=params)


def _card(page: str, name: str) -> str:
    """The HTML of one representative's card."""
    start = page.index(f">{name}</h4>")
    return page[start:page.index("</article>", start)]


def test_a_zip_in_one_district_shows_two_senators_and_one_representative(client, slug, reps):
    response = _lookup(client, slug, postcode="55401")
    assert response.status_code == 200
    page = response.text
    assert "ZIP code <strong>55401</strong> · Minneapolis, MN" in page
    assert "Your senators" in page and "Your representative" in page
    for name in (*data.SENATORS_MN, data.MEMBER_MN_05):
        assert f">{name}</h4>" in page
    assert page.count("U.S. Senator") == 2 and page.count("U.S. Representative") == 1
    assert "Minnesota&#39;s 5th congressional district" in page
    assert data.MEMBER_MN_03 not in page and data.MEMBER_AK not in page
    assert "Members of Congress take messages through the contact forms" in page
    assert "split between districts" not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_a_shared_zip_lists_each_district_member_under_a_clear_heading(client, slug, reps):
    page = _lookup(client, slug, postcode="55416").text
    assert "Your ZIP code is split between districts" in page
    third = page.index("<h3>Minnesota&#39;s 3rd congressional district</h3>")
    fifth = page.index("<h3>Minnesota&#39;s 5th congressional district</h3>")
    dana, casey = (page.index(f">{name}</h4>") for name in (data.MEMBER_MN_03, data.MEMBER_MN_05))
    assert third < dana < fifth < casey
    assert page.count("U.S. Senator") == 2  # the same senators either way, listed once


def test_an_at_large_state_shows_its_one_member(client, slug, reps):
    page = _lookup(client, slug, postcode="99501").text
    assert f">{data.MEMBER_AK}</h4>" in page and f">{data.SENATOR_AK}</h4>" in page
    assert "Alaska (at large)" in page
    assert data.SENATORS_MN[0] not in page


def test_zip_plus_four_finds_the_same_members(client, slug, reps):
    page = _lookup(client, slug, postcode="55401-1234").text
    assert f">{data.MEMBER_MN_05}</h4>" in page


def test_another_country_uses_its_own_words(app, client, make_campaign):
    slug = make_campaign(default_country="GB")
    with app.app_context():
        data.add_representative(name="Jo Bloggs", office="mp", country="GB", party="Independent",
                                district="E14000639", email="jo.bloggs@parliament.example",
                                district_name="Cities of London and Westminster")
        db.session.add(PostcodeDistrict(source=data.SOURCE, country="GB", postcode="SW1A",
                                        district="E14000639"))
        db.session.commit()
    page = _lookup(client, slug, postcode="sw1a1aa").text  # the campaign's country, cleaned
    assert "Postcode <strong>SW1A 1AA</strong>" in page
    card = _card(page, "Jo Bloggs")
    assert "Member of Parliament · Independent<br>Cities of London and Westminster" in card
    mailto = next(href for href, _ in links(card) if href.startswith("mailto:"))
    assert unquote(mailto).startswith("mailto:jo.bloggs@parliament.example?subject=")
    assert "body=Dear Jo Bloggs,\n\n" in unquote(mailto)
    assert "Members of Congress" not in page


def test_an_email_gives_a_mailto_with_the_addressed_letter(client, slug, reps):
    card = _card(_lookup(client, slug, postcode="55416").text, data.MEMBER_MN_03)
    mailtos = [href for href, _ in links(card) if href.startswith("mailto:")]
    assert mailtos and mailtos[0].startswith(f"mailto:{data.DANA_EMAIL}?subject=")
    body = unquote(mailtos[0].split("body=", 1)[1])
    assert body.startswith(f"Dear Representative Hill,\n\n{LETTER}")
    assert body.endswith("Sincerely,\n[Your name]\n[Your town]")
    assert "By email" in card


def test_no_email_anywhere_for_offices_without_one(client, slug, reps):
    page = _lookup(client, slug, postcode="55401").text
    assert "mailto:" not in page and "@" not in page
    assert 'value="email"' not in page  # no "contacted by email" button either
    card = _card(page, data.MEMBER_MN_05)
    assert "Paste it into the contact form on their website" in " ".join(card.split())
    assert 'data-copy="letter-' in card  # the copy button, shown by campaign.js


def test_phone_is_a_tel_link(client, slug, reps):
    page = _lookup(client, slug, postcode="55401").text
    assert ("tel:2022254755", "Call (202) 225-4755") in links(_card(page, data.MEMBER_MN_05))
    assert ("https://river.house.example/contact", "Contact form") in links(page)


@pytest.mark.parametrize(("params", "message"), [
    ({"postcode": ""}, "Please enter your ZIP code."),
    ({"postcode": "ABC"}, "Please enter a 5-digit ZIP code, or ZIP+4 like 12345-6789."),
    ({"postcode": "1234567"}, "Please enter a 5-digit ZIP code"),
    ({"postcode": "SW1A1AA", "country": "GB", "x": "1"}, None),
    ({"postcode": "nonsense", "country": "GB"}, "Please enter a UK postcode, like SW1A 1AA."),
    ({"postcode": "55401", "country": "ZZ"}, "Please choose a country from the list."),
    ({"postcode": "55401", "country": ""}, "Please choose a country from the list."),
    ({"postcode": "55401", "country": "US\x1f"}, "Please choose a country from the list."),
    ({"postcode": "55401", "country": "\x85US"}, "Please choose a country from the list."),
    ({"postcode": "SW-1A1AA", "country": "GB"}, "Please enter a UK postcode, like SW1A 1AA."),
    ({"postcode": "", "country": "DE"}, "Please enter your postcode."),
    ({"postcode": "<b>1</b>", "country": "DE"}, "A postcode has at most 16 letters"),
])
def test_invalid_postcodes_get_the_form_back_with_a_message(client, slug, reps, params, message):
    response = _lookup(client, slug, **params)
    if message is None:  # valid, in a country whose list this site lacks: said plainly
        assert response.status_code == 200
        assert "no list of representatives for United Kingdom" in " ".join(response.text.split())
        return
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Your representatives" not in response.text


def test_an_unknown_zip_says_so(client, slug, reps):
    response = _lookup(client, slug, postcode="00000")
    assert response.status_code == 200
    assert "We found no representatives for ZIP code" in response.text


def test_a_site_without_a_list_says_so_rather_than_blame_the_zip(client, slug):
    response = _lookup(client, slug, postcode="55401")  # nothing imported on this site
    text = " ".join(response.text.split())
    assert response.status_code == 200
    assert "This site has no list of representatives for United States yet" in text
    assert "We found no representatives" not in text


def test_the_page_without_a_postcode_is_the_form(client, slug, reps):
    response = _lookup(client, slug)
    assert response.status_code == 200
    assert "Find my representatives" in response.text
    assert "Your representatives" not in response.text


@pytest.mark.parametrize("status", ["draft", None])
def test_only_public_campaigns_have_the_page(client, make_campaign, status):
    slug = make_campaign(status=status) if status else "no-such-campaign"
    assert _lookup(client, slug, postcode="55401").status_code == 404


def test_fields_of_representatives_are_escaped(app, client, slug):
    with app.app_context():
        data.add_representative(name="<script>alert(1)</script>", office="senator", region="MN",
                                party='"><img src=x>', address="<b>bold</b>",
                                website="javascript:alert(2)")
        data.add_mapping("55401", "MN", "MN-05")
        db.session.commit()
    page = _lookup(client, slug, postcode="55401").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<img src=x>" not in page and "<b>bold</b>" not in page
    assert "javascript:" not in page  # a link that is not a web address is not shown


def test_the_letter_is_signed_by_who_just_signed_here(client, slug, reps, signer):
    client.post(f"/c/{slug}/sign", data=signer(postcode="55401"))
    page = _lookup(client, slug).text  # no postcode given: the one they signed with
    letter = _card(page, data.MEMBER_MN_05)
    assert f"Dear Representative River,\n\n{LETTER}" in letter
    assert "Sincerely,\nAda Lovelace\nMinneapolis, MN 55401" in letter
    assert 'value="55401"' in page


def test_the_campaign_page_links_the_lookup_once_representatives_are_loaded(app, client, slug):
    assert "Find your representatives" not in client.get(f"/c/{slug}").text
    data.load(app)
    page = client.get(f"/c/{slug}").text
    assert (f"/c/{slug}/representatives", "Find your representatives") in links(page)


# After signing ---------------------------------------------------------------------------------


def test_the_thank_you_page_shows_the_signers_representatives(client, slug, reps, signer):
    client.post(f"/c/{slug}/sign", data=signer(postcode="55401"))
    page = client.get(f"/c/{slug}/signed").text
    assert "Your representatives" in page
    for name in (*data.SENATORS_MN, data.MEMBER_MN_05):
        assert f">{name}</h4>" in page
    assert (f"/c/{slug}/representatives?country=US&postcode=55401",
            "Write to them: your letter is ready") in links(page)
    assert "district-choice" not in page  # one district: nothing to ask


def _sign_in_shared_zip(client, slug, signer, email="ada@example.org"):
    response = client.post(f"/c/{slug}/sign", data=signer(postcode="55416", email=email))
    assert response.status_code == 303


def test_a_signer_in_a_shared_zip_may_say_which_district_is_theirs(app, client, slug, reps, signer):
    _sign_in_shared_zip(client, slug, signer)
    page = client.get(f"/c/{slug}/signed").text
    assert "Which of these is your representative? (optional)" in page
    assert f"Minnesota&#39;s 3rd congressional district: {data.MEMBER_MN_03}" in page
    response = client.post(f"/c/{slug}/signed/district", data={"district": "MN-03"})
    assert response.status_code == 303
    assert response.location.endswith(f"/c/{slug}/signed#district-choice")
    with app.app_context():
        [signature] = signatures()
        assert (signature.district, signature.district_choices) == ("MN-03", "MN-03 MN-05")
    page = client.get(f"/c/{slug}/signed").text
    assert "Thank you — noted." in page
    assert f"You told us: Minnesota&#39;s 3rd congressional district: {data.MEMBER_MN_03} ✓" in page


@pytest.mark.parametrize("choice", ["MN-01", "", "MN-03 MN-05"])
def test_a_district_outside_the_candidates_is_refused(app, client, slug, reps, signer, choice):
    _sign_in_shared_zip(client, slug, signer)
    response = client.post(f"/c/{slug}/signed/district", data={"district": choice})
    assert response.status_code == 303  # back to the form it came from, not a dead end
    assert response.location.endswith(f"/c/{slug}/signed#district-choice")
    page = client.get(f"/c/{slug}/signed").text
    assert page.split("<title>", 1)[1].startswith("Error: ")
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Choose one of the districts listed" in summary
    assert 'href="#district-0"' in summary  # the link to the first choice
    assert "Which of these is your representative? (optional)" in page
    assert f"Minnesota&#39;s 3rd congressional district: {data.MEMBER_MN_03}" in page
    assert "Thank you — noted." not in page
    with app.app_context():
        assert signatures()[0].district == ""
    # Once read, the message is gone: the next visit is the plain thank-you page.
    page = client.get(f"/c/{slug}/signed").text
    assert "error-summary" not in page and not page.split("<title>", 1)[1].startswith("Error")


def test_without_a_reference_to_a_new_signature_nothing_is_stored_and_the_answer_is_the_same(
        app, slug, reps, signer):
    first, repeat, stranger = app.test_client(), app.test_client(), app.test_client()
    _sign_in_shared_zip(first, slug, signer)
    _sign_in_shared_zip(repeat, slug, signer)  # the same email again: no new row
    with first.session_transaction() as new_session, repeat.session_transaction() as repeat_session:
        # The readable cookie holds a reference either way, of the same length.
        assert len(new_session["signer"]["ref"]) == len(repeat_session["signer"]["ref"])
        assert new_session["signer"]["ref"] != repeat_session["signer"]["ref"]

    def thank_you(client) -> str:
        return client.get(f"/c/{slug}/signed").text

    assert thank_you(first) == thank_you(repeat)
    answers = [c.post(f"/c/{slug}/signed/district", data={"district": "MN-05"})
               for c in (first, repeat, stranger)]
    assert {(a.status_code, a.location) for a in answers} == {
        (303, f"/c/{slug}/signed#district-choice")}
    assert thank_you(first) == thank_you(repeat)
    with app.app_context():
        assert [s.district for s in signatures()] == ["MN-05"]  # the first signer's own row only


def test_a_reference_from_another_campaign_stores_nothing(app, client, slug, make_campaign, reps,
                                                         signer):
    _sign_in_shared_zip(client, slug, signer)
    other = make_campaign()
    with client.session_transaction() as session:
        session["signer"] = {**session["signer"], "slug": other}
    assert client.post(f"/c/{other}/signed/district", data={"district": "MN-03"}).status_code == 303
    with app.app_context():
        assert db.session.get(Signature, signatures()[0].id).district == ""
