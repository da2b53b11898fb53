"""Which language a request is answered in: an explicit choice, then the browser's, then the
campaign's own, then English."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel

# The catalogs live beside this module: catalogs/<lang>/LC_MESSAGES/messages.po
CATALOGS_DIR = str(Path(__file__).with_name("catalogs"))
babel = Babel()


def supported() -> list[str]:
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():
        return getattr(g, "mail_language", None) or "en"
    languages = supported()
    explicit = request.args.get("lang", "")
    if explicit in languages:
        return explicit
    browser = request.accept_languages.best_match(languages)
    if browser:
        return browser
    own = getattr(g, "campaign_language", None)
    return own if own in languages else "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=CATALOGS_DIR)
