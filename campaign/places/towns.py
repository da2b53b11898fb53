"""A signer's town from their postcode, as a delivery packet prints it: never a street address."""
from __future__ import annotations

from functools import lru_cache

import zipcodes

from campaign.places import countries


@lru_cache(maxsize=1000)
def _us_cities(prefix: str) -> dict[str, str]:
    # One 3-digit prefix at a time: a packet needs a few hundred ZIPs, not all 42,000 records.
    return {record["zip_code"]: record["city"] for record in zipcodes.similar_to(prefix)}


def us_city(postcode: str) -> str:
    """The city of a US ZIP or ZIP+4 ("Minneapolis"), "" when the ZIP is unknown."""
    zip_code = postcode[:5]
    if len(zip_code) != 5 or not zip_code.isdigit():
        return ""
    return _us_cities(zip_code[:3]).get(zip_code, "")


def town_of(country: str, postcode: str, region: str) -> str:
    """Where a signer lives, no closer than their town: "Minneapolis, MN", else region or country."""
    if country == "US":
        city = us_city(postcode)
        return ", ".join(part for part in (city, region) if part) or countries.name_of(country)
    return region or countries.name_of(country)
