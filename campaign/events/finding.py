"""Finding an event: where each one is, and a campaign's upcoming events in the order that
suits a visitor's postcode (nearest first by US ZIP; the visitor's region first elsewhere),
online events apart."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import zipcodes

from campaign.models import Event
from campaign.places import regions

EARTH_RADIUS_MILES = 3958.8


@lru_cache(maxsize=1000)
def _us_centroids(prefix: str) -> dict[str, tuple[float, float]]:
    # One 3-digit prefix at a time (as places.towns does): never all 42,000 records at once.
    found = {}
    for record in zipcodes.similar_to(prefix):
        try:
            found[record["zip_code"]] = (float(record["lat"]), float(record["long"]))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def locate(country: str, postcode: str) -> tuple[float, float] | None:
    """A postcode's centroid (latitude, longitude) where known: US ZIP codes; else None."""
    zip_code = (postcode or "")[:5]
    if country != "US" or len(zip_code) != 5 or not zip_code.isdigit():
        return None
    return _us_centroids(zip_code[:3]).get(zip_code)


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) points, in miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def region_of(country: str, postcode: str) -> str:
    """The area a postcode lies in, for "your region first": a US state, else the postcode's
    area (a UK postcode's letters, the first characters elsewhere)."""
    if not postcode:
        return ""
    return regions.region_for(country, postcode) or regions.postcode_area(country, postcode)


def address_line(event: Event) -> str:
    """Where an event meets, on one line: venue, street, town, region and postcode."""
    town = " ".join(part for part in (event.region, event.postcode) if part)
    parts = (event.venue_name, event.address, event.town, town)
    return ", ".join(part.strip() for part in parts if part and part.strip())


@dataclass(frozen=True)
class Listed:
    """An event in the list: its distance in miles when both places are known, and whether
    it is in the visitor's region."""

    event: Event
    miles: float | None = None
    near: bool = False


@dataclass
class Listing:
    """Upcoming events for a visitor: in person (in the order that suits their postcode),
    and online apart; unknown is True when the postcode was not found (listed by date)."""

    in_person: list[Listed] = field(default_factory=list)
    online: list[Listed] = field(default_factory=list)
    sorted_by: str = "date"  # "date", "distance" or "region"
    unknown: bool = False


def listing(events: list[Event], *, country: str = "", postcode: str = "") -> Listing:
    """Upcoming events (by start, as store.upcoming gives them) in the order that suits a
    visitor who may have given a postcode."""
    result = Listing(online=[Listed(e) for e in events if e.online_url])
    in_person = [e for e in events if not e.online_url]
    if not postcode:
        result.in_person = [Listed(e) for e in in_person]
        return result
    if country == "US":
        here = locate(country, postcode)
        if here is None:
            result.unknown = True
            result.in_person = [Listed(e) for e in in_person]
            return result
        placed = [Listed(e, miles=_miles(here, e)) for e in in_person]
        # Nearest first; events whose place is unknown after them, by date (sorted is stable).
        result.in_person = sorted(placed, key=lambda x: (x.miles is None, x.miles or 0.0))
        result.sorted_by = "distance"
        return result
    area = region_of(country, postcode)
    placed = [Listed(e, near=bool(area) and e.country == country
                     and region_of(e.country, e.postcode) == area) for e in in_person]
    result.in_person = sorted(placed, key=lambda x: not x.near)
    result.sorted_by = "region"
    return result


def _miles(here: tuple[float, float], event: Event) -> float | None:
    if event.latitude is None or event.longitude is None:
        return None
    return miles_between(here, (event.latitude, event.longitude))
