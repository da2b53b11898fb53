"""ISO 3166-1 countries: the assigned alpha-2 codes and their names for the sign form."""
from functools import cache, lru_cache

import pycountry
from markupsafe import Markup, escape


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


@lru_cache(maxsize=256)
def options_html(selected: str) -> Markup:
    """The <option> list of every country, one selected; built once per selection and process.

    Rendering 249 options through WTForms took most of the sign page's render time.
    """
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            code, Markup(" selected") if code == selected else "", escape(name)
        )
        for code, name in names().items()
    )
