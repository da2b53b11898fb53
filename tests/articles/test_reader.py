"""The article reader: each fixture field by field, the real example, and any text at all."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.articles import (
    KINDS,
    Contact,
    Event,
    ImportedAction,
    ImportedArticle,
    Item,
    Letter,
    Organization,
    parse_published,
    read_article,
    to_json,
)
from tests.helpers import FIXTURES, REPO_ROOT, shared_example

ARTICLES = FIXTURES / "articles"
SAMPLE = REPO_ROOT / "campaign" / "campaigns" / "sample_articles" / "article-library-grants.txt"


def fixture(name: str) -> ImportedArticle:
    return read_article((ARTICLES / name).read_text(encoding="utf-8"))


def actions(article: ImportedArticle, section: int = -1) -> dict[int, ImportedAction]:
    return {action.number: action for action in article.sections[section].actions}


def one_section(*lines: str) -> ImportedArticle:
    """A short article whose only section holds the given lines."""
    head = ["Headline", "Source -- Monday, May 4, 2026, 9:00 AM EDT", "News.", "Sign the petition"]
    return read_article("\n".join(head + ["### Act", *lines]))


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# ---- each fixture, its header and its shape --------------------------------------------------

SHAPES = [
    # file, source, published_at, categories, news, commentary, sections (title, actions), closing
    ("transit-one-line-items.txt", "Prairie Valley Courier",
     datetime(2026, 4, 8, 18, 45, 12, tzinfo=tz(-5)),
     ["Transit & Infrastructure", "State–Local Relations", "Labor & Workers"], 9, 4,
     [("Start With Your Neighbors", 2), ("Actions That Make a Difference", 7)], "Every rider"),
    ("creek-separate-lines.txt", "Cascade Shoreline Times",
     datetime(2026, 9, 21, 8, 2, tzinfo=tz(-7)), [], 6, 2,
     [("What You Can Do This Week", 4)], ""),
    ("uk-maternity-unit.txt", "Northern Dales Gazette",
     datetime(2026, 6, 4, 10, 5, tzinfo=tz(1)),
     ["Health & Social Care", "Local Government", "NHS – Regional Services"], 6, 2,
     [("How You Can Help", 4)], ""),
    ("lot-rent-no-marker.txt", "Granite Valley Monitor",
     datetime(2027, 1, 15, 7, 30, tzinfo=tz(-5)), ["Housing", "State Legislature"], 6, 0,
     [("Ways to Get Involved", 2)], ""),
    ("night-flights-no-actions.txt", "Harbour City Herald", None,
     ["Aviation", "Noise & Public Health"], 5, 2, [], ""),
]


@pytest.mark.parametrize(
    "name, source, published_at, categories, news, commentary, sections, closing", SHAPES)
def test_fixture_shape(name, source, published_at, categories, news, commentary, sections, closing):
    text = (ARTICLES / name).read_text(encoding="utf-8")
    article = read_article(text)
    first, second = text.splitlines()[:2]
    assert article.headline == first
    assert article.source == source
    assert article.published_text == second.split(" -- ")[1]
    assert article.published_at == published_at
    if published_at:
        assert article.published_at.utcoffset() == published_at.utcoffset()
    assert article.categories == categories
    assert len(article.paragraphs) == news
    assert len(article.commentary) == commentary
    assert [(s.title, len(s.actions)) for s in article.sections] == sections
    assert article.closing.startswith(closing) and bool(article.closing) == bool(closing)
    assert article.report.lines == len(text.splitlines())
    assert article.report.problems == []


def test_report_says_what_was_read():
    assert fixture("transit-one-line-items.txt").report.read == [
        "headline", "source and date", "date 2026-04-08T18:45:12-05:00", "categories: 3",
        "news paragraphs: 9", "petition marker 'Sign Our Petition' at line 14",
        "commentary paragraphs: 4", "section 'Start With Your Neighbors': actions 2",
        "section 'Actions That Make a Difference': actions 7", "closing paragraph"]
    assert fixture("transit-one-line-items.txt").report.notes == []


def test_news_paragraphs_are_the_lines_before_the_marker():
    text = (ARTICLES / "creek-separate-lines.txt").read_text(encoding="utf-8")
    article = read_article(text)
    lines = [line for line in text.splitlines()[2:] if line]
    assert article.paragraphs == lines[:6]
    assert article.commentary == lines[7:9]


def test_marker_run_into_the_commentary_with_no_space():
    article = fixture("transit-one-line-items.txt")
    assert article.commentary[0].startswith("The people who ride the bus at eleven")
    assert article.paragraphs[-1].startswith("A final public hearing")
    assert "petition marker 'Sign Our Petition' at line 14" in article.report.read


@pytest.mark.parametrize("name, marker", [
    ("creek-separate-lines.txt", "petition marker 'Sign the petition' at line 16"),
    ("uk-maternity-unit.txt", "petition marker 'Sign our petition now' at line 11"),
    ("night-flights-no-actions.txt", "petition marker 'SIGN THE PETITION' at line 11"),
])
def test_marker_on_its_own_line(name, marker):
    article = fixture(name)
    assert marker in article.report.read
    assert article.commentary and not article.commentary[0].lower().startswith("sign")


def test_no_marker_keeps_everything_as_news_and_says_so():
    article = fixture("lot-rent-no-marker.txt")
    assert article.commentary == []
    assert article.paragraphs[-1] == "The housing committee has scheduled a hearing for February 2."
    assert any(note.startswith("no petition marker found") for note in article.report.notes)


def test_missing_categories_is_a_note():
    article = fixture("creek-separate-lines.txt")
    assert article.categories == []
    assert "no categories line" in article.report.notes


def test_unknown_time_zone_is_not_guessed():
    article = fixture("night-flights-no-actions.txt")
    assert article.published_text == "Sunday, November 1, 2026, 9:00:00 PM IST"
    assert article.published_at is None
    assert any("unknown time zone 'IST'" in note for note in article.report.notes)


def test_no_actions_at_all():
    article = fixture("night-flights-no-actions.txt")
    assert article.sections == [] and article.closing == ""
    assert article.commentary[-1].startswith("Sleep is a health issue")


# ---- the actions of each fixture -------------------------------------------------------------

def test_one_line_items_first_section_splits_two_actions_on_one_line():
    first = actions(fixture("transit-one-line-items.txt"), 0)
    assert [(a.number, a.title, a.kind) for a in first.values()] == [
        (1, "Talk to Riders", "text"), (2, "Learn the Schedule", "text")]
    assert first[1].text == "Ask the people at your stop what the late routes mean for them."
    assert first[2].text.startswith("Read the board's proposed timetable")


def test_one_line_items_kinds():
    found = actions(fixture("transit-one-line-items.txt"))
    assert [found[n].kind for n in range(1, 8)] == [
        "petition", "contact", "letter", "organizations", "share", "event", "host"]


def test_one_line_items_petition():
    petition = actions(fixture("transit-one-line-items.txt"))[1]
    assert petition.title == "Sign the Petition" and petition.text == ""
    assert petition.items[0] == Item("Petition to the Transit Board",
                                     "Our petition asks for a one-year delay.")
    assert petition.petition_titles == ["Keep Night Buses Running", "Transit for Shift Workers"]
    assert petition.contacts == [] and petition.letter is None and petition.event is None


def test_one_line_items_contacts_placeholders_and_addresses():
    contact = actions(fixture("transit-one-line-items.txt"))[2]
    assert contact.contacts == [
        Contact("Marisol Vance", "Senator", "marisol.vance@senate.example.gov", False,
                "200 Capitol Avenue, Room 314, Springfield, IL 62706", "(217) 555-0142",
                "placeholder, confirm on the official site"),
        Contact("Tobias Lindqvist", "Representative", "t.lindqvist@house.state.il.us", False,
                "1 Old State Capitol Plaza - Suite 9, Springfield, IL 62701", "",
                "to be confirmed"),
    ]
    labels = [item.label for item in contact.items]
    assert labels == ["Who to Contact", "Your State Senator", "Sample Contacts",
                      "Senator Marisol Vance", "Email", "Address", "Phone",
                      "Representative Tobias Lindqvist", "Email", "Address"]
    assert contact.letter is None


def test_one_line_items_letter_keeps_a_dash_inside_the_quoted_example():
    letter = actions(fixture("transit-one-line-items.txt"))[3].letter
    assert letter.what_to_say == ["Tell them which route you ride and when.",
                                  "Ask for an emergency grant before July."]
    assert letter.example.startswith("Please delay the late-night bus cuts")
    assert letter.example.endswith("11:30 p.m. - there is no other way for me to get there.")


def test_one_line_items_organizations_with_and_without_a_link():
    groups = actions(fixture("transit-one-line-items.txt"))[4].organizations
    assert groups == [
        Organization("Night Riders Union",
                     "A volunteer group of late-shift workers that tracks service cuts.",
                     "https://nightriders.example.org"),
        Organization("Prairie Valley Transit Alliance",
                     "A coalition of unions and faith groups that organizes for better bus "
                     "service.",
                     ""),
    ]


def test_one_line_items_share_event_host_and_closing():
    article = fixture("transit-one-line-items.txt")
    found = actions(article)
    assert found[5].hashtags == ["KeepTheLateBus", "TransitIsWork"]
    assert found[6].event == Event("Bring a one-minute statement.", "May 12, 6:00 PM",
                                   "County Administration Building, 300 Main Street", False)
    assert found[7].event.host is True and found[7].event.what.startswith("Organize a short")
    assert all(found[n].hashtags == [] for n in (1, 2, 3, 4, 6, 7))
    assert article.closing.endswith("keep the county running.")


def test_separate_lines_contact_is_verified_with_phone_and_dashed_address():
    action = actions(fixture("creek-separate-lines.txt"))[1]
    assert action.kind == "contact" and action.title == "Email Your County Council Member"
    assert action.contacts == [Contact(
        "Rosa Delgado-Whitcomb", "Council Member", "rosa.delgado-whitcomb@cascadecounty.gov", True,
        "1800 Courthouse Square - Third Floor, Mount Alder, WA 98273", "(360) 555-0198", "")]
    assert action.letter == Letter(
        ["Ask the council to hear the town's appeal.",
         "Mention the coho runs and the water intake."],
        "Please send the Cedar Creek mine permit back for an independent review of flood risk "
        "to the Alder Falls water supply.")
    assert len(action.items) == 8


def test_separate_lines_organizations_event_and_share():
    found = actions(fixture("creek-separate-lines.txt"))
    assert found[2].kind == "organizations"
    assert found[2].organizations == [
        Organization("Cedar Creek Stewards",
                     "Volunteers who measure the creek's turbidity every month.",
                     "https://cedarcreekstewards.org"),
        Organization("Alder Falls Water Watch",
                     "A residents' group that has followed the permit since 2024.", ""),
    ]
    assert found[3].event == Event("Public comment on the appeal", "Tuesday, October 6, at 7 PM",
                                   "Council Chambers, 1800 Courthouse Square", False)
    assert found[4].kind == "share" and found[4].hashtags == ["CedarCreekWater", "ProtectTheIntake"]


def test_uk_mps_and_councillors_with_postcodes():
    article = fixture("uk-maternity-unit.txt")
    found = actions(article)
    assert found[1].kind == "petition"
    assert found[1].text == "Add your name before the consultation opens."
    assert found[2].kind == "contact"
    people = [(c.office, c.name, c.email_verified, c.address, c.phone) for c in found[2].contacts]
    assert people == [
        ("MP", "Helen Achterberg", True, "House of Commons, London SW1A 0AA", ""),
        ("MP", "Daniel Okafor", True, "14 Market Place, Kelby, North Dales KB4 7QT",
         "01632 960 412"),
        ("Cllr", "Priya Raman", False, "Council Offices, Station Road, Ashwick AW2 3LP", ""),
        ("Councillor", "Tom Hebblethwaite", False, "7 Chapel Row, Hartmoor HM1 2DD", ""),
    ]
    assert found[2].contacts[2].note == "to be confirmed"
    assert found[2].contacts[0].email == "helen.achterberg.mp@parliament.uk"


def test_uk_event_and_hashtags_deduplicated_in_order():
    found = actions(fixture("uk-maternity-unit.txt"))
    assert found[3].event == Event("", "Saturdays in July, 10am to 1pm",
                                   "Hartmoor Community Centre, Mill Lane, HM1 4BX", False)
    assert found[4].hashtags == ["SaveHartmoorBirths", "HartmoorMaternity"]


def test_no_marker_fixture_actions():
    found = actions(fixture("lot-rent-no-marker.txt"))
    assert (found[1].kind, found[1].contacts, found[1].letter) == ("contact", [], None)
    assert found[2].kind == "event"
    assert found[2].event.what == "Sign up online to speak for two minutes on February 2."


@pytest.mark.parametrize("byline, source, note", [
    ("Daily Post -- June 4, 2026, 9:00 UTC", "Daily Post", None),
    ("Daily Post — June 4, 2026, 9:00 UTC", "Daily Post", "the byline is split by '—', not '--'"),
    ("Daily Post – June 4, 2026, 9:00 UTC", "Daily Post", "the byline is split by '–', not '--'"),
    ("Leaders met — and agreed on nothing.", "", "no 'source -- date' line after the headline"),
])
def test_byline_dashes(byline, source, note):
    article = read_article(f"Headline\n{byline}\nNews.")
    assert article.source == source
    notes = [n for n in article.report.notes if "byline" in n or "source -- date" in n]
    assert notes == ([note] if note else [])
    assert article.paragraphs == (["News."] if source else [byline, "News."])


def test_crlf_bom_and_tabs_read_the_same():
    text = (ARTICLES / "transit-one-line-items.txt").read_text(encoding="utf-8")
    messy = "\ufeff" + "\r\n".join("\t" + line + " \t" for line in text.splitlines()) + "\r\n"
    assert read_article(messy) == read_article(text)


def test_the_result_is_plain_json():
    for path in ARTICLES.glob("*.txt"):
        data = json.loads(json.dumps(to_json(read_article(path.read_text(encoding="utf-8")))))
        assert data["headline"] and isinstance(data["sections"], list)
    assert to_json(fixture("uk-maternity-unit.txt"))["published_at"] == "2026-06-04T10:05:00+01:00"


def test_the_project_sample_reads_cleanly():
    article = read_article(SAMPLE.read_text(encoding="utf-8"))
    found = actions(article)
    assert article.report.problems == [] and article.published_at is not None
    assert [found[n].kind for n in range(1, 6)] == ["petition", "letter", "share", "organizations",
                                                    "event"]
    assert found[3].hashtags == ["SaveOurLibraries", "LibrariesWork"]


# ---- the real example beside the repository --------------------------------------------------

@pytest.fixture
def example() -> tuple[str, ImportedArticle]:
    text = shared_example().read_text(encoding="utf-8")
    return text, read_article(text)


def test_example_header(example):
    text, article = example
    first, second = text.splitlines()[:2]
    assert article.headline == first
    assert article.source == "thedefensepost.com"
    assert article.published_text == second.split(" -- ")[1]
    assert article.published_at == datetime(2025, 8, 16, 13, 28, 40, tzinfo=tz(-4))
    assert article.published_at.isoformat() == "2025-08-16T13:28:40-04:00"
    assert len(article.categories) == 3 and "–" in article.categories[0]
    assert article.commentary[0].startswith("The proposed security guarantees")
    assert article.report.problems == [] and article.report.notes == []


def test_example_sections_and_actions(example):
    text, article = example
    assert [len(s.actions) for s in article.sections] == [3, 7]
    kinds = [a.kind for a in article.sections[1].actions]
    assert kinds == ["petition", "contact", "letter", "organizations", "share", "event", "host"]
    assert article.sections[0].actions[1].number == 2  # two actions shared one line
    assert article.closing == text.splitlines()[-1]


def test_example_contacts_letter_groups_hashtags_events(example):
    text, article = example
    found = actions(article)
    warren, omar = found[2].contacts
    assert (warren.office, warren.name, omar.office, omar.name) == (
        "Senator", "Elizabeth Warren", "Representative", "Ilhan Omar")
    assert not warren.email_verified and not omar.email_verified
    assert warren.email.endswith("@warren.senate.gov") and omar.email.endswith("@mail.house.gov")
    assert warren.address.endswith("Boston, MA 02203")
    assert omar.address.endswith("Washington, D.C. 20515")
    quoted = re.search(r"Example: “(.+?)”", text).group(1)
    assert found[3].letter.example == quoted
    names = [group.name for group in found[4].organizations]
    assert names == ["International Crisis Group", "Peace Action"]
    assert all(g.description for g in found[4].organizations)
    assert found[5].hashtags == ["PeaceForUkraine", "DiplomacyFirst"]
    assert found[6].event.host is False and found[6].event.what
    assert found[7].kind == "host" and found[7].event.host is True
    assert len(found[1].petition_titles) == 2


# ---- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("printed, expected", [
    ("Saturday, August 16, 2025, 1:28:40 PM Eastern Daylight Time",
     datetime(2025, 8, 16, 13, 28, 40, tzinfo=tz(-4))),
    ("Tuesday, January 6, 2026, 12:05 AM Eastern Standard Time",
     datetime(2026, 1, 6, 0, 5, tzinfo=tz(-5))),
    ("Tuesday, January 6, 2026, 12:05 PM Mountain Standard Time",
     datetime(2026, 1, 6, 12, 5, tzinfo=tz(-7))),
    ("January 6, 2026, 3:00 pm PST", datetime(2026, 1, 6, 15, 0, tzinfo=tz(-8))),
    ("Jan. 6, 2026 at 3:00 p.m. CDT", datetime(2026, 1, 6, 15, 0, tzinfo=tz(-5))),
    ("Thursday, 4 June 2026, 10:05:00 BST", datetime(2026, 6, 4, 10, 5, tzinfo=tz(1))),
    ("4 June 2026 10:05 Greenwich Mean Time", datetime(2026, 6, 4, 10, 5, tzinfo=tz(0))),
    ("June 4, 2026, 22:05 UTC", datetime(2026, 6, 4, 22, 5, tzinfo=tz(0))),
    ("June 4, 2026, 22:05 GMT+2", datetime(2026, 6, 4, 22, 5, tzinfo=tz(2))),
    ("June 4, 2026, 9:05 AM (EDT)", datetime(2026, 6, 4, 9, 5, tzinfo=tz(-4))),
    ("2026-06-04T10:05:00+01:00", datetime(2026, 6, 4, 10, 5, tzinfo=tz(1))),
])
def test_dates_with_a_zone(printed, expected):
    stamp, why = parse_published(printed)
    assert (stamp, why) == (expected, "")
    assert stamp.utcoffset() == expected.utcoffset()


def test_generic_zone_names_follow_daylight_saving():
    summer, _ = parse_published("July 1, 2026, 9:00 AM Eastern Time")
    winter, _ = parse_published("January 1, 2026, 9:00 AM Eastern Time")
    assert summer.utcoffset() == timedelta(hours=-4) and winter.utcoffset() == timedelta(hours=-5)
    london, _ = parse_published("July 1, 2026, 9:00 Europe/London")
    assert london.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("printed, reason", [
    ("Sunday, November 1, 2026, 9:00:00 PM IST", "unknown time zone"),
    ("Sunday, November 1, 2026, 9:00:00 PM Lunar Standard Time", "unknown time zone"),
    ("Sunday, November 1, 2026, 9:00:00 PM Mars/Olympus", "unknown time zone"),
    ("Sunday, November 1, 2026, 9:00:00 PM", "no time zone"),
    ("2026-11-01T21:00:00", "no time zone"),
    ("last Tuesday, around lunch", "could not read"),
    ("February 30, 2026, 9:00 AM EST", "does not exist"),
    ("Smarch 3, 2026, 9:00 AM EST", "does not exist"),
    ("June 4, 2026, 13:00 PM EST", "does not exist"),
    ("Monday, August 16, 2025, 1:28 PM EDT", "weekday"),
    ("", "could not read"),
])
def test_dates_that_are_not_read(printed, reason):
    stamp, why = parse_published(printed)
    assert stamp is None and reason in why


# ---- markers, items and contacts in small pieces ---------------------------------------------

@pytest.mark.parametrize("line, commentary", [
    ("Sign Our Petition", []),
    ("sign our petition now", []),
    ("**Sign the Petition**", []),
    ("Sign the petition:", []),
    ("Sign our petition: It matters.", ["It matters."]),
    ("Sign the petitionLibraries are open.", ["Libraries are open."]),
    ("Sign Our Petition“Quoted start”", ["“Quoted start”"]),
])
def test_marker_variants(line, commentary):
    article = read_article(f"Headline\nSrc -- June 4, 2026, 9:00 UTC\nNews.\n{line}\n")
    assert article.paragraphs == ["News."] and article.commentary == commentary


@pytest.mark.parametrize("line", [
    "Sign our petition to save the park, she told the crowd.",
    "Sign the petitions that matter.",
    "Sign our petitionnow please",
    "They said: Sign the petition.",
])
def test_sentences_that_are_not_markers(line):
    article = read_article(f"Headline\nSrc -- June 4, 2026, 9:00 UTC\n{line}\n")
    assert article.paragraphs == [line] and article.commentary == []


@pytest.mark.parametrize("line, items", [
    ("1. **Go**: Meet at 15 New Harbor St - Boston at noon.",
     []),
    ("1. **Go**: - **Where**: Room 4 - East Wing, Town Hall - **When**: noon",
     [Item("Where", "Room 4 - East Wing, Town Hall"), Item("When", "noon")]),
    ("1. **Go**: - Visit Washington, D.C. - Bring water.",
     [Item("", "Visit Washington, D.C. - Bring water.")]),
    ("1. **Go**: - Say hello. - Say goodbye. - Note: be kind",
     [Item("", "Say hello."), Item("", "Say goodbye."), Item("Note", "be kind")]),
    ("1. **Go**: - A well-known, long-standing half-day event",
     [Item("", "A well-known, long-standing half-day event")]),
    ("1. **Go**: • First • **Second**: two",
     [Item("", "First"), Item("Second", "two")]),
])
def test_hyphens_in_prose_are_not_item_bullets(line, items):
    action = one_section(line).sections[0].actions[0]
    assert action.items == items


@pytest.mark.parametrize("title, kind", [
    ("Sign the Petition", "petition"),
    ("Share the Petition", "share"),
    ("Write to Your MP About the Petition", "contact"),
    ("Call Your Senators", "contact"),
    ("Write Letters", "letter"),
    ("Donate to Local Shelters", "organizations"),
    ("Support NGOs", "organizations"),
    ("Use the Hashtags", "share"),
    ("Join the Rally", "event"),
    ("Attend the Town Hall", "event"),
    ("Host a Community Discussion", "host"),
    ("Organize a Teach-In", "host"),
    ("Organise a street meetup", "host"),
    ("Learn More", "text"),
])
def test_kind_from_the_title(title, kind):
    action = one_section(f"1. **{title}**: Do it.").sections[0].actions[0]
    assert action.kind == kind
    assert (action.event is not None) == (kind in ("event", "host"))
    assert action.event is None or action.event.host == (kind == "host")


@pytest.mark.parametrize("items, kind", [
    ("- **Jo Bo MP**: - Email: jo@parl.uk", "contact"),
    ("- **What to Say**: - Be brief.", "letter"),
    ("- Use #OneTag", "share"),
    ("- **Organizations to Consider**: - **Group A**: helps", "organizations"),
    ("- Be kind.", "text"),
])
def test_kind_from_the_items_when_the_title_says_nothing(items, kind):
    assert one_section(f"1. **Do Something**: {items}").sections[0].actions[0].kind == kind


def test_organizations_with_a_dash_after_the_name_and_links_in_different_places():
    action = one_section(
        "1. **Support Groups**: - **One** - Helps. - **Two**: Helps too, see www.two.org today."
        " - **Three**: Helps a lot: https://three.org/join.").sections[0].actions[0]
    assert action.organizations == [
        Organization("One", "Helps.", ""),
        Organization("Two", "Helps too, see www.two.org today.", "www.two.org"),
        Organization("Three", "Helps a lot", "https://three.org/join"),
    ]


@pytest.mark.parametrize("example, text", [
    ("“Curly.”", "Curly."), ('"Straight."', "Straight."), ("'Single.'", "Single."),
    ("‘Single curly.’", "Single curly."), ("No quotes.", "No quotes."),
    ("“Quoted” and then more", "“Quoted” and then more"),
])
def test_letter_example_without_its_quotes(example, text):
    action = one_section(f"1. **Write Letters**: - Example: {example}").sections[0].actions[0]
    assert action.letter == Letter([], text)


def test_numbered_actions_on_one_line_only_in_sequence():
    article = one_section("1. **One**: Read item 3. **Not an action** here. 2. **Two**: text")
    assert [(a.number, a.title) for a in article.sections[0].actions] == [(1, "One"), (2, "Two")]
    assert article.sections[0].actions[0].text == "Read item 3. Not an action here."


@pytest.mark.parametrize("label, office, name", [
    ("Senator Jane Doe", "Senator", "Jane Doe"),
    ("Representative Ana de la Cruz", "Representative", "Ana de la Cruz"),
    ("MP Jane Smith", "MP", "Jane Smith"),
    ("Jane Smith MP", "MP", "Jane Smith"),
    ("Cllr Sam Patel", "Cllr", "Sam Patel"),
    ("Mayor Lena Ortiz", "Mayor", "Lena Ortiz"),
    ("Governor Amy Chen", "Governor", "Amy Chen"),
    ("Office of Neighbourhood Services", "", "Office of Neighbourhood Services"),
])
def test_contact_office_and_name(label, office, name):
    article = one_section(f"1. **Contact them**: - **{label}**: - Email: someone@town.gov")
    contact = article.sections[0].actions[0].contacts[0]
    assert (contact.office, contact.name, contact.email, contact.email_verified) == (
        office, name, "someone@town.gov", True)


@pytest.mark.parametrize("label", ["Your Senators", "Senators in your state", "Sample Contacts"])
def test_labels_that_are_not_contacts(label):
    article = one_section(f"1. **Contact them**: - **{label}**: look them up")
    assert article.sections[0].actions[0].contacts == []


@pytest.mark.parametrize("email_text, verified, note", [
    ("jo@town.gov", True, ""),
    ("jo@town.gov (replace with the actual email found online)", False,
     "replace with the actual email found online"),
    ("jo@example.com", False, ""),
    ("jo@town.gov - placeholder", False, "placeholder"),
    ("TBC", False, "TBC"),
    ("jo@town.gov (to be confirmed)", False, "to be confirmed"),
])
def test_placeholder_emails_are_not_verified(email_text, verified, note):
    article = one_section(
        f"1. **Email**: - **Mayor Jo Park**: Email: {email_text}, Phone: 555 0100")
    contact = article.sections[0].actions[0].contacts[0]
    assert (contact.email_verified, contact.note, contact.phone) == (verified, note, "555 0100")


def test_contact_parts_on_separate_lines_and_one_line_agree():
    one_line = one_section(
        "1. **Call**: - **MP Ann Lee**: - Email: ann@parl.uk - Phone: 020 7946 0000")
    separate = one_section("1. **Call**:", "- **MP Ann Lee**:", "  - Email: ann@parl.uk",
                           "  - Phone: 020 7946 0000")
    assert one_line.sections == separate.sections


# ---- whatever the text, an article and an honest report --------------------------------------

MARKER_END = re.compile(r"(?i)(?<=petition)|(?<=now)|(?<=here)|(?<=today)")


def words_of(line: str) -> list[str]:
    """The words of a line as the reader keeps them (digits without their leading zeros)."""
    # A marker run into the text splits a word in two: "PetitionThe" is "Petition" + "The".
    words = [part for word in re.findall(r"\w+", line)
             for part in MARKER_END.split(word) if part]
    return [(w.lstrip("0") or "0") if w.isascii() and w.isdigit() else w for w in words]


def strings_of(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_of(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_of(item)]
    return [str(value)] if value is not None else []


CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")


def assert_accounts_for_every_line(text: str, article: ImportedArticle) -> None:
    """Every word of every line is in the result or a reported problem; nothing unsafe is kept."""
    assert isinstance(article, ImportedArticle)
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))  # a BOM is not a line
    assert article.report.lines == len(lines) - (lines[-1] == "")
    data = to_json(article)
    everything = "\n".join(strings_of(data))
    kept = everything.casefold()
    known = {word.casefold() for word in words_of(everything)}  # a set first: huge lines are slow
    for number, line in enumerate(lines, start=1):
        # Words as the reader sees them: a control character inside a word is dropped, so
        # "P\x1fetitionThe" is the marker "Petition" run into "The".
        for word in words_of(CONTROLS.sub("", line)):
            assert word.casefold() in known or word.casefold() in kept, (number, word)
    for problem in article.report.problems:
        assert 1 <= problem.line <= article.report.lines and problem.reason
    assert "\x00" not in everything and "\r" not in everything
    assert article.published_at is None or article.published_at.tzinfo is not None
    assert all(a.kind in KINDS for s in article.sections for a in s.actions)


@pytest.mark.parametrize("text", [
    "", "\n", "\ufeff", "Only a headline", "\x00\x00\x00", "###", "### A\n### B\n#### C",
    "H\nS -- x\n### T\n1. **Unclosed: text - **Also: more\n2. plain title: body",
    "H\r\nS -- June 4, 2026, 9:00 UTC\r\n\tNews\twith tabs\r\n",
    "H\nS\n- an item\n1. **A**: b",
    "H\nS -- d\n### T\nIntro text before any action\n- stray item\n1. **A**: - **B**: c\nEnd",
    "H\nS -- d\nCategories: a, b\nNews\nCategories: c\n",
    "1. **Headline as action**: x\n2. **B**: y",
    "\x85\u2028\x0c weird separators \x1e",
    "H\nS -- d\nSign Our P\x1fetitionThe marker broken by a control character",
])
def test_odd_texts(text):
    article = read_article(text)
    assert_accounts_for_every_line(text, article)


def test_odd_texts_are_reported():
    article = read_article(
        "H\nS -- d\n### T\nIntro text before any action\n- stray item\n1. **A**: b\n")
    assert [(p.line, p.reason) for p in article.report.problems] == [
        (4, "text under a heading before any numbered action"),
        (5, "an item before any numbered action")]
    article = read_article("H\nS -- d\nCategories: a, b\nNews\nCategories: c\n")
    assert article.categories == ["a", "b"]
    assert [(p.line, p.text) for p in article.report.problems] == [(5, "Categories: c")]
    assert "removed 3 control characters" in read_article("H\x00\x00\nS\x01").report.notes


def test_huge_lines_are_read_in_time():
    bulk = " - **A**: x 1. **B**: “y - z" * 20_000 + " #tag" * 20_000 + " " + "a@b" * 20_000
    text = f"H\nS -- d\nSign the petition\n### T\n1. **Go**: {bulk}\n{'-' * 200_000}\n"
    article = read_article(text)
    assert article.sections[0].actions[0].hashtags == ["tag"]
    assert_accounts_for_every_line(text, article)


FRAGMENTS = [
    "Headline", "Src -- Saturday, August 16, 2025, 1:28:40 PM Eastern Daylight Time",
    "Categories: a–b, c & d", "Sign Our Petition", "Sign the petitionThe", "### ", "## Section",
    "1. **Title**:", " 2. **Next**:", "- **Label**:", " - ", "- Email: a@b.org",
    "Address: 1 Main St",
    "(replace with the actual email)", "**", "“", "”", '"', "#Tag", "Senator Jane Doe", "MP Jo Bo",
    "Example: “hi”", "What to Say", "\r\n", "\n", "\t", "\x00", "\ufeff", "text", " ", "0", "007.",
]
structured = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=40).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=400), structured))
def test_any_text_gives_an_article_that_accounts_for_every_line(text):
    assert_accounts_for_every_line(text, read_article(text))


FIXTURE_TEXTS = sorted(p.read_text(encoding="utf-8") for p in ARTICLES.glob("*.txt"))


@st.composite
def mutated_fixture(draw) -> str:
    """A fixture with lines deleted, duplicated or shuffled and characters inserted."""
    lines = draw(st.sampled_from(FIXTURE_TEXTS)).splitlines()
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["delete", "duplicate", "insert", "swap"]))
        if change == "delete":
            del lines[index]
        elif change == "duplicate":
            lines.insert(index, lines[index])
        elif change == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            at = draw(st.integers(0, len(lines[index])))
            extra = draw(st.sampled_from(FRAGMENTS) | st.characters())
            lines[index] = lines[index][:at] + extra + lines[index][at:]
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    return "\n".join(lines)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_fixture())
def test_mutated_fixtures_give_an_article_that_accounts_for_every_line(text):
    assert_accounts_for_every_line(text, read_article(text))
