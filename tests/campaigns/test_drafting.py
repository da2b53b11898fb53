"""The drafted ask: title, target and petition text proposed from an article's parts by plain rules."""
import dataclasses

import pytest

from campaign.articles import read_article
from campaign.campaigns import drafting, fallback_asks
from campaign.campaigns.ask_phrases import TITLE_MAX
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
    # T4 and T5: articles without a petition action, or with no action at all.
    ("river-sewage-contact-title.txt", "Stop the Spills", "the Environment Agency",
     "We call on the Environment Agency to stop the spills.",
     "action 1 'Urge the Environment Agency to Stop the Spills', its title"),
    ("school-nurses-commentary-must.txt",
     "Fund a nurse in every public school before the next school year begins", "",
     "Fund a nurse in every public school before the next school year begins.",
     "the commentary, 'Lawmakers must fund a nurse in every public scho…'"),
    ("hospital-we-want.txt", "Commit to a 24-hour emergency department at Kelby", "the Hospital Board",
     "We call on the Hospital Board to commit to a 24-hour emergency department at Kelby.",
     "the commentary, 'We want a 24-hour emergency department at Kelby,…'"),
    ("night-flights-no-actions.txt", "Commit to a full night-time ban between 11 p.m. and 6 a.m.", "",
     "Commit to a full night-time ban between 11 p.m. and 6 a.m.",
     "the commentary, 'We want a full night-time ban between 11 p.m. an…'"),
    ("lead-pipes-call-only.txt", "Tell City Council Members to act on the lead pipe replacement",
     "City Council Members", "We call on City Council Members to act on the lead pipe replacement.",
     ("a last resort from the headline: what the headline's actor acts on, after 'Delays'; "
      "the drafted target")),
    ("border-drones-no-actions.txt",
     "Ask your representatives to act on the bill to expand drone surveillance", "",
     "We call on our representatives to act on the bill to expand drone surveillance.",
     ("a last resort from the headline: what the headline's actor acts on, after 'Advances'; "
      "no target named")),
    ("council-parking-no-actions.txt",
     "Ask your representatives to act on the 40% rise in town centre parking charges", "",
     "We call on our representatives to act on the 40% rise in town centre parking charges.",
     ("a last resort from the headline: what the headline's actor acts on, after 'Approves'; "
      "no target named")),
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
    assert len(draft.title.value) <= TITLE_MAX and "\n" not in draft.title.value


def test_every_fixture_is_drafted_or_says_why_not():
    names = sorted(path.name for path in ARTICLES.glob("*.txt"))
    assert {row[0] for row in EXPECTED} == set(names)
    for name in names:
        draft = _draft(name)
        assert draft.title.found, name  # a title is always an ask, never the headline kept
        for field in (draft.title, draft.target, draft.petition_text):
            assert field.source, (name, field)
            assert len(field.value) <= drafting.PETITION_MAX


def test_an_article_without_actions_gets_an_ask_but_no_target():
    draft = _draft("border-drones-no-actions.txt")
    assert draft.title.value.startswith("Ask your representatives to act on ")
    assert draft.title.source.startswith(fallback_asks.LAST_RESORT)
    assert draft.target.value == "" and draft.target.source.startswith("No official or body is named")
    # The petition text calls on the representatives; it does not tell the signer to ask them.
    assert draft.petition_text.value.startswith("We call on our representatives to act on ")
    # The commentary's "should not follow anyone home" is no ask: nothing is drafted from it.
    assert "follow" not in draft.title.value


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
    # Nothing to keep or save: the last resort, about what the mayor opens.
    ("Mayor Opens New Bridge", "Ask your representatives to act on the new bridge"),
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


def _titled(headline: str, after: str = "") -> drafting.Drafted:
    return draft_ask(read_article(f"{headline}\n{HEADER}{after}")).title


@pytest.mark.parametrize(("sentence", "title"), [
    ("The council should reopen the Elm Street pool this summer.", "Reopen the Elm Street pool this summer"),
    ("Ministers must now fund school meals for every child in poverty.",
     "Fund school meals for every child in poverty"),
    ("We are asking the trust to publish the inspection reports it holds.",
     "Publish the inspection reports it holds"),
    ("We need safe crossings outside every primary school, and soon.",
     "Commit to safe crossings outside every primary school"),
    (("We want the county to keep the ferry running through the winter months, every day of the week, "
      "with a late sailing on Fridays."), "Keep the ferry running through the winter months"),
])
def test_an_ask_in_the_commentary(sentence, title):
    drafted = _titled("Mayor Opens New Bridge", f"Sign the petition\n{sentence}\n")
    assert drafted.value == title
    assert drafted.source.startswith("the commentary, '")


@pytest.mark.parametrize("sentence", [
    "A park should not become a car park.",  # a negation says what not to do
    "The board must think we will not notice.",  # "think" is no ask
    "Residents need to know what is in their water.",
])
def test_commentary_that_asks_nothing_leaves_the_last_resort(sentence):
    drafted = _titled("Mayor Opens New Bridge", f"Sign the petition\n{sentence}\n")
    assert drafted.value == "Ask your representatives to act on the new bridge"


@pytest.mark.parametrize(("action", "title"), [
    ("1. **Tell the Mayor to Halt the Fare Rise**: - **Mayor's Office**: - Email: mayor@city.example.gov",
     "Halt the Fare Rise"),
    ("1. **Protect the Meadow**: Write to the planning committee before Friday.", "Protect the Meadow"),
    ("1. **Keep in Touch**: We send news every month.", ""),  # asks the reader, not the target
    ("1. **Support Local Groups**: - **Friends of the Meadow**: Volunteers.", ""),
    ("1. **Email the Planners**: Free advice is on offer at the library.", ""),  # no lead: no ask
])
def test_an_ask_in_another_action(action, title):
    drafted = _titled("Mayor Opens New Bridge", f"### Act\n{action}\n")
    if title:
        assert drafted.value == title and "its title" in drafted.source
    else:
        assert drafted.source.startswith(fallback_asks.LAST_RESORT)


@pytest.mark.parametrize(("headline", "title"), [
    ("Water Bills to Rise 20% Next Year, Says Regulator", "Ask your representatives to act on water bills"),
    ("Measles Cases Climb in Three Counties as Vaccination Rates Fall",
     "Ask your representatives to act on measles cases"),
    ("Governor Signs Law Letting Landlords Raise Deposits - Reuters",
     "Ask your representatives to act on the law letting landlords raise deposits"),
    ("State Senate Passes Sweeping Changes to Voter ID Rules | Capitol Wire",
     "Ask your representatives to act on the sweeping changes to voter ID rules"),
    ("County Commission Approves Landfill Expansion Near Elm Creek: Report",
     "Tell the County Commission to act on the landfill expansion near elm creek"),
    ("City Council Votes to Sell Riverside Park to a Developer",
     "Tell the City Council to act on the plan to sell riverside park to a developer"),
    (("Transport Authority Postpones Its Long-Awaited Decision on the Future of the Northern Rail Line "
      "Between Ashby and Coldwater Until After the Election"),
     "Tell the Transport Authority to act on the northern rail line"),  # cut at a clause
    ("Opinion: Pesticide Spraying Near Schools", "Ask your representatives to act on pesticide spraying near schools"),
    ("Hospital Waiting Lists Are Longer Than Ever", "Ask your representatives to act on hospital waiting lists"),
    ("Analysis: Town Council Has No Plan for Flooded Homes",
     "Act on the news that town council has no plan for flooded homes"),  # a state: never cut
])
def test_the_last_resort_asks_about_the_headline_without_its_attribution(headline, title):
    drafted = _titled(headline)
    assert drafted.value == title
    assert drafted.source.startswith(fallback_asks.LAST_RESORT)
    assert not any(word in drafted.value for word in ("Reuters", "Regulator", "Capitol Wire", "Report", "Opinion"))


@pytest.mark.parametrize("headline", [
    ("Regional Transport Authority Postpones Its Long-Awaited Decision on the Future of the Northern Rail "
     "Line Between Ashby and Coldwater Until After the Election"),
    ("Residents Living Near the Old Smelter Site in the Eastern Industrial Quarter of the City Have Waited "
     "Eleven Years for a Clean-Up"),
    "Unprecedented",
    "",
])
def test_the_last_resort_is_a_short_sentence_never_the_headline(headline):
    article = dataclasses.replace(read_article(f"A headline\n{HEADER}"), headline=headline)
    drafted = draft_ask(article).title
    words = drafted.value.split()
    assert drafted.found and len(drafted.value) <= TITLE_MAX
    assert drafted.value.casefold() != headline.casefold()
    assert words[0] in ("Tell", "Ask", "Act")
    assert words[-1].lower() not in ("of", "the", "and", "to", "a", "in", "on", "for", "between")
