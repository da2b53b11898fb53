"""What a reader sees of a page or an email, and the English words left in it."""
from __future__ import annotations

import re
from html.parser import HTMLParser

# Whole words English text is full of and Spanish text never contains. (Not "no", "a",
# "me", "son", "total"...: Spanish has them too.)
ENGLISH_WORDS = frozenset([
    "the", "and", "your", "you", "sign", "signed", "signing", "signature", "signatures",
    "please", "this", "that", "with", "petition", "link", "here", "what", "when", "where",
    "back", "campaign", "campaigns", "delete", "confirm", "share", "copy", "find", "thank",
    "check", "our", "we", "has", "have", "been", "is", "are", "was", "will", "from", "who",
    "which", "their", "they", "them", "it", "its", "only", "more", "open", "closed", "email",
    "emails", "new", "there", "about", "after", "before", "again",
])
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_URL = re.compile(r"https?://\S+")
# Attributes a reader hears or sees as text.
_TEXT_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class _Visible(HTMLParser):
    """The text of a page outside scripts and styles, and outside passages in another language."""

    VOID = frozenset([
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ])

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hidden: script, style or another language)

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self._stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = values.get("lang")
        hidden = tag in ("script", "style") or (lang is not None and not lang.startswith(self.language))
        if not hidden and not self._hidden():
            self.parts.extend(values[name] for name in _TEXT_ATTRIBUTES if values.get(name))
        if tag not in self.VOID:
            self._stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def visible_text(page: str, language: str = "es") -> str:
    """The words a reader of a page in this language sees (title, text, labels), in one line."""
    parser = _Visible(language)
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def english_left(text: str, *, known: tuple[str, ...] = ()) -> list[str]:
    """The English words in a text, once known data strings (names, titles) are taken out."""
    text = _URL.sub(" ", text)  # addresses are no prose
    for value in known:
        text = text.replace(value, " ")
    return [word for word in _WORD.findall(text) if word.lower() in ENGLISH_WORDS]
