"""How a letter greets an office holder: "Dear Senator Klobuchar", by office and family name."""
from __future__ import annotations

from collections.abc import Iterable

from campaign.representatives import official_names

# Written after a family name, never part of it ("Robert P. Casey Jr.").
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v", "md", "phd", "esq", "dds", "mp", "msp", "ms", "mla"}
# Words that belong to the family name that follows them ("Chris Van Hollen", "Rosa de la Cruz").
_PARTICLES = {"van", "von", "de", "del", "della", "der", "den", "di", "da", "das", "dos", "du",
              "la", "le", "st", "st.", "ter", "ten", "bin", "al", "el", "mac"}

# Before a postcode tells who the reader is: in the US, a letter goes to Congress.
_NEUTRAL = {"US": "Dear Senator or Representative,"}
# Imported offices (official_names.offices_for) and the title that greets them.
_TITLES = ((frozenset({"senator"}), "Senator"), (frozenset({"delegate"}), "Delegate"),
           (frozenset({"representative", "delegate"}), "Representative"))
# Offices greeted by their own title ("Dear Mayor Frey,"), by the office as written, folded.
_OWN_TITLES = {"governor": "Governor", "gov": "Governor",
               "lieutenant governor": "Lieutenant Governor", "mayor": "Mayor",
               "council member": "Council Member", "councilmember": "Councilmember",
               "councilor": "Councilor", "councillor": "Councillor", "cllr": "Councillor",
               "state senator": "Senator", "state representative": "Representative"}


def family_name(name: str) -> str:
    """The family name in a full name as usually written, first name first; "" for no name."""
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    if not words:
        return ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def greeting(title: str, name: str, family: str = "") -> str:
    """The letter's first line: office and family name where there is a title, else the name.

    family: the family name as the data file gives it ("Cortez Masto"); "" reads it from name.
    """
    return greeting_to([(title, name, family)])


def greeting_to(addressees: Iterable[tuple[str, str, str]], country: str = "") -> str:
    """One first line for (title, name, family name) each: "Dear Senator Smith and Senator Lee,".

    With no one named, a greeting that names no one: the country's usual one (neutral()).
    """
    named = [_salutation(*addressee) for addressee in addressees]
    named = [one for one in named if one]
    if not named:
        return neutral(country)
    joined = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"Dear {joined},"


def neutral(country: str) -> str:
    """A greeting for a letter whose reader is not known yet: it names and pretends no one."""
    return _NEUTRAL.get(country, "Dear Sir or Madam,")


def title_for(office: str) -> str:
    """The title a letter greets an office holder with, from the office as an article or a data
    file gives it ("Sen.", "U.S. Representative", "senator"); "" where none is customary."""
    if own := _OWN_TITLES.get(" ".join(official_names.fold(office).replace(".", " ").split())):
        return own
    offices = official_names.offices_for(office)
    for imported, title in _TITLES:
        if offices and offices <= imported:
            return title
    return ""


def _salutation(title: str, name: str, family: str) -> str:
    """ "Senator Van Hollen" with a title; else the whole name; "" for no name at all."""
    family = " ".join(family.split()) or family_name(name)
    if title and family:
        return f"{title} {family}"
    return " ".join(name.split())
