"""Officials named in articles, matched to the imported representatives, and why not."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from campaign.campaigns import store
from campaign.extensions import db
from campaign.representatives import official_names, officials
from tests import representative_data as data
from tests.helpers import FIXTURES

LEGISLATORS = str(FIXTURES / "representatives" / "legislators.yaml")

# A made-up article naming two members of the fixture Congress (with made-up addresses that
# are not theirs, and placeholder emails) and a councillor nobody imported.
ARTICLE = FIXTURES / "representatives" / "article-officials.txt"


@pytest.fixture
def congress(app, runner):
    """The fixture Congress, and a second senator Brandt (Alaska) and one with accents."""
    result = runner.invoke(args=["representatives", "import-congress", LEGISLATORS])
    assert result.exit_code == 0, result.output
    with app.app_context():
        data.add_representative(name="Tom Brandt", office="senator", region="AK")
        data.add_representative(name="Renée Ñúñez-Lagarde", office="representative", region="AK",
                                district="AK-AL")
        data.add_representative(name="Helen Achterberg", office="mp", country="GB", region="England",
                                district="E14000001")
        db.session.commit()
        db.session.remove()


def _match(name: str, office: str = "", country: str = "US") -> officials.Match:
    [found] = officials.match_contacts(country, [(None, 0, name, office)])
    return found


@pytest.mark.parametrize(
    ("name", "office", "official"),
    [
        ("Marta J. Lindqvist", "Senator", "Marta J. Lindqvist"),
        ("Marta Lindqvist", "Senator", "Marta J. Lindqvist"),  # no middle initial
        ("MARTA LINDQVIST", "", "Marta J. Lindqvist"),  # case
        ("Sen. Marta Lindqvist", "", "Marta J. Lindqvist"),  # the title in the name
        ("Senator Marta Jane Lindqvist", "", "Marta J. Lindqvist"),  # a middle name for the initial
        ("The Honorable Marta Lindqvist", "U.S. Senator", "Marta J. Lindqvist"),
        ("Minnesota Senator Marta Lindqvist", "", "Marta J. Lindqvist"),
        ("Rep. Ruth Okafor (D-MN-05)", "", "Ruth Okafor"),
        ("Congresswoman Ruth Okafor", "", "Ruth Okafor"),
        ("Ruth Okafor", "Representative", "Ruth Okafor"),
        ("Rep. Renee Nunez Lagarde", "", "Renée Ñúñez-Lagarde"),  # accents and the hyphen
        ("Sen. Brandt (R-Minn.)", "", "Owen Brandt"),  # two senators Brandt: the state decides
        ("Owen Brandt", "Senator", "Owen Brandt"),
        ("Delegate Lorraine Hale", "", "Lorraine Hale"),
        ("Lorraine Hale", "Congresswoman", "Lorraine Hale"),  # DC's delegate sits in the House
    ],
)
def test_an_official_is_matched_by_name_office_and_state(ctx, congress, name, office, official):
    found = _match(name, office)
    assert (found.status, found.official.name if found.official else None) == (officials.MATCHED, official)
    assert found.matched and found.reason.startswith(f"Matched to {official}")


@pytest.mark.parametrize(
    ("name", "office", "status", "reason"),
    [
        ("Jane Roe", "Councillor", officials.NO_NAME, "No imported representative is named Jane Roe."),
        ("Ruth Okafor", "Senator", officials.OFFICE, "Ruth Okafor (representative, MN-05) is not a senator."),
        ("Marta Lindqvist", "State Senator", officials.OFFICE, "is not a state senator"),
        ("Marta Lindqvist (D-Mass.)", "Senator", officials.REGION,
         "The article says Massachusetts; Marta J. Lindqvist (senator, MN) sits for MN."),
        ("Rep. Ruth Okafor (D-MN-03)", "", officials.REGION, "The article says MN-03"),
        ("Senator Brandt", "", officials.AMBIGUOUS, "2 representatives match Senator Brandt"),
        ("Ruth Okafor-Smith", "", officials.NO_NAME, "No imported representative"),
        ("Marta Lindqvist", "MP", officials.OFFICE, "is not a mp"),
    ],
)
def test_an_unmatched_official_says_why(ctx, congress, name, office, status, reason):
    found = _match(name, office)
    assert (found.status, found.official) == (status, None)
    assert not found.matched and reason in found.reason


def test_other_countries_match_among_their_own_list(ctx, congress):
    assert _match("Helen Achterberg MP (Labour)", country="GB").official.name == "Helen Achterberg"
    assert _match("Helen Achterberg", "MP").status == officials.NO_NAME  # not among the US list
    assert _match("Sam Fraser", "MP", country="FR").status == officials.NO_DATA


def test_the_match_carries_the_official_record(ctx, congress):
    official = _match("Sen. Marta Lindqvist").official
    assert (official.office_label, official.region, official.district) == ("U.S. Senator", "MN", "")
    assert official.address == "100 Russell Senate Office Building Washington DC 20510"
    assert official.contact_form_url == "https://www.lindqvist.senate.example/contact"
    assert official.phone == "202-224-1001" and official.email == ""


def test_a_whole_campaign_takes_two_queries(app, ctx, congress):
    named = [(None, i, name, "") for i, name in enumerate(
        ["Sen. Marta Lindqvist", "Rep. Ruth Okafor", "Jane Roe", "Owen Brandt", "Dale Ketchum"] * 20)]
    statements: list[str] = []

    def listener(connection, cursor, statement, *rest) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = officials.match_contacts("US", named)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(found) == 100 and sum(m.matched for m in found) == 80
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_match_campaign_lists_each_named_official_in_order(app, ctx, congress, runner):
    assert runner.invoke(args=["import-article", str(ARTICLE), "--slug", "survey"]).exit_code == 0
    campaign = store.get_by_slug("survey")
    contact_action = next(a for a in campaign.actions if a.kind == "contact")
    found = officials.match_campaign(campaign)
    assert [(m.name, m.office, m.action_id, m.contact_index, m.status) for m in found] == [
        ("Sen. Marta Lindqvist (D-Minn.)", "", contact_action.id, 0, officials.MATCHED),
        ("Ruth Okafor", "Representative", contact_action.id, 1, officials.MATCHED),
        ("Jane Roe", "Councillor", contact_action.id, 2, officials.NO_NAME),
    ]
    assert [m.official.name for m in found if m.official] == ["Marta J. Lindqvist", "Ruth Okafor"]


def test_no_representatives_loaded_says_so(ctx):
    found = _match("Marta Lindqvist", "Senator")
    assert (found.status, found.reason) == (officials.NO_DATA, "No representatives of US are imported yet.")


def test_the_organizer_actions_page_lists_the_matches(app, client, congress, runner,
                                                      make_organizer, login):
    assert runner.invoke(args=["import-article", str(ARTICLE), "--slug", "survey"]).exit_code == 0
    login(client, make_organizer(campaigns_owned=["survey"]))
    page = client.get("/organizer/c/survey/actions").text
    assert "matched to Marta J. Lindqvist, U.S. Senator (MN)" in page
    assert "matched to Ruth Okafor, U.S. Representative (MN-05)" in page
    assert "not matched</span> No imported representative is named Jane Roe." in page


@pytest.mark.parametrize(
    ("name", "office", "words", "offices", "region", "district"),
    [
        ("Sen. Amy Klobuchar (D-Minn.)", "", ("amy", "klobuchar"), {"senator"}, "MN", ""),
        ("Rep. Ilhan Omar (D-MN-5)", "", ("ilhan", "omar"), {"representative", "delegate"}, "MN", "MN-05"),
        ("Elizabeth Warren of Massachusetts", "U.S. Senator", ("elizabeth", "warren"), {"senator"}, "MA", ""),
        ("Alexandria Ocasio-Cortez, D-N.Y.", "Rep.", ("alexandria", "ocasio", "cortez"),
         {"representative", "delegate"}, "NY", ""),
        ("Sanford D. Bishop, Jr.", "", ("sanford", "d", "bishop"), set(), "", ""),
        ("Rep. Virginia Foxx", "", ("virginia", "foxx"), {"representative", "delegate"}, "", ""),
        ("Ben Ray Luján (NM)", "Senator", ("ben", "ray", "lujan"), {"senator"}, "NM", ""),
    ],
)
def test_how_an_article_names_an_official_is_read(name, office, words, offices, region, district):
    named = official_names.read(name, office)
    assert (named.words, set(named.offices), named.region, named.district) == (words, offices, region, district)


@pytest.mark.parametrize(
    ("said", "recorded", "same"),
    [
        ("Bernie Sanders", "Bernard Sanders", True),  # a nickname
        ("Chris Van Hollen", "Christopher Van Hollen", True),  # a short form
        ("Rick Crawford", 'Eric A. "Rick" Crawford', True),  # the record's own nickname
        ("Hank Johnson", 'Henry C. "Hank" Johnson, Jr.', True),
        ("Cortez Masto", "Catherine Cortez Masto", True),  # the surname alone
        ("Jane Warren", "Elizabeth Warren", False),
        ("Warren", "Warren Davidson", False),  # a first name is not a surname
    ],
)
def test_names_agree(said, recorded, same):
    assert official_names.names_agree(official_names.words_of(said),
                                      official_names.words_of(recorded)) is same
