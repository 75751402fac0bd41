"""Setting CJK text: per-character font fallback, line breaking with 禁则, shrink-to-fit."""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from printers.licence.fonts import MISSING_GLYPH, LicenceFonts, glyph_picture

__all__ = ["Block", "Glyph", "clean_text", "draw_line", "fit_block", "line_width", "shape", "wrap"]

# 禁则处理 (line-breaking rules): these never start a line ...
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉’”…—·%,.;:?!)]}>-/")
# ... and these never end one.
NO_LINE_END = frozenset("（《「『【〔〈‘“([{<")


class Glyph(NamedTuple):
    """One character and the registered font it is drawn in (or stands in for a picture)."""

    char: str
    font: str
    width: float  # advance at 1 pt, in points
    picture: bool = False  # drawn as a picture from a font reportlab cannot embed


@dataclass(frozen=True)
class Block:
    """Text fitted to a box: its lines and the font size that made them fit."""

    lines: list[list[Glyph]]
    size: float  # points
    leading: float  # baseline to baseline, in points


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """NFC text without control or format characters; tabs and (unkept) newlines to spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\t", " ")
    if not keep_newlines:
        text = text.replace("\n", " ")
    return "".join(
        ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )


@functools.cache
def _width(font: str, char: str) -> float:
    return float(pdfmetrics.stringWidth(char, font, 1.0))


def shape(text: str, fonts: LicenceFonts, preferred: str) -> list[Glyph]:
    """`text` as glyphs, each in the first font that has it (see `fonts` for the fallbacks)."""
    glyphs = []
    for char in text:
        if char == "\n":
            glyphs.append(Glyph(char, preferred, 0.0))
            continue
        font = fonts.font_for(char, preferred)
        if font is not None:
            glyphs.append(Glyph(char, font, _width(font, char)))
            continue
        picture = glyph_picture(char)
        if picture is not None:
            glyphs.append(Glyph(char, preferred, picture.advance, picture=True))
        else:  # nothing installed has it: show that something is missing, never drop it
            glyphs.append(Glyph(MISSING_GLYPH, preferred, _width(preferred, MISSING_GLYPH)))
    return glyphs


def line_width(glyphs: Sequence[Glyph], size: float) -> float:
    """Width of a line of glyphs at `size` points."""
    return sum(g.width for g in glyphs) * size


def _is_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "._@")


def _can_break_before(glyphs: Sequence[Glyph], i: int) -> bool:
    before, char = glyphs[i - 1].char, glyphs[i].char
    if char == " " or before == " ":
        return True  # spaces at either end of a line are dropped
    if char in NO_LINE_START or before in NO_LINE_END:
        return False
    return not (_is_word(before) and _is_word(char))  # keep "91430102MA4L" or "www" whole


def wrap(glyphs: Sequence[Glyph], max_width: float, size: float) -> list[list[Glyph]]:
    """Break into lines no wider than `max_width` points, following 禁则 (see below)."""
    # Breaks fall between CJK characters or at spaces, never before 。，） or after （;
    # Latin words and numbers stay whole unless wider than a line.
    limit = max_width / size
    lines: list[list[Glyph]] = []
    start, count = 0, len(glyphs)
    while start < count:
        while start < count and glyphs[start].char == " ":
            start += 1
        x, i, last_break, end = 0.0, start, 0, count
        while i < count:
            if glyphs[i].char == "\n":
                end = i
                break
            if x + glyphs[i].width > limit + 1e-9 and i > start:
                end = last_break if last_break > start else i
                break
            x += glyphs[i].width
            i += 1
            if i < count and glyphs[i].char != "\n" and _can_break_before(glyphs, i):
                last_break = i
        line = list(glyphs[start:end])
        while line and line[-1].char == " ":
            line.pop()
        if line or end < count:
            lines.append(line)
        start = end + 1 if end < count and glyphs[end].char == "\n" else end
    return lines


def fit_block(
    glyphs: Sequence[Glyph],
    width: float,
    height: float,
    *,
    max_size: float,
    min_size: float,
    leading: float = 1.4,
    overflow: Sequence[Glyph] = (),
) -> Block:
    """Set the text at the largest size (0.25 pt steps) that fits the box, else cut it."""
    # Cut text (when even min_size is too big) ends with `overflow`, e.g. "……（详见验证页）".
    steps = max(0, math.floor((max_size - min_size) / 0.25))
    low, high = 0, steps  # index k means size max_size - 0.25 k; find the smallest that fits
    best: list[list[Glyph]] | None = None
    while low <= high:
        middle = (low + high) // 2
        size = max_size - 0.25 * middle
        lines = wrap(glyphs, width, size)
        if len(lines) * size * leading <= height + 1e-6:
            best, best_size, high = lines, size, middle - 1
        else:
            low = middle + 1
    if best is not None:
        return Block(best, best_size, best_size * leading)
    return _truncated(glyphs, width, height, min_size, leading, overflow)


def _truncated(
    glyphs: Sequence[Glyph],
    width: float,
    height: float,
    size: float,
    leading: float,
    overflow: Sequence[Glyph],
) -> Block:
    room = max(1, math.floor(height / (size * leading) + 1e-6))
    lines = wrap(glyphs, width, size)[:room]
    tail = list(overflow)
    last = lines[-1]
    while last and line_width(last, size) + line_width(tail, size) > width:
        last.pop()
    lines[-1] = last + tail
    return Block(lines, size, size * leading)


def draw_line(
    canvas: Canvas,
    glyphs: Sequence[Glyph],
    x: float,
    y: float,
    size: float,
    char_space: float = 0.0,
) -> float:
    """Draw glyphs on baseline `y`, `char_space` points apart; returns the x after them."""
    # One text run per font, so copy-paste and search see whole words.
    run: list[str] = []
    run_font = ""
    run_x = x
    for glyph in glyphs:
        if run and (glyph.picture or glyph.font != run_font):
            _draw_run(canvas, run, run_font, run_x, y, size, char_space)
            run = []
        if glyph.picture:
            _draw_picture(canvas, glyph, x, y, size)
        else:
            if not run:
                run_font, run_x = glyph.font, x
            run.append(glyph.char)
        x += glyph.width * size + char_space
    if run:
        _draw_run(canvas, run, run_font, run_x, y, size, char_space)
    return x - char_space if glyphs else x


def _draw_run(
    canvas: Canvas, run: list[str], font: str, x: float, y: float, size: float, space: float
) -> None:
    canvas.setFont(font, size)
    canvas.drawString(x, y, "".join(run), charSpace=space)


def _draw_picture(canvas: Canvas, glyph: Glyph, x: float, y: float, size: float) -> None:
    picture = glyph_picture(glyph.char)
    if picture is None:  # shape() makes picture glyphs only for characters that have one
        return
    bottom = y - picture.descent * size
    canvas.drawImage(
        ImageReader(picture.image), x, bottom, picture.advance * size, picture.height * size
    )
    # Copy-paste and pdftotext read the character from /ActualText on an invisible stand-in.
    utf16 = glyph.char.encode("utf-16-be").hex().upper()
    canvas.addLiteral(f"/Span <</ActualText <FEFF{utf16}>>> BDC")
    text = canvas.beginText(x, y)
    text.setTextRenderMode(3)  # invisible
    text.setFont(glyph.font, size)
    text.textOut(MISSING_GLYPH)
    text.setTextRenderMode(0)
    canvas.drawText(text)
    canvas.addLiteral("EMC")
