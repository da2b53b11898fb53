"""Which language a request is answered in: an explicit choice, then the browser's, then the
campaign's own, then English; the catalogs compiled at start; the page's language links."""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask_babel import Babel, format_date, format_datetime, get_locale
from markupsafe import Markup, escape

log = logging.getLogger(__name__)

# The catalogs live beside this module: catalogs/<lang>/LC_MESSAGES/messages.po
CATALOGS_DIR = str(Path(__file__).with_name("catalogs"))
babel = Babel()
# Blueprints whose pages keep an explicit ?lang= on their own links, forms and redirects.
PUBLIC_BLUEPRINTS = frozenset({"public", "embed", "signer", "representatives", "events", "hosting"})


def supported() -> list[str]:
    """The interface's languages, the first being the default."""
    return current_app.config["LANGUAGES"]


def _query() -> dict[str, str]:
    """The query string's values; none when it is not UTF-8 (its 400 page still speaks)."""
    try:
        return dict(request.args.items())
    except UnicodeDecodeError:
        return {}


def explicit_language() -> str | None:
    """The language this request asked for in its URL (?lang=es), when it is one we speak."""
    if not has_request_context():
        return None
    # Asked by every url_for of the page: read once per request (kept on the request, since g
    # may outlive it when an app context was pushed around several requests).
    if not hasattr(request, "campaign_explicit_language"):
        wanted = _query().get("lang", "")
        request.campaign_explicit_language = wanted if wanted in supported() else None
    return request.campaign_explicit_language


def select_locale() -> str:
    """Flask-Babel's locale selector (see the module docstring for the order)."""
    if not has_request_context():
        return getattr(g, "mail_language", None) or "en"
    languages = supported()
    explicit = explicit_language()
    if explicit:
        return explicit
    browser = request.accept_languages.best_match(languages)
    if browser:
        return browser
    own = getattr(g, "campaign_language", None)
    return own if own in languages else languages[0] if languages else "en"


def direction(language: str) -> str:
    """"rtl" for a language written right to left (Arabic, Hebrew...), else "ltr"."""
    try:
        order = Locale.parse(language).character_order
    except (ValueError, LookupError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def autonym(language: str) -> str:
    """A language's name in itself ("Español"), for the switcher."""
    try:
        name = Locale.parse(language).get_display_name(language) or language
    except (ValueError, LookupError):
        return language
    return name[:1].upper() + name[1:]


def keep_language(endpoint: str, values: dict) -> None:
    """url_for on a public page reached with ?lang=xx: its own links keep the language."""
    if "lang" in values or not has_request_context():
        return
    blueprint = endpoint.partition(".")[0] if "." in endpoint else ""
    if blueprint not in PUBLIC_BLUEPRINTS:
        return
    explicit = explicit_language()
    if explicit:
        values["lang"] = explicit


def _page_links() -> dict:
    """The current page in every language: the switcher and the hreflang alternates."""
    endpoint = request.endpoint
    if not endpoint or request.method != "GET" or not request.url_rule:
        return {"language_links": [], "language_alternates": []}
    blueprint = endpoint.partition(".")[0]
    if blueprint not in PUBLIC_BLUEPRINTS:
        return {"language_links": [], "language_alternates": []}
    # The page's own query (a lookup's postcode) comes along; never url_for's "_external",
    # "_scheme"... sent by a visitor, nor "ref", which the cached campaign page leaves out.
    args = {key: value for key, value in _query().items()
            if key not in ("lang", "ref") and not key.startswith("_")}
    values = {**args, **(request.view_args or {})}
    links = [{"code": code, "name": autonym(code), "dir": direction(code),
              "url": url_for(endpoint, **values, lang=code)} for code in supported()]
    base = (current_app.config.get("BASE_URL") or request.host_url).rstrip("/")
    alternates = [{"hreflang": link["code"], "href": base + link["url"]} for link in links]
    alternates.append({"hreflang": "x-default", "href": base + url_for(endpoint, **values, lang=None)})
    return {"language_links": links, "language_alternates": alternates}


# Dates as the page's language writes them. English keeps the site's own day-month order
# ("6 December 2026"); every other language takes its usual long or short form from Babel.
def _english() -> bool:
    return str(get_locale() or "en").startswith("en")


def long_date(value) -> str:
    """"6 December 2026", "6 de diciembre de 2026"."""
    return format_date(value, "d MMMM y" if _english() else "long")


def short_date(value) -> str:
    """"06 Dec 2026", "6 dic 2026"."""
    return format_date(value, "dd MMM y" if _english() else "medium")


def day_and_hour(value) -> str:
    """A day and its hour, UTC: "06 Dec 2026 14:00"."""
    return format_datetime(value, "dd MMM y HH:00" if _english() else "d MMM y, HH:00")


def clock_time(value) -> str:
    """Hours and minutes, 24-hour, UTC: "14:05"."""
    return format_datetime(value, "HH:mm")


def language_field() -> Markup:
    """A GET form's hidden ?lang=, which the form's own fields would otherwise replace."""
    explicit = explicit_language()
    if not explicit:
        return Markup("")
    return Markup('<input type="hidden" name="lang" value="%s">') % escape(explicit)


def _template_values() -> dict:
    language = str(get_locale() or "en")
    values = {"page_language": language.replace("_", "-"), "page_direction": direction(language)}
    if has_request_context():
        values.update(_page_links())
    return values


def vary_on_browser_language(response: Response) -> Response:
    """A page chosen by Accept-Language says so, so that no shared cache mixes languages."""
    if (has_request_context() and explicit_language() is None
            and response.mimetype in ("text/html", "image/svg+xml")):
        response.vary.add("Accept-Language")
    return response


# Compiling ------------------------------------------------------------------------------

def compile_catalogs(source: str, fallback_root: str) -> str:
    """Compile every catalog under source (.po to .mo when missing or older); the directory
    Flask-Babel should read: source itself when writable, else a copy under fallback_root."""
    source_path = Path(source)
    target = source_path
    if not os.access(source_path, os.W_OK):
        digest = hashlib.sha256(str(source_path.resolve()).encode()).hexdigest()[:12]
        target = Path(fallback_root) / "catalogs" / digest
    for po_path in sorted(source_path.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source_path).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        # Written aside and renamed: several workers starting at once never read half a file.
        fd, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(temporary, mo_path)
        log.info("compiled catalog %s", mo_path)
    return str(target)


def init_app(app: Flask) -> None:
    """Compile the catalogs, bind Flask-Babel, keep ?lang= on public links, add Vary."""
    sources = [CATALOGS_DIR, *app.config.get("EXTRA_CATALOGS", [])]
    directories = [compile_catalogs(source, app.instance_path) for source in sources]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=CATALOGS_DIR)
    app.url_defaults(keep_language)
    app.context_processor(_template_values)
    app.jinja_env.globals["language_field"] = language_field
    app.jinja_env.filters.update(long_date=long_date, short_date=short_date,
                                 day_and_hour=day_and_hour, clock_time=clock_time)
    app.after_request(vary_on_browser_language)
