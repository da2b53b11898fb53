"""A signer's region from their postcode: the US state of a ZIP code, from the zipcodes package."""
from __future__ import annotations

import re
import threading
from functools import cache

import pycountry
import zipcodes

from campaign.places import countries

_states: dict[str, str] | None = None
_lock = threading.Lock()

# US Postal Service codes with no ISO 3166-2 name: military mail.
_MILITARY = {
    "AA": "Armed Forces Americas",
    "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}


def _build() -> dict[str, str]:
    # Prefix by prefix rather than zipcodes.list_all(): that caches 42,000 full records in
    # the package for the life of the process (+100 MB per web worker); this keeps only
    # the ZIP -> state pairs, for about the same one-time cost.
    states: dict[str, str] = {}
    for prefix in range(100):
        records = zipcodes.similar_to(f"{prefix:02d}")
        states.update((record["zip_code"], record["state"]) for record in records)
    return states


def load() -> dict[str, str]:
    """Every known 5-digit ZIP code to its state's USPS code; built once, on first use."""
    global _states
    if _states is None:
        with _lock:  # one thread builds; the others wait for it rather than build again
            if _states is None:
                _states = _build()
    return _states


def region_for(country: str, postcode: str) -> str:
    """The USPS state code ("MA") of a US ZIP or ZIP+4; "" elsewhere or for an unknown ZIP."""
    if country != "US":
        return ""
    return load().get(postcode[:5], "")


def state_name(code: str) -> str:
    """The name of a USPS state code ("Massachusetts"), or the code itself when unknown."""
    if code in _MILITARY:
        return _MILITARY[code]
    # Micronesia, the Marshall Islands and Palau use their ISO country codes as USPS codes.
    return _subdivision_names().get(code) or countries.name_of(code)


@cache
def _subdivision_names() -> dict[str, str]:
    # States, DC and the outlying areas (PR, GU...) are ISO 3166-2 "US-XX" subdivisions.
    subdivisions = pycountry.subdivisions.get(country_code="US") or []
    return {s.code.removeprefix("US-"): s.name for s in subdivisions}


_GB_AREA = re.compile(r"[A-Z]{1,2}")


def postcode_area(country: str, postcode: str) -> str:
    """A postcode's area: UK the outward code's letters, US 3 digits, elsewhere 2 characters.

    Stored on each signature; migration 47e01e6db56f computes the same in SQL for old rows.
    """
    if country == "GB":
        match = _GB_AREA.match(postcode)
        return match.group() if match else postcode[:2]
    if country == "US":
        return postcode[:3]
    return postcode[:2]
