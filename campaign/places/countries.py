"""ISO 3166-1 countries: the assigned alpha-2 codes and their names for the sign form."""
import unicodedata
from functools import cache, lru_cache

import pycountry
from babel import Locale
from flask_babel import get_locale
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


def _page_language() -> str:
    return str(get_locale() or "en")


@cache
def names_in(language: str) -> dict[str, str]:
    """names() as a language writes them (CLDR's, through Babel), sorted in that language."""
    if language.startswith("en"):
        return names()
    try:
        territories = Locale.parse(language).territories
    except (ValueError, LookupError):
        return names()
    pairs = {code: territories.get(code) or name for code, name in names().items()}

    def key(item: tuple[str, str]) -> str:  # "Émirats" among the E's, not after the Z's
        folded = unicodedata.normalize("NFKD", item[1].casefold())
        return "".join(c for c in folded if not unicodedata.combining(c))

    return dict(sorted(pairs.items(), key=key))


def local_name_of(code: str) -> str:
    """The country's name in the page's language, or the code itself when unknown."""
    return names_in(_page_language()).get(code, code)


def options_html(selected: str) -> Markup:
    """The <option> list of every country in the page's language, one selected."""
    return _options_html(selected, _page_language())


@lru_cache(maxsize=512)
def _options_html(selected: str, language: str) -> Markup:
    # Built once per selection, language and process: rendering 249 options through WTForms
    # took most of the sign page's render time.
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            code, Markup(" selected") if code == selected else "", escape(name)
        )
        for code, name in names_in(language).items()
    )
