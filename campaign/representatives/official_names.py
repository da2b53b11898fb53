"""How an article names an official, read into plain values: name words, office, state, district.

"Sen. Amy Klobuchar (D-Minn.)" → words ("amy", "klobuchar"), offices {"senator"}, region "MN".
Pure text rules; officials.py compares the result with the imported representatives.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

# What an article's title word means among the offices representatives are imported with.
_OFFICES = {
    "senator": {"senator"}, "sen": {"senator"},
    "representative": {"representative", "delegate"}, "rep": {"representative", "delegate"},
    "congressman": {"representative", "delegate"}, "congresswoman": {"representative", "delegate"},
    "congressmember": {"representative", "delegate"}, "congressperson": {"representative", "delegate"},
    "member of congress": {"representative", "delegate"},
    "delegate": {"delegate"}, "del": {"delegate"},
    "mp": {"mp"}, "member of parliament": {"mp"},
    "councillor": {"councillor", "councilor", "cllr", "council member", "councilmember"},
}
for _word in ("councilor", "cllr", "council member", "councilmember"):
    _OFFICES[_word] = _OFFICES["councillor"]
# "U.S. Senator" is a senator; "State Senator" is not, and stays as written.
_NATIONAL = re.compile(r"^(?:the\s+)?(?:honou?rable\s+|hon\s+)?(?:u\s?s|united states)\s+")

_TITLE = re.compile(
    r"^(?:(?:u\.\s?s\.|us|united states)\s+)?"
    r"(senator|sen\.?|representative|rep\.?|congress(?:man|woman|member|person)|delegate|del\."
    r"|mp|cllr\.?|councill?or|council\s?member|state\s+(?:senator|representative)"
    r"|assembly\s?member|(?:lieutenant\s+)?governor|gov\.|mayor"
    r"|the|honou?rable|hon\.?|dr\.?|mr\.?|mrs\.?|ms\.?|mx\.?)\s+", re.IGNORECASE)
_COURTESY = {"the", "honorable", "honourable", "hon", "dr", "mr", "mrs", "ms", "mx"}
_TRAILING_TITLE = re.compile(r"\s+(mp|msp|mla|mep|ms)$", re.IGNORECASE)
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "md", "phd", "esq"}
# "(D-MN)", "(R-Minn.)", "(D-MN-05)", "(MN)", "(Massachusetts)", ", D-Mass." at the end.
_TAG = re.compile(r"\(([^()]{1,40})\)|,\s*((?:[DRI]|Dem|Rep|Ind)\s*[-–—]\s*[A-Za-z. ]{2,20}(?:[-–—]\s*\w{1,2})?)\s*$")
_PARTY = re.compile(r"^(?:[DRI]|Dem|Rep|Ind)\s*[-–—,]\s*", re.IGNORECASE)
_SEAT = re.compile(r"^(.+?)\s*[-–—]\s*(\d{1,2}|AL)$", re.IGNORECASE)
_OF = re.compile(r"\s+(?:of|from)\s+([A-Z][A-Za-z. ]{1,30})$")
_LEADING = re.compile(r"^([A-Z][a-z]+(?: [A-Z][a-z]+)?)\s+(?=(?:U\.S\.\s+)?(?:Senator|Sen\.|Representative"
                      r"|Rep\.|Congress(?:man|woman|member)|Delegate)\s)")
# The Associated Press's state abbreviations, as US news writes them: "D-Minn.".
_AP = {"ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "colo": "CO", "conn": "CT",
       "del": "DE", "fla": "FL", "ga": "GA", "ill": "IL", "ind": "IN", "kan": "KS", "kans": "KS",
       "ky": "KY", "la": "LA", "md": "MD", "mass": "MA", "mich": "MI", "minn": "MN", "miss": "MS",
       "mo": "MO", "mont": "MT", "neb": "NE", "nebr": "NE", "nev": "NV", "nh": "NH", "nj": "NJ",
       "nm": "NM", "ny": "NY", "nc": "NC", "nd": "ND", "okla": "OK", "ore": "OR", "pa": "PA",
       "ri": "RI", "sc": "SC", "sd": "SD", "tenn": "TN", "tex": "TX", "vt": "VT", "va": "VA",
       "wash": "WA", "wva": "WV", "wis": "WI", "wyo": "WY", "dc": "DC"}
# Given names people go by and the names on the official record.
_NICKNAMES = {
    "bernie": "bernard", "chuck": "charles", "charlie": "charles", "bob": "robert", "bobby": "robert",
    "rob": "robert", "bill": "william", "billy": "william", "will": "william", "jim": "james",
    "jimmy": "james", "mike": "michael", "tom": "thomas", "joe": "joseph", "dick": "richard",
    "rick": "richard", "rich": "richard", "ted": "edward", "ed": "edward", "jack": "john",
    "liz": "elizabeth", "beth": "elizabeth", "betsy": "elizabeth", "maggie": "margaret",
    "peggy": "margaret", "debbie": "deborah", "hank": "henry", "tony": "anthony", "andy": "andrew",
    "drew": "andrew", "pat": "patrick", "steve": "stephen", "nikki": "nicole", "jan": "janice",
    "kate": "katherine", "katie": "katherine", "kat": "katherine", "sam": "samuel", "dan": "daniel",
    "danny": "daniel", "dave": "david", "tim": "timothy", "chris": "christopher", "ben": "benjamin",
    "alex": "alexander", "matt": "matthew", "nick": "nicholas", "greg": "gregory", "jerry": "gerald",
    "larry": "lawrence", "ron": "ronald", "don": "donald", "jeff": "jeffrey", "josh": "joshua",
}


@dataclass(frozen=True)
class Named:
    """An official as an article names them: the name's words, and what the text says of the seat."""

    words: tuple[str, ...]  # lower-case, accents and punctuation gone, titles and suffixes dropped
    offices: frozenset[str]  # the imported offices the title can mean; empty when none is given
    office_text: str  # the title as written, "" when none
    region: str  # "MN", or a region's name outside the US; "" when the text does not say
    district: str  # "MN-05" when the text says; else ""


def fold(text: str) -> str:
    """Lower case without accents: "Luján" → "lujan"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words_of(name: str) -> tuple[str, ...]:
    """A person's name as comparable words: 'Sanford D. Bishop, Jr.' → ('sanford', 'd', 'bishop')."""
    folded = re.sub(r"['’`.]", "", fold(name))
    words = [w for w in re.split(r"[^0-9a-z]+", folded) if w]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return tuple(words)


def read(name: str, office: str = "", country: str = "US") -> Named:
    """What a contact's name and office say: the person, the office, and the state or district."""
    text, title, hints = _parts(name, country)
    region, district = _seat(hints, country)
    office_text = " ".join(office.split()) or title
    return Named(words=words_of(text), offices=offices_for(office_text), office_text=office_text,
                 region=region, district=district)


def bare_name(name: str, country: str = "US") -> str:
    """The person's name as written, without titles and tags: "Sen. Amy Klobuchar (D-Minn.)" →
    "Amy Klobuchar"."""
    return _parts(name, country)[0]


def _parts(name: str, country: str) -> tuple[str, str, list[str]]:
    """(the name without titles and tags, the first office title in it, the tags' texts)."""
    text = " ".join(name.split())
    hints: list[str] = []
    text = _TAG.sub(lambda m: hints.append(m.group(1) or m.group(2)) or " ", text).strip(" ,")
    found = _OF.search(text)
    if found and _region(found.group(1), country):
        hints.append(found.group(1))
        text = text[:found.start()]
    leading = _LEADING.match(text)
    if leading and _region(leading.group(1), country):
        hints.append(leading.group(1))
        text = text[leading.end():]
    title = ""
    while (titled := _TITLE.match(text)) or (titled := _TRAILING_TITLE.search(text)):
        word = titled.group(1)
        if word.rstrip(".").lower() not in _COURTESY:
            title = title or word
        text = (text[:titled.start()] + text[titled.end():]).strip()
    return text, title, hints


def offices_for(office: str) -> frozenset[str]:
    """The imported offices a title can mean: "Sen." → senator; "Congresswoman" → representative."""
    key = _NATIONAL.sub("", re.sub(r"[.]", "", fold(office)).strip())
    key = " ".join(key.split())
    if not key:
        return frozenset()
    return frozenset(_OFFICES.get(key, {key}))


def _seat(hints: list[str], country: str) -> tuple[str, str]:
    """(region, district) from tags such as "D-MN-05", "R-Minn." or "Massachusetts"."""
    for hint in hints:
        hint = _PARTY.sub("", hint.strip())
        number = ""
        seat = _SEAT.match(hint)
        if seat:
            hint, number = seat.group(1), seat.group(2)
        region = _region(hint, country)
        if region:
            if number and country == "US":
                code = "AL" if number.upper() == "AL" else f"{int(number):02d}"
                return region, f"{region}-{code}"
            return region, ""
    return "", ""


def _region(text: str, country: str) -> str:
    """A state as its USPS code in the US ("Minn." → "MN"); elsewhere the name as written."""
    text = " ".join(text.split()).strip(" ,.")
    if country != "US":
        return text if text and not any(c.isdigit() for c in text) else ""
    key = fold(text).replace(".", "").strip()
    if len(key) == 2 and key.upper() in _us_states().values():
        return key.upper()
    return _AP.get(key.replace(" ", "")) or _us_states().get(key, "")


@cache
def _us_states() -> dict[str, str]:
    """Folded state name → USPS code, for the states, DC and the territories."""
    subdivisions = pycountry.subdivisions.get(country_code="US") or []
    return {fold(s.name): s.code.removeprefix("US-") for s in subdivisions}


def same_given_name(said: str, recorded: str) -> bool:
    """Whether a given name in an article stands for one on the record: "Chris" for "Christopher"."""
    if said == recorded:
        return True
    if len(said) == 1 or len(recorded) == 1:  # an initial
        return said[0] == recorded[0]
    if min(len(said), len(recorded)) >= 3 and (said.startswith(recorded) or recorded.startswith(said)):
        return True
    return _NICKNAMES.get(said) == recorded or _NICKNAMES.get(recorded) == said


def names_agree(said: tuple[str, ...], recorded: tuple[str, ...],
                family: tuple[str, ...] = ()) -> bool:
    """The same surname, and each other word of the article's name found among the record's.

    Middle names and initials either side may be missing: "Marta Lindqvist" is "Marta J. Lindqvist".
    family, the family name's words as the data file gives them, is a surname too, even where
    the name shown lacks some of it: "Pablo José Hernández Rivera" is "Pablo José Hernández".
    """
    if not said or not recorded:
        return False
    if said[-1] == recorded[-1] and _given_agree(said[:-1], recorded[:-1]):
        return True
    if not family or len(said) < len(family) or said[len(said) - len(family):] != family:
        return False
    given = list(recorded)
    while given and given[-1] in family:  # the family name's words at the end of the name
        given.pop()
    return _given_agree(said[:len(said) - len(family)], tuple(given))


def _given_agree(said: tuple[str, ...], recorded: tuple[str, ...]) -> bool:
    return all(any(same_given_name(word, other) for other in recorded) for word in said)
