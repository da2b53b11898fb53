"""Letters greet an office holder by office and family name: "Dear Senator Klobuchar"."""
from __future__ import annotations

import pytest

from campaign.representatives.greetings import family_name, greeting


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
