"""ISO 3166-1 countries: the assigned alpha-2 codes and their names for the sign form."""
from functools import cache

import pycountry


@cache
def names() -> dict[str, str]:
    """Assigned alpha-2 code to the short name people know, sorted by name."""
    pairs = {
        c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries
    }
    return dict(sorted(pairs.items(), key=lambda item: item[1]))


def is_assigned(code: str) -> bool:
    """Whether code is an assigned ISO 3166-1 alpha-2 code (exactly two upper-case letters)."""
    return code in names()


def name_of(code: str) -> str:
    """The country's name, or the code itself when unknown."""
    return names().get(code, code)
