"""The drafted ask: title, target and petition text proposed from an article's parts by plain rules."""
import pytest

from campaign.articles import read_article
from campaign.campaigns import drafting
from campaign.campaigns.drafting import draft_ask
from tests.helpers import FIXTURES, shared_example

ARTICLES = FIXTURES / "articles"


def _draft(name: str) -> drafting.Draft:
    return draft_ask(read_article((ARTICLES / name).read_text(encoding="utf-8")))


# (fixture, title, target, the petition text's first sentence, where the title came from)
EXPECTED = [
    ("transit-one-line-items.txt", "Keep Night Buses Running",
     "the Transit Board, State Senators and Representatives",
     "We call on the Transit Board, State Senators and Representatives to keep night buses running.",
     "action 1 'Sign the Petition', petition title 'Keep Night Buses Running'"),
    ("creek-separate-lines.txt",
     "Send the Cedar Creek mine permit back for an independent review of flood risk",
     "County Council Member Rosa Delgado-Whitcomb",
     ("We call on County Council Member Rosa Delgado-Whitcomb to send the Cedar Creek mine permit back "
      "for an independent review of flood risk."),
     "action 1 'Email Your County Council Member', example letter"),
    ("lot-rent-no-marker.txt", "Support the lot-rent cap before the hearing", "State Representatives",
     "We call on State Representatives to support the lot-rent cap before the hearing.",
     "action 1 'Call Your State Representative', its text"),
    ("uk-maternity-unit.txt", "Keep Births in Hartmoor", "MPs and Councillors",
     "We call on MPs and Councillors to keep births in Hartmoor.",
     "the headline (moving X from A: keep X in A)"),
    ("city-council-library-hours.txt", "Restore Sunday Hours", "the Fairhaven City Council",
     "We call on the Fairhaven City Council to restore Sunday hours.",
     "action 1 'Sign the Petition to the Fairhaven City Council', item 'Petition to Restore Sunday Hours'"),
    ("uk-bus-station-one-mp.txt", "Keep the Quayside bus station open as a staffed station",
     "Joanna Pellow MP",
     "We call on Joanna Pellow MP to keep the Quayside bus station open as a staffed station.",
     "action 1 'Write to Your MP', example letter"),
    ("clinic-no-petition.txt", "Save the Eastside Walk-In Clinic", "County Commissioners",
     "We call on County Commissioners to save the Eastside walk-in clinic.",
     "the headline (ending X: save X)"),
]


@pytest.mark.parametrize(("name", "title", "target", "opening", "title_source"), EXPECTED,
                         ids=[row[0] for row in EXPECTED])
def test_each_fixture_drafts_an_ask_a_target_and_a_statement(name, title, target, opening, title_source):
    draft = _draft(name)
    assert (draft.title.value, draft.title.source) == (title, title_source)
    assert draft.target.value == target
    assert draft.petition_text.value.startswith(opening)
    headline = read_article((ARTICLES / name).read_text(encoding="utf-8")).headline
    assert draft.title.value.casefold() != headline.casefold()
    assert len(draft.title.value) <= drafting.TITLE_MAX and "\n" not in draft.title.value


def test_every_fixture_is_drafted_or_says_why_not():
    names = sorted(path.name for path in ARTICLES.glob("*.txt"))
    assert {row[0] for row in EXPECTED} | {"night-flights-no-actions.txt"} == set(names)
    for name in names:
        draft = _draft(name)
        for field in (draft.title, draft.target, draft.petition_text):
            assert field.source, (name, field)
            assert len(field.value) <= drafting.PETITION_MAX


def test_an_article_without_actions_drafts_nothing_and_says_so():
    draft = _draft("night-flights-no-actions.txt")
    assert [draft.title.value, draft.target.value, draft.petition_text.value] == ["", "", ""]
    assert draft.title.source.startswith("No ask found")
    assert draft.target.source.startswith("No official or body is named")
    assert draft.petition_text.source.startswith("No ask or statement found")


def test_the_statement_gathers_the_petition_and_letter_points():
    draft = _draft("uk-bus-station-one-mp.txt")
    assert draft.petition_text.value == (
        "We call on Joanna Pellow MP to keep the Quayside bus station open as a staffed station. "
        "We are concerned about losing the district's only staffed travel desk. "
        "The station is the only warm, dry place to wait for the coast coaches.")
    # The letter's personal line ("I take the number 6...") and "Say which route" are left out.
    assert "number 6" not in draft.petition_text.value and "route" not in draft.petition_text.value
    assert "action 1 'Write to Your MP', what to say" in draft.petition_text.source
    library = _draft("city-council-library-hours.txt").petition_text.value
    assert library.endswith("We ask for Sunday hours to stay in next year's budget.")


def test_several_officials_make_an_office_target_not_a_person():
    """Two MPs and two councillors: the target names the offices; sample officials never a person."""
    assert _draft("uk-maternity-unit.txt").target.value == "MPs and Councillors"
    transit = _draft("transit-one-line-items.txt").target
    assert "Vance" not in transit.value and "Lindqvist" not in transit.value
    assert "names the Transit Board" in transit.source


def test_the_shared_example_leads_with_an_ask_to_offices():
    draft = draft_ask(read_article(shared_example().read_text(encoding="utf-8")))
    assert draft.title.value == "Promote Peace in Ukraine"
    assert "petition title 'Promote Peace in Ukraine'" in draft.title.source
    assert draft.target.value == "Representatives and Senators"  # the named ones are only samples
    text = draft.petition_text.value
    assert text.startswith("We call on Representatives and Senators to promote peace in Ukraine. ")
    assert "We also ask them to support diplomatic solutions in Eastern Europe." in text
    assert "Change.org" not in text and "Search for" not in text


HEADER = "Source -- Monday, March 1, 2027, 9:00 AM EST\n\nA paragraph of news.\n"


@pytest.mark.parametrize(("headline", "title"), [
    ("Budget Would Cut Night Classes at Two Colleges", "Save Night Classes at Two Colleges"),
    ("Board Votes to Eliminate Crossing Guards", "Save Crossing Guards"),
    ("Trust Plans Moving Stroke Care from Eastbury to Kingsford", "Keep Stroke Care in Eastbury"),
    ("Mayor Opens New Bridge", ""),  # nothing to keep or save: no guess
])
def test_headline_rules(headline, title):
    assert draft_ask(read_article(f"{headline}\n{HEADER}")).title.value == title


@pytest.mark.parametrize(("phrase", "words", "expected"), [
    ("Keep Night Buses Running", {"night", "buses", "running"}, "keep night buses running"),
    ("Protect Lake Ossa Wetlands", {"wetlands"}, "protect Lake Ossa wetlands"),
    ("Fund NHS Dentistry", {"dentistry", "nhs"}, "fund NHS dentistry"),
])
def test_sentence_case_keeps_the_names_the_article_capitalizes(phrase, words, expected):
    assert drafting.sentence_case(phrase, words) == expected


def test_a_long_ask_is_cut_at_a_clause():
    text = ("Lanes Plan\n" + HEADER + "### Act\n1. **Write a Letter**: - **What to Say**: - x - **Example**: "
            "\"Please restore the weekend ferry timetable for island residents and visiting families "
            "before the summer season begins in June.\"\n")
    title = draft_ask(read_article(text)).title.value
    assert title == "Restore the weekend ferry timetable for island residents and visiting families"
