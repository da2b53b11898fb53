"""The US files: congress-legislators YAML and the ZIP → congressional district CSV (zccd).

Pure, like data_files: text in, records and skipped rows out. District codes are
"{STATE}-{NN}" ("MN-05"), "{STATE}-AL" for an at-large seat; senators have none.
"""
from __future__ import annotations

import json

import yaml

from campaign.places import regions
from campaign.representatives.data_files import (
    BadRecord,
    Parsed,
    PostcodeRecord,
    RepresentativeRecord,
    Skipped,
    UnreadableFile,
    checked,
    family_name_of,
    parse_csv,
    postcode_key,
    us_state,
    web_address,
)

# The C loader reads the 1 MB legislators file in half a second; the pure-Python one in ten.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ZCCD_COLUMNS = ("state_fips", "state_abbr", "zcta", "cd")
# Their House member is a non-voting delegate (Puerto Rico's: the resident commissioner).
DELEGATE_AREAS = frozenset({"DC", "PR", "GU", "VI", "AS", "MP"})
# pycountry's names that read oddly in "… at-large".
_STATE_NAMES = {"VI": "U.S. Virgin Islands"}


def district_code(state: str, number: int) -> str:
    """ "MN-05" for a numbered district; "AK-AL" for an at-large seat (number 0)."""
    return f"{state}-AL" if number == 0 else f"{state}-{number:02d}"


def district_title(state: str, number: int) -> str:
    """ "Minnesota's 5th congressional district", or "Alaska at-large"."""
    name = _state_title(state)
    if number == 0:
        return f"{name} at-large"
    ordinal = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    suffix = "th" if 10 <= number % 100 <= 20 else ordinal
    return f"{name}'s {number}{suffix} congressional district"


def _state_title(state: str) -> str:
    return _STATE_NAMES.get(state) or regions.state_name(state)


def parse_congress(text: str) -> Parsed[RepresentativeRecord]:
    """Every current member of Congress, from the last of each legislator's terms."""
    try:
        people = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or error
        raise UnreadableFile(f"Not readable as YAML{where}: {problem}") from None
    if not isinstance(people, list):
        raise UnreadableFile("Expected a YAML list of legislators (congress-legislators format).")
    parsed: Parsed[RepresentativeRecord] = Parsed()
    first_seen: dict[str, int] = {}
    for number, person in enumerate(people, 1):
        parsed.read += 1
        bioguide = _text(_mapping(_mapping(person).get("id")).get("bioguide"))
        where = f"record {number}" + (f" ({bioguide})" if bioguide else "")
        try:
            if bioguide in first_seen:
                raise BadRecord(f"repeats the bioguide id of record {first_seen[bioguide]}")
            record, notes = _legislator(person, bioguide)
        except BadRecord as error:
            parsed.skipped.append(Skipped(where, str(error)))
            continue
        first_seen[bioguide] = number
        parsed.records.append(record)
        parsed.notes.extend(f"{where}: {note}" for note in notes)
    return parsed


def _legislator(person: object, bioguide: str) -> tuple[RepresentativeRecord, list[str]]:
    """The member as of their last term, and notes on what was left out."""
    if not isinstance(person, dict):
        raise BadRecord("not a legislator record")
    if not bioguide:
        raise BadRecord("no bioguide id")
    names = _mapping(person.get("name"))
    name = _text(names.get("official_full")) or " ".join(
        part for part in (_text(names.get("first")), _text(names.get("last"))) if part)
    if not name:
        raise BadRecord("no name")
    terms = person.get("terms")
    if not isinstance(terms, list) or not terms or not isinstance(terms[-1], dict):
        raise BadRecord("no terms")
    term = terms[-1]  # the current one
    state = us_state(_text(term.get("state")))
    if term.get("type") == "sen":
        office, district, district_name = "senator", "", _state_title(state)
    elif term.get("type") == "rep":
        seat = _district_number(term.get("district"), "district")
        office = "delegate" if state in DELEGATE_AREAS else "representative"
        district, district_name = district_code(state, seat), district_title(state, seat)
    else:
        raise BadRecord(f"the last term's type is {term.get('type')!r}, not sen or rep")
    links, notes = {}, []
    for key in ("contact_form", "url"):
        try:
            links[key] = web_address(_text(term.get(key)), key)
        except BadRecord as error:
            notes.append(f"{error}; left out")
            links[key] = ""
    ids = json.loads(json.dumps(person["id"], default=str))  # plain JSON values only
    return checked(RepresentativeRecord(
        external_id=bioguide, name=name, office=office, country="US",
        # The file's own family name: "Cortez Masto", "Van Hollen", never a suffix such as "Jr.".
        family_name=family_name_of(_text(names.get("last")), name),
        party=_text(term.get("party")), region=state, district=district,
        district_name=district_name, phone=_text(term.get("phone")),
        address=_text(term.get("address")), contact_form_url=links["contact_form"],
        website=links["url"], ids=ids,
    )), notes


def parse_zccd(text: str) -> Parsed[PostcodeRecord]:
    """ZIP code tabulation areas to congressional districts (`cd` 0: the at-large seat)."""
    return parse_csv(text, ZCCD_COLUMNS, ZCCD_COLUMNS, _zccd_row, postcode_key)


def _zccd_row(row: dict[str, str]) -> PostcodeRecord:
    state = us_state(row["state_abbr"].upper())
    zcta = row["zcta"]
    if not (zcta.isascii() and zcta.isdigit() and 3 <= len(zcta) <= 5):
        raise BadRecord(f"bad ZIP code {zcta!r}")
    seat = _district_number(row["cd"], "cd")
    # Spreadsheets drop the leading zeros of New England's ZIP codes.
    return PostcodeRecord("US", zcta.zfill(5), state, district_code(state, seat))


def _district_number(value: object, column: str) -> int:
    number = _text(value)
    if isinstance(value, bool) or not (number.isascii() and number.isdigit()) or int(number) > 99:
        raise BadRecord(f"bad {column} {value!r}: a number from 0 (at-large) to 99 is needed")
    return int(number)


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    """A YAML or CSV value as one line of text, "" for nothing."""
    return "" if value is None else " ".join(str(value).split())
