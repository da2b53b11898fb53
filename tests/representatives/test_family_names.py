"""Family names as the data file gives them: imported, stored, and used where a letter greets
someone or an article's name is matched ("Dear Senator Cortez Masto", not "Senator Masto")."""
from __future__ import annotations

import html
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import ActionKind, PostcodeDistrict, Representative
from campaign.representatives import official_names, officials
from tests.helpers import links

# congress-legislators records, as the real file writes them: `last` is the family name.
LEGISLATORS = """
- id: {bioguide: C001113}
  name: {first: Catherine, last: Cortez Masto, official_full: Catherine Cortez Masto}
  terms:
  - {type: sen, start: '2023-01-03', end: '2029-01-03', state: NV, party: Democrat,
     contact_form: 'https://www.cortezmasto.senate.example/contact'}
- id: {bioguide: V000128}
  name: {first: Chris, last: Van Hollen, official_full: Chris Van Hollen}
  terms:
  - {type: sen, start: '2023-01-03', end: '2029-01-03', state: MD, party: Democrat}
- id: {bioguide: W000797}
  name: {first: Debbie, last: Wasserman Schultz, official_full: Debbie Wasserman Schultz}
  terms:
  - {type: rep, start: '2025-01-03', end: '2027-01-03', state: FL, district: 25, party: Democrat}
- id: {bioguide: H001103}
  name: {first: Pablo, middle: José, last: Hernández Rivera, official_full: Pablo José Hernández}
  terms:
  - {type: rep, start: '2025-01-03', end: '2027-01-03', state: PR, district: 0, party: Democrat}
- id: {bioguide: X000090}
  name: {first: Jon, last: Doe, suffix: Jr., official_full: Jon Q. Doe Jr.}
  terms:
  - {type: rep, start: '2025-01-03', end: '2027-01-03', state: NV, district: 2, party: Republican}
- id: {bioguide: X000091}
  name: {official_full: Mary Ann Sample}
  terms:
  - {type: sen, start: '2025-01-03', end: '2031-01-03', state: NV, party: Independent}
"""

CSV_WITH = """id,name,family_name,office,country,region,district,email
gb-1,Tan Dhesi,Singh Dhesi,mp,GB,England,E1,tan.dhesi@parliament.example
gb-2,Jo Bloggs,,mp,GB,England,E2,
"""
CSV_WITHOUT = """id,name,office,country,region,district
gb-3,Rosa de la Cruz,councillor,GB,England,E3
"""

LETTER = "Please keep the river survey funded."


@pytest.fixture
def congress(app, runner, tmp_path) -> dict[str, Representative]:
    """The records above imported with the Congress importer; the members by bioguide id."""
    path = tmp_path / "legislators.yaml"
    path.write_text(LEGISLATORS, encoding="utf-8")
    result = runner.invoke(args=["representatives", "import-congress", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.add_all([
            PostcodeDistrict(source="test", country="US", postcode="89501", region="NV",
                             district="NV-02"),
            PostcodeDistrict(source="test", country="US", postcode="20901", region="MD",
                             district="MD-08"),
        ])
        db.session.commit()
        members = {r.external_id: r for r in db.session.scalars(select(Representative))}
        db.session.expunge_all()
    return members


@pytest.fixture
def letter_campaign(app, make_campaign):
    """An open US campaign whose letter card has no one to address yet."""
    slug = make_campaign()
    with app.app_context():
        campaign = store.get_by_slug(slug)
        store.add_action(campaign, kind=ActionKind.LETTER, title="Write to Congress",
                         details={"letter": {"example": LETTER}})
        db.session.commit()
    return slug


def test_the_congress_file_gives_each_members_family_name(congress):
    assert {bioguide: member.family_name for bioguide, member in congress.items()} == {
        "C001113": "Cortez Masto",
        "V000128": "Van Hollen",
        "W000797": "Wasserman Schultz",
        "H001103": "Hernández Rivera",  # more than the name shown has
        "X000090": "Doe",  # the suffix is not part of it
        "X000091": "Sample",  # no `last`: read from the name, as before
    }
    assert congress["C001113"].name == "Catherine Cortez Masto"


def test_a_plain_csv_may_give_the_family_name_or_leave_it_to_the_name(app, runner, tmp_path):
    for name, text in (("with.csv", CSV_WITH), ("without.csv", CSV_WITHOUT)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = runner.invoke(args=["representatives", "import-csv", str(tmp_path / name),
                                     "--source", name.removesuffix(".csv")])
        assert result.exit_code == 0, result.output
    with app.app_context():
        stored = dict(db.session.execute(
            select(Representative.name, Representative.family_name)).all())
    assert stored == {"Tan Dhesi": "Singh Dhesi", "Jo Bloggs": "Bloggs",
                      "Rosa de la Cruz": "de la Cruz"}


def test_a_reimport_updates_a_family_name_in_place(app, congress, runner, tmp_path):
    path = tmp_path / "changed.yaml"
    changed = LEGISLATORS.replace("last: Van Hollen", "last: Van Hollen-Smith")
    path.write_text(changed, encoding="utf-8")
    result = runner.invoke(args=["representatives", "import-congress", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        row = db.session.scalar(
            select(Representative).where(Representative.external_id == "V000128"))
        assert (row.id, row.family_name) == (congress["V000128"].id, "Van Hollen-Smith")


def _letter(page: str, name: str) -> str:
    """The letter in one representative's card on the lookup page, as a visitor reads it."""
    card = page[page.index(f">{name}</h4>"):]
    card = card[:card.index("</article>")]
    textarea = card.split('class="letter"', 1)[1].split(">", 1)[1]
    return html.unescape(textarea.split("</textarea>", 1)[0])


def test_the_lookup_page_greets_each_member_by_the_files_family_name(client, congress,
                                                                     letter_campaign):
    page = client.get(f"/c/{letter_campaign}/representatives",
                      query_string={"country": "US", "postcode": "89501"}).text
    assert _letter(page, "Catherine Cortez Masto").startswith(
        f"Dear Senator Cortez Masto,\n\n{LETTER}")
    assert _letter(page, "Mary Ann Sample").startswith("Dear Senator Sample,\n\n")
    page = client.get(f"/c/{letter_campaign}/representatives",
                      query_string={"country": "US", "postcode": "20901"}).text
    assert _letter(page, "Chris Van Hollen").startswith("Dear Senator Van Hollen,\n\n")


@pytest.mark.parametrize(("said", "office", "bioguide"), [
    ("Pablo José Hernández Rivera", "", "H001103"),  # the file's whole name
    ("Rep. Hernández Rivera (D-P.R.)", "", "H001103"),
    ("Sen. Cortez Masto", "", "C001113"),
    ("Rep. Debbie Wasserman Schultz (D-Fla.)", "", "W000797"),
    ("Rep. Jon Doe", "", "X000090"),
])
def test_an_article_naming_the_family_name_matches_the_member(app, congress, said, office,
                                                             bioguide):
    with app.app_context():
        [match] = officials.match_contacts("US", [(None, 0, said, office)])
    assert match.matched, match.reason
    assert match.official.id == congress[bioguide].id
    assert match.official.family_name == congress[bioguide].family_name


def test_an_article_naming_a_matched_senator_gets_a_letter_to_her_family_name(
        app, client, congress, make_campaign):
    slug = make_campaign()
    with app.app_context():
        campaign = store.get_by_slug(slug)
        store.add_action(campaign, kind=ActionKind.CONTACT, title="Contact your senators",
                         details={"contacts": [{"name": "Sen. Catherine Cortez Masto (D-Nev.)"},
                                               {"name": "Chris Van Hollen", "office": "Senator"}],
                                  "letter": {"example": LETTER}})
        db.session.commit()
    page = html.unescape(client.get(f"/c/{slug}").text)
    letter = page.split('class="letter"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert letter.startswith(f"Dear Senator Cortez Masto and Senator Van Hollen,\n\n{LETTER}")
    # No one has an email in the Congress file: no mail is offered to nobody.
    assert not [href for href, _ in links(page) if href.startswith("mailto:")
                and unquote(href).split("?")[0] == "mailto:"]


@pytest.mark.parametrize(("said", "recorded", "family", "same"), [
    ("Pablo José Hernández Rivera", "Pablo José Hernández", "Hernández Rivera", True),
    ("Hernández Rivera", "Pablo José Hernández", "Hernández Rivera", True),
    ("Pablo Hernández", "Pablo José Hernández", "Hernández Rivera", True),  # the name as shown
    ("Pablo Rivera", "Pablo José Hernández", "Hernández Rivera", False),  # half a family name
    ("Maria Hernández Rivera", "Pablo José Hernández", "Hernández Rivera", False),  # someone else
    ("Cortez Masto", "Catherine Cortez Masto", "", True),  # no family name stored: as before
])
def test_names_agree_with_the_files_family_name(said, recorded, family, same):
    words = official_names.words_of
    assert official_names.names_agree(words(said), words(recorded), words(family)) is same
