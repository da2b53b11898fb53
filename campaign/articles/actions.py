"""Split action lines into numbered actions and items, and classify each action's kind."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from campaign.articles.parts import _contacts, _event, _letter, _organizations
from campaign.articles.results import ImportedAction, Item

_INLINE_ACTION = re.compile(r"(?<=\s)([0-9]{1,3})[.)]\s+(?=\*\*[^*\n]{1,300}\*\*)")
_TITLE = re.compile(r"^\*\*([^*\n]{1,300})\*\*\s*(?::|[-–—](?=\s))?\s*")
_BULLET = re.compile(r"(?<!\S)[-•](?=\s)")
_KNOWN_LABEL = re.compile(
    r"(?i:(e-?mail|address|telephone|phone|tel|fax|website|web|url|link|example|sample letter"
    r"|sample|what to say|what|when|where|date|time|venue|location|note))\s*:\s*")
_QUOTED = re.compile(r"“([^“”\n]{0,2000})”|\"([^\"\n]{0,2000})\"")
_ABBREV = re.compile(r"(?:^|[^\w.])(?:[A-Z]\.){1,3}$")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")


def _plain(text: str) -> str:
    return text.replace("**", "").strip()


def _split_actions(body: str, last: int) -> tuple[str, list[tuple[int, str]]]:
    """Cut a line at each `N. **Title**` numbering the next action: the lead and the actions."""
    spans = [m.span() for m in _QUOTED.finditer(body)]
    cuts = []
    for found in _INLINE_ACTION.finditer(body):
        # Only the next number counts, so a "2. **x**" inside prose is not mistaken for an action.
        if int(found.group(1)) == last + 1 and not _inside(found.start(), spans):
            cuts.append(found)
            last += 1
    ends = [cut.start() for cut in cuts[1:]] + [len(body)]
    actions = [(int(cut.group(1)), body[cut.end():end].strip()) for cut, end in zip(cuts, ends)]
    return body[:cuts[0].start() if cuts else len(body)].strip(), actions


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] < position < spans[index][1]


def _split_items(text: str) -> list[str]:
    """Cut text at its item bullets; the first piece is the text before any bullet."""
    spans = [m.span() for m in _QUOTED.finditer(text)]
    pieces, start = [], 0
    for bullet in _BULLET.finditer(text):
        at, end = bullet.span()
        if not _inside(at, spans) and _is_item_start(text, at, end):
            pieces.append(text[start:at].strip())
            start = end
    return pieces + [text[start:].strip()]


def _is_item_start(text: str, start: int, end: int) -> bool:
    """Whether a ` - ` begins an item, rather than sitting in prose or an address."""
    before = start - 1
    while before >= 0 and text[before].isspace():
        before -= 1
    if before < 0 or text[before] == ":":
        return True
    after = end
    while after < len(text) and text[after].isspace():
        after += 1
    if text.startswith("**", after) or _KNOWN_LABEL.match(text, after):
        return True
    # A sentence ended and a new one begins: "...negotiations. - Express ..." (not "D.C. - ").
    following = text[after:after + 1]
    if text[before] not in ".!?;)”\"" or not following:
        return False
    if not (following.isupper() or following in "“\""):
        return False
    return not _ABBREV.search(text[max(0, before - 8):before + 1])


def _item(piece: str) -> Item:
    """One item: `**Label**: text`, `Label: text` for the usual labels, or plain text."""
    bold = _TITLE.match(piece)
    if bold:
        return Item(_plain(bold.group(1)).rstrip(":").strip(), _plain(piece[bold.end():]))
    known = _KNOWN_LABEL.match(piece)
    if known:
        return Item(known.group(1), _plain(piece[known.end():]))
    return Item("", _plain(piece))


@dataclass
class _Draft:
    """An action while its lines are still being read."""

    number: int
    title: str
    text: str
    items: list[Item] = field(default_factory=list)


def _new_action(number: int, body: str) -> tuple[_Draft, bool]:
    """An action from `**Title**: text - items`; False when its title was not in bold."""
    bold = _TITLE.match(body)
    if bold:
        title, rest = bold.group(1), body[bold.end():]
    else:
        head, colon, tail = body.partition(":")
        title, rest = (head, tail) if colon and len(head) <= 80 else ("", body)
    pieces = _split_items(rest)
    items = [_item(piece) for piece in pieces[1:] if piece]
    return _Draft(number, _plain(title).rstrip(":").strip(), _plain(pieces[0]), items), bool(bold)


_ORGANIZE_GATHERING = (r"\borgani[sz]e (?:a|an|your own) (?:[\w-]+ )?(?:gathering|meeting|event"
                       r"|discussion|forum|vigil|rally|march|meetup|teach-in|workshop|screening)")
_KIND_WORDS = [(kind, re.compile("|".join(words), re.IGNORECASE)) for kind, words in (
    ("petition", [r"petition"]),
    ("host", [r"\bhost", r"community discussion", _ORGANIZE_GATHERING]),
    ("event", [r"\battend", r"meeting", r"\brall(?:y|ies)\b", r"town hall", r"\bevents?\b",
               r"\bvigil", r"\bmarch\b", r"protest", r"hearing", r"testify"]),
    ("letter", [r"letter", r"what to say"]),
    ("contact", [r"contact", r"write to", r"\bcall\b", r"\be-?mail", r"officials?\b",
                 r"representatives?\b", r"senators?\b", r"\bMPs?\b", r"council", r"congress",
                 r"lawmakers", r"legislators", r"governor", r"mayor"]),
    ("organizations", [r"organi[sz]ations?", r"\bngos?\b", r"\bgroups?\b", r"donat", r"charit",
                       r"non-?profits?"]),
    ("share", [r"\bshare", r"social media", r"hashtags?", r"spread the word", r"\bpost\b"]),
)]


def _kind_of(words: str) -> str:
    """The kind whose keyword is first: "Share the petition" shares; "Sign the petition" signs."""
    found = [(match.start(), order, kind) for order, (kind, pattern) in enumerate(_KIND_WORDS)
             if (match := pattern.search(words))]
    return min(found)[2] if found else "text"


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


def _finish_action(draft: _Draft) -> ImportedAction:
    """Classify a read action and pick out its contacts, letter, groups, hashtags and event."""
    items = draft.items
    words = [draft.title, draft.text] + [f"{item.label} {item.text}" for item in items]
    tags = [tag for text in words for tag in _HASHTAG.findall(text) if not tag.isdigit()]
    hashtags = _unique(tags)
    contacts, letter = _contacts(items), _letter(items)
    kind = _kind_of(draft.title)
    if kind == "text":
        # The title says nothing we know: what the items hold decides.
        kind = ("contact" if contacts else "letter" if letter else "share" if hashtags
                else _kind_of(" ".join(item.label for item in items)))
    elif kind == "contact" and letter and not contacts:
        kind = "letter"  # "Write to your members of Congress" with only a letter to send
    titles = [a or b for text in words for a, b in _QUOTED.findall(text) if (a or b).strip()]
    return ImportedAction(
        number=draft.number, title=draft.title, kind=kind, text=draft.text, items=list(items),
        contacts=contacts, letter=letter if kind in ("letter", "contact") else None,
        organizations=_organizations(items) if kind == "organizations" else [],
        hashtags=hashtags, petition_titles=_unique(titles) if kind == "petition" else [],
        event=_event(kind, draft.text, items) if kind in ("event", "host") else None)
