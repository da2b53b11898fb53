"""The language an article is written in, told from its most common words, or None when unclear.

Each language's fifty most common words (articles, prepositions, pronouns, forms of "to be")
make up a large share of any running text in it and a small share of text in the others. The
language whose words make up the clearly larger share wins; a short or mixed text decides
nothing, and the campaign keeps its default.
"""
from __future__ import annotations

import re


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


COMMON_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the of and to a in is that for it as was with be by on not he i this are or his from at "
        "which but have an they you were her she there been has their we will would can more if "
        "who our its what about when them"),
    "es": _words(
        "de la que el en y a los se del las un por con no una su para es al lo como más pero sus "
        "le ya o fue este ha sí porque esta son entre está cuando muy sin sobre también me hasta "
        "hay donde desde todo nos"),
}
# Fewer words than this tell nothing reliable.
MIN_WORDS = 30
# The winner's share must be at least this, and this many times the runner-up's.
MIN_SHARE = 0.15
MIN_RATIO = 2.0

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def shares(text: str) -> dict[str, float]:
    """Each language's share of the text's words that are among its common words."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return dict.fromkeys(COMMON_WORDS, 0.0)
    return {code: sum(w in common for w in words) / len(words) for code, common in COMMON_WORDS.items()}


def detect(text: str) -> str | None:
    """The code of the language the text is clearly written in ("en", "es"), or None."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    ranked = sorted(shares(text).items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= MIN_SHARE and top >= MIN_RATIO * second:
        return best
    return None
