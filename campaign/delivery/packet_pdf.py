"""A delivery packet as a PDF (fpdf2), in embedded Unicode fonts so that every name prints.

DejaVu Sans (campaign/delivery/fonts, with its licence) covers Latin, Greek, Cyrillic, Armenian,
Georgian, Hebrew and Arabic; right-to-left and joined scripts go through HarfBuzz shaping.
Characters it lacks (Chinese, Japanese, Korean, Indic, Thai...) come glyph by glyph from the
first of PACKET_FALLBACK_FONTS that has them; a name no font can show is replaced by a note
saying so, never left blank.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from campaign.plurals import counted

if TYPE_CHECKING:
    from campaign.delivery.contents import Packet, Signer

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuSans"
UNPRINTABLE = "(a name in a script this PDF's fonts lack)"
BODY, SMALL, HEADING, TITLE = 10.5, 8.5, 13, 17
LINE = 5.2
ROW = 4.8
# Text that needs a shaping engine: right-to-left, joined or reordered scripts.
_COMPLEX = re.compile("[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
                      "\ufb1d-\ufdff\ufe70-\ufeff]")


class _GlyphsWithoutNames(logging.Filter):
    """fpdf2 logs the characters its font lacks, which come from signers' names: keep the count."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Font %s is missing the following glyphs: %s":
            record.msg = "a delivery packet's font lacks %s glyphs used in it: they print blank"
            record.args = (str(record.args[1]).count("(\\u") if record.args else "some",)
        return True


logging.getLogger("fpdf.output").addFilter(_GlyphsWithoutNames())
# Subsetting a fallback font says, for each PDF, which of the font's own tables it drops
# (hinting sources no PDF needs): nothing for the app's log.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


@cache
def _characters(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for; none when it cannot be read as a font."""
    try:
        with open(path, "rb") as file, TTFont(file, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # any file can be named in the setting: a packet must still print
        logging.getLogger(__name__).exception("PACKET_FALLBACK_FONTS: %s is not a usable font", path)
        return frozenset()


def _needed(text: str) -> set[int]:
    # Spaces and invisible joiners need no glyph of their own.
    return {ord(c) for c in text if not c.isspace() and unicodedata.category(c) != "Cf"}


def fallback_fonts() -> list[Path]:
    """The configured fallback font files that exist on this machine, in order."""
    configured = current_app.config["PACKET_FALLBACK_FONTS"] if has_app_context() else ""
    return [path for path in map(Path, configured.split()) if path.is_file() and _characters(path)]


def _day(moment: datetime | None) -> str:
    return f"{moment.day} {moment:%B %Y}" if moment else ""


class _PacketPDF(FPDF):
    packet: Packet

    def __init__(self, page_size: str) -> None:
        super().__init__(format=page_size)
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.own_characters = _characters(FONTS / "DejaVuSans.ttf")
        self.fallbacks = fallback_fonts()
        self.added: dict[Path, str] = {}  # fallbacks embedded so far, by file: parsed only if used
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=16)
        self.set_creator("Campaign")

    def footer(self) -> None:
        self.set_y(-12)
        rep = self.packet.representative
        text = f"{self.packet.campaign_title} · for {rep.name} · page {self.page_no()} of {{nb}}"
        self.can_print(text)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(90)
        self.cell(0, 4, text, align="C")
        self.set_text_color(0)

    def can_print(self, text: str) -> bool:
        """Whether the fonts have every character of the text; embeds the fallbacks it needs."""
        missing = _needed(text) - self.own_characters
        for path in self.fallbacks:
            if not missing:
                break
            covered = missing & _characters(path)
            if covered:
                self._embed(path)
                missing -= covered
        return not missing

    def _embed(self, path: Path) -> None:
        if path in self.added:
            return
        family = self.added[path] = f"Fallback{len(self.added)}"
        bold = path.with_name(path.name.replace("-Regular", "-Bold"))
        self.add_font(family, "", path)
        self.add_font(family, "B", bold if bold != path and bold.is_file() else path)
        # fpdf2 takes each glyph the current font lacks from the first fallback that has it.
        self.set_fallback_fonts(list(self.added.values()))

    def text_block(self, text: str, size: float = BODY, style: str = "", height: float = LINE) -> None:
        """A wrapped paragraph, with fallback fonts where it needs them, shaped when needed."""
        self.can_print(text)  # what no font has is logged (as a count) and prints blank
        self.set_font(FAMILY, style, size)
        self.set_text_shaping(bool(_COMPLEX.search(text)))
        self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_shaping(False)


def render(packet: Packet) -> bytes:
    """The packet's PDF."""
    # Fonts are read again for each document: fpdf2 subsets a font in place as it writes.
    pdf = _PacketPDF(packet.page_size)
    pdf.packet = packet
    pdf.set_title(f"{packet.campaign_title}: {packet.representative.name}")
    pdf.set_creation_date(packet.generated_at)
    pdf.add_page()
    _heading(pdf, packet)
    _petition(pdf, packet)
    _manifest(pdf, packet)
    if packet.signers is None:
        pdf.ln(2)
        pdf.text_block(packet.no_names_text)
    else:
        _signer_list(pdf, packet.signers)
    return bytes(pdf.output())


def _heading(pdf: _PacketPDF, packet: Packet) -> None:
    rep = packet.representative
    pdf.text_block(f"Petition: {packet.campaign_title}", TITLE, "B", 8)
    pdf.ln(1)
    pdf.text_block(f"For {rep.name}, {rep.office}, {packet.seat_label}", HEADING, "B", 6.5)
    pdf.ln(2)
    noun = "constituent" if packet.count == 1 else "constituents"
    pdf.text_block(f"{packet.count:,} {noun} of yours signed this petition.", HEADING, "", 6.5)
    if packet.first_signed:
        pdf.text_block(f"Signed between {_day(packet.first_signed)} and "
                       f"{_day(packet.last_signed)} (UTC); only confirmed signatures are counted.")
    if packet.in_shared:
        lives = "lives" if packet.in_shared == 1 else "live"
        pdf.text_block(f"A further {counted(packet.in_shared, 'signer')} {lives} in ZIP codes or postcodes "
                       "shared with a neighbouring district; they are not counted here.", SMALL)


def _petition(pdf: _PacketPDF, packet: Packet) -> None:
    pdf.ln(3)
    pdf.text_block("The petition", HEADING, "B", 6.5)
    if packet.target:
        pdf.text_block(f"Addressed to: {packet.target}", BODY, "B")
    pdf.text_block(packet.petition_text or "(no petition text)")
    if packet.article_headline or packet.article_source:
        pdf.ln(2)
        source = ", ".join(part for part in (packet.article_source, packet.article_published) if part)
        pdf.text_block(f"The campaign began with the article “{packet.article_headline}”"
                       + (f" ({source})" if source else "") + ".", SMALL, "", 4.4)
        if packet.article_url:
            pdf.text_block(packet.article_url, SMALL, "", 4.4)


def _manifest(pdf: _PacketPDF, packet: Packet) -> None:
    pdf.ln(3)
    pdf.set_fill_color(238, 241, 244)
    pdf.set_font(FAMILY, "B", SMALL)
    pdf.multi_cell(0, 4.6, f"Manifest: {counted(packet.count, 'signer')} · SHA-256 {packet.sha256}",
                   fill=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, padding=(1.5, 2))
    pdf.text_block(packet.check_text, SMALL, "", 4.2)
    pdf.text_block(f"Prepared {packet.generated_at:%Y-%m-%d %H:%M} UTC.", SMALL, "", 4.2)


def _signer_list(pdf: _PacketPDF, signers: list[Signer]) -> None:
    pdf.ln(3)
    pdf.text_block("Constituents who signed (name, town)", HEADING, "B", 6.5)
    name_width = (pdf.epw - 4) * 0.55
    town_width = pdf.epw - 4 - name_width
    fits = name_width - 2 * pdf.c_margin
    for index, signer in enumerate(signers, 1):
        number = f"{index:,}."
        name, town = _printable(pdf, signer.name), _printable(pdf, signer.town)
        pdf.set_font(FAMILY, "", BODY - 1)
        if (_needed(name + town) <= pdf.own_characters and not _COMPLEX.search(name + town)
                and pdf.get_string_width(name) <= fits and pdf.get_string_width(town) <= fits):
            pdf.set_x(pdf.l_margin)
            pdf.cell(14, ROW, number, align="R")
            pdf.cell(name_width - 10, ROW, name)
            pdf.cell(town_width, ROW, town, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            _long_row(pdf, number, name, town, name_width - 10, town_width)


def _printable(pdf: _PacketPDF, text: str) -> str:
    """The text, or a note saying it cannot be shown when no font has its characters."""
    return text if pdf.can_print(text) else UNPRINTABLE


def _long_row(pdf: _PacketPDF, number: str, name: str, town: str, name_width: float,
              town_width: float) -> None:
    """A row whose name or town wraps, needs shaping or another font: kept together on one page."""
    pdf.set_text_shaping(bool(_COMPLEX.search(name + town)))
    lines = max(len(pdf.multi_cell(name_width, ROW, name, align="L", dry_run=True, output="LINES")),
                len(pdf.multi_cell(town_width, ROW, town, align="L", dry_run=True, output="LINES")))
    if pdf.will_page_break(lines * ROW):
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_x(pdf.l_margin)
    pdf.cell(14, ROW, number, align="R")
    pdf.multi_cell(name_width, ROW, name, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.multi_cell(town_width, ROW, town, align="L", new_x=XPos.LMARGIN, new_y=YPos.TOP)
    pdf.set_text_shaping(False)
    pdf.set_y(top + lines * ROW)
