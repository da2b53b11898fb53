"""The line-by-line pass over an article file, and read_article."""
from __future__ import annotations

import re
from datetime import datetime

from campaign.articles.actions import (
    _KNOWN_LABEL,
    _TITLE,
    _Draft,
    _finish_action,
    _item,
    _new_action,
    _split_actions,
    _split_items,
)
from campaign.articles.dates import parse_published
from campaign.articles.results import ImportedArticle, Problem, Report, Section

_NEWLINE = re.compile(r"\r\n|\r|\n")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_SPACES = re.compile(r"[\t\u2028\u2029]")
_MARKER = re.compile(
    r"^[*_#\s]*(?i:sign\s+(?:our|the|this)\s+petition(?:\s+(?:now|here|today))?)[*_]*")
_CATEGORIES = re.compile(r"^(?i:categories)\s*:\s*(.*)$")
_HEADING = re.compile(r"^#{1,6}(?:\s+(.*))?$")
_NUMBER = re.compile(r"^([0-9]{1,3})[.)]\s+")
_ACTION_START = re.compile(r"^[0-9]{1,3}[.)]\s+\*\*[^*\n]{1,300}\*\*")
_ITEM_LINE = re.compile(r"^(?:[-•](?:\s+|(?=\*\*))|\*\s+)")


def _clean_lines(text: str) -> tuple[list[str], int]:
    """The file's lines, stripped, without control characters; and how many were removed."""
    raw = _NEWLINE.split(text.removeprefix("\ufeff"))
    if raw[-1] == "":
        raw.pop()  # a final newline ends the last line; it does not start another
    lines, removed = [], 0
    for line in raw:
        line, count = _CONTROLS.subn("", line)
        removed += count
        lines.append(_SPACES.sub(" ", line).strip())
    return lines, removed


def _marker_end(line: str) -> int | None:
    """Where a petition marker opening the line ends, or None when the line is not a marker."""
    marker = _MARKER.match(line)
    if not marker:
        return None
    end = marker.end()
    after = line[end:end + 1]
    if after in (".", "!", ":"):
        return end + 1
    # Run into the next paragraph, the marker meets a capital with no space: "PetitionThe".
    if not after or after.isupper() or after.isdigit() or after in "\"“‘'(":
        return end
    return None


class _Reader:
    """One pass over an article's lines, keeping what it read and what it could not place."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.headline = self.source = self.published_text = self.closing = self.marker = ""
        self.published_at: datetime | None = None
        self.categories: list[str] | None = None
        self.paragraphs: list[str] = []
        self.commentary: list[str] = []
        self.sections: list[tuple[str, list[_Draft]]] = []
        self.pending: list[tuple[int, str]] = []  # plain lines among actions, placed later
        self.part = "news"  # then "commentary" after the marker, "actions" after a heading
        self.read: list[str] = []
        self.notes: list[str] = []
        self.problems: list[Problem] = []

    def header(self) -> int:
        """Read the headline and the `source -- date` line; return the index the body starts at."""
        filled = [index for index, line in enumerate(self.lines) if line][:2]
        if not filled:
            self.notes.append("no text to read")
            return len(self.lines)
        self.headline = self.lines[filled[0]]
        self.read.append("headline")
        if len(filled) > 1 and self._byline(self.lines[filled[1]]):
            return filled[1] + 1
        self.notes.append("no 'source -- date' line after the headline")
        return filled[0] + 1

    def _byline(self, line: str) -> bool:
        source, dashes, printed = line.rpartition(" -- ")
        if not dashes:
            # An editor may have turned "--" into a dash: it counts only before a readable date.
            found = [line.rpartition(dash) for dash in (" — ", " – ") if dash in line]
            found = [parts for parts in found if parse_published(parts[2])[0] is not None]
            if not found:
                return False
            source, dashes, printed = found[0]
        if len(printed) > 120 or len(source) > 200:
            return False  # prose with a dash in it, not a byline
        if dashes != " -- ":
            self.notes.append(f"the byline is split by {dashes.strip()!r}, not '--'")
        self.source, self.published_text = source.strip(), printed.strip()
        self.published_at, why = parse_published(self.published_text)
        self.read.append("source and date")
        if why:
            self.notes.append(why)
        else:
            self.read.append(f"date {self.published_at.isoformat()}")
        return True

    def line(self, number: int, line: str) -> None:
        """Place one line of the body: news, marker, commentary, heading, action or closing."""
        heading = _HEADING.match(line)
        if heading:
            self._flush(ending=False)
            self.sections.append(((heading.group(1) or "").strip().strip("*#").strip(), []))
            self.part = "actions"
        elif self.part != "actions" and _ACTION_START.match(line):
            self.notes.append(f"numbered actions without a ### heading from line {number}")
            self.sections.append(("", []))
            self.part = "actions"
            self._action_line(number, line)
        elif self.part == "actions":
            self._action_line(number, line)
        elif self.part == "commentary":
            self.commentary.append(line)
        else:
            self._news(number, line)

    def _news(self, number: int, line: str) -> None:
        end = _marker_end(line)
        categories = _CATEGORIES.match(line)
        if end is not None:
            self.marker = f"petition marker '{line[:end].strip()}' at line {number}"
            self.part = "commentary"
            self.commentary += [line[end:].strip()] if line[end:].strip() else []
        elif categories and self.categories is not None:
            self.problems.append(Problem(number, line, "a second categories line"))
        elif categories:
            if self.paragraphs:
                self.notes.append(f"the categories line {number} comes after the news began")
            names = categories.group(1).split(",")
            self.categories = [name.strip() for name in names if name.strip()]
        else:
            self.paragraphs.append(line)

    def _action_line(self, number: int, line: str) -> None:
        start, bullet = _NUMBER.match(line), _ITEM_LINE.match(line)
        if start:
            self._flush(ending=False)
            lead, actions = _split_actions(line[start.end():], int(start.group(1)))
            self._add_actions(number, [(int(start.group(1)), lead)] + actions)
        elif bullet or _TITLE.match(line) or _KNOWN_LABEL.match(line):
            self._flush(ending=False)
            current = self._current()
            if current is None:
                self.problems.append(Problem(number, line, "an item before any numbered action"))
                return
            lead, actions = _split_actions(line[bullet.end():] if bullet else line, current.number)
            current.items.extend(_item(piece) for piece in _split_items(lead) if piece)
            self._add_actions(number, actions)
        else:
            self.pending.append((number, line))

    def _add_actions(self, number: int, actions: list[tuple[int, str]]) -> None:
        for action_number, body in actions:
            draft, titled = _new_action(action_number, body)
            self.sections[-1][1].append(draft)
            if not titled:
                self.notes.append(f"action {action_number} at line {number} has no **title**")

    def _current(self) -> _Draft | None:
        return self.sections[-1][1][-1] if self.sections and self.sections[-1][1] else None

    def _flush(self, ending: bool) -> None:
        """Place plain lines met among the actions, now that the next line shows where they go."""
        current, pending, self.pending = self._current(), self.pending, []
        if not pending:
            return
        text = "\n".join(line for _, line in pending)
        if current is None:
            self.problems += [Problem(n, line, "text under a heading before any numbered action")
                              for n, line in pending]
        elif ending:
            self.closing = text
        else:
            current.text = f"{current.text}\n{text}".strip()
            numbers = ", ".join(str(n) for n, _ in pending)
            self.notes.append(f"line {numbers} added to the text of action {current.number}")

    def article(self) -> ImportedArticle:
        """Finish the pass: place what is left and put the article and its report together."""
        self._flush(ending=True)
        if self.headline and self.categories is None:
            self.notes.append("no categories line")
        if self.headline and not self.marker:
            self.notes.append("no petition marker found: the text before the actions is kept as "
                              "news and the commentary is empty")
        sections = [Section(title, [_finish_action(d) for d in drafts])
                    for title, drafts in self.sections]
        count = [] if self.categories is None else [f"categories: {len(self.categories)}"]
        read = self.read + count
        read += [f"news paragraphs: {len(self.paragraphs)}"] * bool(self.headline)
        read += [self.marker] * bool(self.marker)
        read += [f"commentary paragraphs: {len(self.commentary)}"] * bool(self.commentary)
        read += [f"section '{s.title}': actions {len(s.actions)}" for s in sections]
        read += ["closing paragraph"] * bool(self.closing)
        return ImportedArticle(
            headline=self.headline, source=self.source, published_text=self.published_text,
            published_at=self.published_at, categories=self.categories or [],
            paragraphs=self.paragraphs, commentary=self.commentary, sections=sections,
            closing=self.closing, report=Report(len(self.lines), read, self.problems, self.notes))


def read_article(text: str) -> ImportedArticle:
    """Read an article file's text into its parts, with a report of what it could not place."""
    lines, removed = _clean_lines(text)
    reader = _Reader(lines)
    for index in range(reader.header(), len(lines)):
        if lines[index]:
            reader.line(index + 1, lines[index])
    if removed:
        reader.notes.append(f"removed {removed} control characters")
    return reader.article()
