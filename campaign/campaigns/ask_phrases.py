"""The words of a drafted ask: its verbs, its sentences, and cutting a phrase to a title.

Shared by the drafting rules (campaign.campaigns.drafting) and the last-resort ones
(campaign.campaigns.fallback_asks), which list them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from campaign.articles import ImportedArticle

TITLE_MAX = 80

ASK_VERBS = frozenset({
    "keep", "save", "stop", "protect", "support", "promote", "fund", "restore", "ban", "end",
    "reject", "delay", "halt", "reverse", "pass", "block", "defend", "cap", "require", "reopen",
    "preserve", "give", "send", "hold", "guarantee", "approve", "fix", "build", "free",
    "reinstate", "repeal", "withdraw", "review", "demand", "prioritize", "prioritise", "invest",
    "expand", "extend", "make", "let", "bring", "put", "cancel", "lower", "raise", "create",
    "ensure", "publish", "hear", "drop", "scrap", "allow", "close", "reform", "remove", "replace",
    "limit", "return", "uphold", "honor", "honour", "enforce", "adopt", "vote", "act", "provide",
})
# Words that tell the reader what to do, not what the petition asks for.
READER_VERBS = frozenset({
    "sign", "add", "search", "look", "find", "share", "visit", "click", "go", "check", "use",
    "call", "email", "e-mail", "write", "contact", "attend", "join", "bring", "post", "tell",
    "mention", "ask", "express", "start", "stay", "read", "learn", "donate", "give", "follow",
    "tag", "organize", "organise", "host", "volunteer",
})

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“A-Z])")
ASK_LEAD = re.compile(
    r"(?:^|\b)(?:please|(?:i|we)\s+(?:urge|ask|call on|implore)\s+(?:you|them|[\w\s]{1,40}?)\s+to"
    r"|(?:ask|urge|tell)\s+(?:them|him|her|[\w\s]{1,40}?)\s+to|asks?\s+(?:them\s+)?to"
    r"|petition\s+to)\s+(?=\w)", re.IGNORECASE)
_CUT_WORDS = re.compile(r"\s+(?:for|before|by|so|because|in|at|until|after|over|to)\s+")


@dataclass(frozen=True)
class Ask:
    """A found ask: its words, where they came from, and whether they are in Title Case.

    statement, when set, is the petition text's first sentence for it (S1), for an ask that
    is not itself what the target is called on to do ("Tell the council to act on X").
    """

    text: str
    source: str
    title_case: bool
    statement: str = ""


def sentences(text: str) -> list[str]:
    """The text's sentences, stripped."""
    return [piece.strip() for piece in _SENTENCE_END.split(text or "") if piece.strip()]


def clean(phrase: str) -> str:
    """One sentence without its final stop or quotes, cut to TITLE_MAX at a clause."""
    phrase = sentences(phrase)[0] if sentences(phrase) else ""
    phrase = re.split(r"\s+[-–—]\s+|;|:", phrase)[0].strip(" \"“”'.!?,")
    while len(phrase) > TITLE_MAX:
        cuts = [m.start() for m in _CUT_WORDS.finditer(phrase) if len(phrase[:m.start()].split()) >= 3]
        if not cuts:
            return ""
        phrase = phrase[:cuts[-1]].strip(" ,")
    return phrase


def starts_with_ask(phrase: str) -> bool:
    """True when the phrase's first word is an ask verb."""
    words = phrase.split()
    return bool(words) and words[0].lower().strip("\"“") in ASK_VERBS


def article_lower_words(article: ImportedArticle) -> set[str]:
    """Words the article writes in lower case somewhere: evidence they are no proper nouns."""
    texts = list(article.paragraphs) + list(article.commentary)
    for section in article.sections:
        for action in section.actions:
            texts += [action.text] + [item.text for item in action.items]
    return {word for text in texts for word in re.findall(r"\b[a-z][\w'-]*", text)}


def sentence_case(phrase: str, lower_words: set[str]) -> str:
    """A Title Case phrase in sentence case, lowering the words the article writes in lower case."""
    words = phrase.split()
    kept = [words[0].lower()] + [word.lower() if word[:1].isupper() and not word.isupper()
                                 and word.lower() in lower_words else word for word in words[1:]]
    return " ".join(kept)
