"""Letters greet an office holder by office and family name: "Dear Senator Klobuchar"."""
from __future__ import annotations

import pytest

from campaign.representatives.greetings import family_name, greeting, greeting_to, title_for


@pytest.mark.parametrize(("name", "family"), [
    ("Amy Klobuchar", "Klobuchar"),
    ("Robert P. Casey Jr.", "Casey"),
    ("Robert P. Casey, Jr.", "Casey"),
    ("Martin Luther King III", "King"),
    ("Chris Van Hollen", "Van Hollen"),
    ("Rosa de la Cruz", "de la Cruz"),
    ("Ludwig von Mises", "von Mises"),
    ("Alexandria Ocasio-Cortez", "Ocasio-Cortez"),
    ("  Cher  ", "Cher"),
    ("Van Morrison", "Morrison"),  # a first name that looks like a particle stays a first name
    ("", ""),
])
def test_family_name(name, family):
    assert family_name(name) == family


@pytest.mark.parametrize(("title", "name", "greets"), [
    ("Senator", "Amy Klobuchar", "Dear Senator Klobuchar,"),
    ("Representative", "Robert P. Casey Jr.", "Dear Representative Casey,"),
    ("Senator", "Chris Van Hollen", "Dear Senator Van Hollen,"),
    ("Delegate", "Eleanor Holmes Norton", "Dear Delegate Norton,"),
    ("", "Jo Bloggs", "Dear Jo Bloggs,"),  # no title (an MP): the whole name
    ("", "", "Dear Sir or Madam,"),
])
def test_greeting(title, name, greets):
    assert greeting(title, name) == greets


@pytest.mark.parametrize(("title", "name", "family", "greets"), [
    # The data file's family name wins over the rule, which cannot tell these apart.
    ("Senator", "Catherine Cortez Masto", "Cortez Masto", "Dear Senator Cortez Masto,"),
    ("Representative", "Debbie Wasserman Schultz", "Wasserman Schultz",
     "Dear Representative Wasserman Schultz,"),
    ("Delegate", "Pablo José Hernández", "Hernández Rivera", "Dear Delegate Hernández Rivera,"),
    ("Senator", "Ben Ray Luján", "", "Dear Senator Luján,"),  # none given: read from the name
    ("", "Tan Dhesi", "Singh Dhesi", "Dear Tan Dhesi,"),  # no title: the name as shown
])
def test_greeting_with_the_files_family_name(title, name, family, greets):
    assert greeting(title, name, family) == greets


@pytest.mark.parametrize(("addressees", "country", "greets"), [
    ([], "US", "Dear Senator or Representative,"),  # no reader known yet: nobody pretended
    ([], "GB", "Dear Sir or Madam,"),
    ([("Senator", "Amy Klobuchar", "")], "US", "Dear Senator Klobuchar,"),
    ([("Senator", "Amy Klobuchar", ""), ("Representative", "Ilhan Omar", "Omar")], "US",
     "Dear Senator Klobuchar and Representative Omar,"),
    ([("Mayor", "Sam Reyes", ""), ("", "Jo Bloggs", ""), ("Senator", "Chris Van Hollen", "")], "US",
     "Dear Mayor Reyes, Jo Bloggs and Senator Van Hollen,"),
    ([("Senator", "", "")], "US", "Dear Senator or Representative,"),  # a title alone names no one
])
def test_greeting_to_several_or_none(addressees, country, greets):
    assert greeting_to(addressees, country) == greets


@pytest.mark.parametrize(("office", "title"), [
    ("senator", "Senator"), ("U.S. Senator", "Senator"), ("Sen.", "Senator"),
    ("representative", "Representative"), ("Congresswoman", "Representative"),
    ("delegate", "Delegate"), ("State Senator", "Senator"), ("Gov.", "Governor"),
    ("Council Member", "Council Member"), ("Cllr", "Councillor"),
    ("mp", ""), ("Chief Executive", ""), ("", ""),
])
def test_title_for(office, title):
    assert title_for(office) == title
