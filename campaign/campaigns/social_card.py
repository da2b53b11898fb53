"""Social preview cards: the 1200×630 PNG that Open Graph and Twitter show for a campaign.

render_card() draws one card with Pillow; CardCache keeps rendered cards in memory and, when
given a directory, on disk, so that a card is drawn once per count_bucket() rather than per
request, and once for all worker processes.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
# The colours of campaign.css.
INK, MUTED, ACCENT = "#1d2125", "#555d66", "#0b5cad"
PAPER, SOFT, LINE, TRACK_OUTLINE = "#ffffff", "#f3f5f7", "#d5dae0", "#8a939c"

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Part of every file name on disk: bump it when the drawing changes, so old cards are not served.
DESIGN_VERSION = 1

MARGIN = 72
STRIPE = 14  # the accent stripe down the left edge
TEXT_WIDTH = WIDTH - 2 * MARGIN
BAND_TOP = 460  # the grey band that holds the count and the bar
BAR_BOX = (MARGIN, BAND_TOP + 102, WIDTH - MARGIN, BAND_TOP + 134)
TITLE_SIZES = (76, 68, 60, 54, 48)
HEADLINE_SIZE = 32
ELLIPSIS = "…"
MAX_CHARS = 400  # more than three lines can show; keeps measuring cheap on absurd input

# FreeType faces must not be used by two threads at once; cards are rare thanks to CardCache.
_render_lock = threading.Lock()


def render_card(
    *, title: str, headline: str, count: int, goal: int, site_name: str = "Campaign"
) -> bytes:
    """A 1200×630 RGB PNG: title, news headline, count towards the goal and a progress bar.

    The count is shown exactly as passed; a caller that caches cards passes count_bucket(count).
    """
    card = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(card)
    with _render_lock:
        draw.rectangle((0, 0, STRIPE - 1, HEIGHT), fill=ACCENT)
        brand = _font(32, bold=True)
        draw.text((MARGIN, 56), _ellipsize(_clean(site_name), brand, TEXT_WIDTH),
                  font=brand, fill=ACCENT, anchor="lm")
        _draw_story(draw, _clean(title), _clean(headline))
        draw.rectangle((STRIPE, BAND_TOP, WIDTH, HEIGHT), fill=SOFT)
        draw.line((STRIPE, BAND_TOP, WIDTH, BAND_TOP), fill=LINE, width=2)
        _draw_count(draw, max(count, 0), goal)
        _draw_bar(card, _fraction(count, goal))
    out = io.BytesIO()
    card.save(out, "PNG")
    return out.getvalue()


def count_label(count: int, goal: int) -> str:
    """'12,345 signatures · goal 50,000' ('1 signature'; no goal part without a goal)."""
    label = f"{count:,} signature{'' if count == 1 else 's'}"
    return f"{label} · goal {goal:,}" if goal > 0 else label


def count_bucket(count: int) -> int:
    """The count a cached card shows: exact below 100, then 2 significant figures, rounded down.

    1,234 → 1,200 and 56,789 → 56,000, so a viral petition's card is redrawn about a hundred
    times per tenfold growth instead of once per signature; the card never overstates.
    """
    if count < 100:
        return count
    step = 10 ** (len(str(count)) - 2)
    return count // step * step


@functools.lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> Font:
    """DejaVu Sans when installed (accents, Greek, Cyrillic...), else the font bundled in Pillow."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _clean(text: str) -> str:
    """One line of drawable text: controls become spaces, lone surrogates go, spaces collapse."""
    kept = (
        " " if unicodedata.category(c) == "Cc" else c
        for c in text[: MAX_CHARS * 2]
        if unicodedata.category(c) != "Cs"
    )
    return " ".join("".join(kept).split())[:MAX_CHARS]


def _fit(text: str, font: Font, width: float) -> int:
    """How many leading characters of text fit in width (at least one, so wrapping advances)."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if font.getlength(text[:mid]) <= width:
            low = mid
        else:
            high = mid - 1
    return low


def _ellipsize(line: str, font: Font, width: float, force: bool = False) -> str:
    """line, or as much of it as fits followed by '…' (always the '…' when force is set)."""
    if not force and font.getlength(line) <= width:
        return line
    room = width - font.getlength(ELLIPSIS)
    kept = line[: _fit(line, font, room)] if line and font.getlength(line) > room else line
    if len(kept) < len(line) and not line[len(kept)].isspace():
        # Do not end on half a word, unless that word is most of the line.
        space = kept.rfind(" ")
        kept = kept[:space] if space > len(kept) // 2 else kept
    return kept.rstrip(" ,;:.-–—") + ELLIPSIS


def _wrap(text: str, font: Font, width: float, max_lines: int) -> tuple[list[str], bool]:
    """Lines broken between words (inside a word only if it is wider than a line) and
    whether text was cut short to max_lines, the last line then ending in '…'."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while len(lines) <= max_lines and font.getlength(line) > width:
            cut = _fit(line, font, width)
            lines.append(line[:cut])
            line = line[cut:]
        if len(lines) > max_lines:
            break
    if line:
        lines.append(line)
    if len(lines) <= max_lines:
        return lines, False
    lines = lines[:max_lines]
    lines[-1] = _ellipsize(lines[-1], font, width, force=True)
    return lines, True


def _title_lines(title: str, room: int) -> tuple[Font, int, list[str]]:
    """The largest title size at which the whole title fits in room (at most 3 lines)."""
    for size in TITLE_SIZES:
        font, line_height = _font(size, bold=True), round(size * 1.14)
        lines, cut = _wrap(title, font, TEXT_WIDTH, max(1, min(3, room // line_height)))
        if not cut:
            return font, line_height, _balance(title, font, len(lines))
    return font, line_height, lines


def _balance(text: str, font: Font, count: int) -> list[str]:
    """text wrapped to count lines of even length (no lone last word), as CSS text-wrap: balance."""
    low, high = TEXT_WIDTH // 2, TEXT_WIDTH
    while high - low > 8:  # the narrowest width that still takes no more lines
        middle = (low + high) // 2
        if not _wrap(text, font, middle, count)[1]:
            high = middle
        else:
            low = middle
    return _wrap(text, font, high, count)[0]


def _draw_story(draw: ImageDraw.ImageDraw, title: str, headline: str) -> None:
    """Title and 'From the news:' headline, centred in the space between brand and band."""
    top, bottom = 96, BAND_TOP - 24
    news_font, news_height = _font(HEADLINE_SIZE), round(HEADLINE_SIZE * 1.35)
    prefix = "From the news:"
    news, _ = _wrap(f"{prefix} {headline}", news_font, TEXT_WIDTH, 2) if headline else ([], False)
    gap = 26 if news and title else 0
    title_font, title_height, lines = _title_lines(
        title, bottom - top - gap - len(news) * news_height
    )
    block = len(lines) * title_height + gap + len(news) * news_height
    y = top + max(0, (bottom - top - block) // 2)
    x, anchor = (WIDTH - MARGIN, "ra") if _right_to_left(title) else (MARGIN, "la")
    for line in lines:
        draw.text((x, y), line, font=title_font, fill=INK, anchor=anchor)
        y += title_height
    y += gap
    for index, line in enumerate(news):
        x = MARGIN
        if index == 0 and line.startswith(prefix):
            draw.text((x, y), prefix, font=news_font, fill=ACCENT)
            # Measured with its space, drawn without: a leading space would move to the
            # far end of a right-to-left headline.
            x += news_font.getlength(f"{prefix} ")
            line = line[len(prefix):].lstrip()
        draw.text((x, y), line, font=news_font, fill=MUTED)
        y += news_height


def _right_to_left(text: str) -> bool:
    """Whether text starts, in its first letter with a direction, as Arabic or Hebrew does."""
    directions = (unicodedata.bidirectional(char) for char in text)
    return next((d != "L" for d in directions if d in ("L", "R", "AL")), False)


def _draw_count(draw: ImageDraw.ImageDraw, count: int, goal: int) -> None:
    """'12,345 signatures · goal 50,000' with the number large, and the percentage at right."""
    baseline = BAND_TOP + 76
    number = f"{count:,}"
    rest = count_label(count, goal)[len(number):]
    big, small = _font(48, bold=True), _font(30)
    draw.text((MARGIN, baseline), number, font=big, fill=INK, anchor="ls")
    x = MARGIN + big.getlength(number)
    draw.text((x, baseline), rest, font=small, fill=MUTED, anchor="ls")
    if goal <= 0:
        return
    status = "Goal reached" if count >= goal else f"{count * 100 // goal}%"
    status_font = _font(34, bold=True)
    if x + small.getlength(rest) + 40 + status_font.getlength(status) <= WIDTH - MARGIN:
        draw.text((WIDTH - MARGIN, baseline), status, font=status_font, fill=ACCENT, anchor="rs")


def _fraction(count: int, goal: int) -> float:
    """How much of the bar to fill, 0 to 1 (full when there is no goal, as on the page)."""
    return min(1.0, max(0, count) / goal) if goal > 0 else 1.0


def _draw_bar(card: Image.Image, fraction: float) -> None:
    """A rounded track outlined in grey, filled in accent blue; drawn 4× and scaled down to
    smooth the curves, which Pillow does not anti-alias."""
    x0, y0, x1, y1 = BAR_BOX
    scale, width, height = 4, (x1 - x0) * 4, (y1 - y0) * 4
    layer = Image.new("RGB", (width, height), SOFT)
    draw = ImageDraw.Draw(layer)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 2, fill=PAPER,
                           outline=TRACK_OUTLINE, width=2 * scale)
    if fraction > 0:  # never narrower than a dot, so one signature shows
        filled = max(height, round(width * fraction))
        draw.rounded_rectangle((0, 0, filled - 1, height - 1), radius=height // 2, fill=ACCENT)
    card.paste(layer.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS), (x0, y0))


class CardCache:
    """Rendered cards by key, built once: in memory (least recently used go first beyond
    max_entries) and, given a directory, in files that all worker processes share.

    Keys are tuples of plain values with a stable repr, such as
    (campaign_id, title, headline, count_bucket(count), goal): a new bucket is a new card.
    Files are never pruned here; a new DESIGN_VERSION leaves the old ones unread.
    """

    def __init__(self, directory: Path | None, max_entries: int = 256) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.directory = Path(directory) if directory is not None else None
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._building: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        """The bytes cached under key, from memory, else from disk, else from build()."""
        if (data := self._recall(key)) is not None:
            return data
        with self._lock:
            key_lock = self._building.setdefault(key, threading.Lock())
        try:
            with key_lock:  # one thread builds a key; others wanting it wait, then recall it
                if (data := self._recall(key)) is not None:
                    return data
                data = self._read(key)
                if data is None:
                    data = build()
                    self._write(key, data)
                self._remember(key, data)
                return data
        finally:
            with self._lock:
                if self._building.get(key) is key_lock:
                    del self._building[key]

    def _recall(self, key: tuple) -> bytes | None:
        with self._lock:
            data = self._entries.get(key)
            if data is not None:
                self._entries.move_to_end(key)
            return data

    def _remember(self, key: tuple, data: bytes) -> None:
        with self._lock:
            self._entries[key] = data
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _path(self, key: tuple) -> Path:
        digest = hashlib.sha256(repr((DESIGN_VERSION, key)).encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.png"

    def _read(self, key: tuple) -> bytes | None:
        if self.directory is None:
            return None
        with contextlib.suppress(OSError):  # missing, or unreadable: build it (_write then warns)
            return self._path(key).read_bytes()
        return None

    def _write(self, key: tuple, data: bytes) -> None:
        """Write to a temporary file and rename it, so no process ever reads half a card."""
        if self.directory is None:
            return
        temporary = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".card-", suffix=".tmp")
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, self._path(key))
        except OSError:
            # The card is still served from memory; only the sharing between processes is lost.
            log.warning("Could not write a social card to %s", self.directory, exc_info=True)
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
