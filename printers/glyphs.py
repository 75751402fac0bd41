"""Draw text the way a receipt printer lays it out, in the project's CJK font, with Pillow.

Used for lines the printer's own font cannot print (sent as raster images) and for the PNG
previews. The layout copies the printer's: font A cells of 12 x 24 dots for a one-byte
(ASCII) character and 24 x 24 for every other one, multiplied by the GS ! size, wrapped at
the paper width and aligned per printed line like ESC a.

The font is Noto Sans Mono CJK SC from Debian's fonts-noto-cjk (the same .ttc file as Noto
Sans CJK SC): its Latin letters are exactly half as wide as its ideographs, like font A.
It is found at the usual install paths or through fontconfig's ``fc-match``.
"""

from __future__ import annotations

import functools
import subprocess
import threading
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from printers.base import PrinterConfigError

__all__ = [
    "RASTER_PITCH",
    "TEXT_PITCH",
    "cells",
    "cjk_font",
    "draw_text",
    "has_glyph",
    "text_rows",
]

Align = Literal["left", "center", "right"]
CELL = 12  # dots: width of a one-byte character in font A (a Chinese one is 2 cells)
TEXT_PITCH = 30  # dots a printed text line advances the paper (ESC 2 default, ~3.75 mm)
RASTER_PITCH = 30  # dots per size step of a line sent as an image (room for descenders)
_BASELINE = 21  # dots from the top of a 24-dot cell to the baseline (ideographs fill 0-24)
FAMILIES = ("Noto Sans Mono CJK SC", "Noto Sans CJK SC")  # preferred first
KNOWN_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch: noto-fonts-cjk
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
)
FC_MATCH = "fc-match"
_render_lock = threading.Lock()  # one FreeType face must not render in two threads at once


@functools.cache
def cjk_font() -> tuple[str, int]:
    """The font file and face index to draw with; `PrinterConfigError` if none is installed."""
    candidates = [Path(path) for path in KNOWN_FONT_FILES if Path(path).is_file()]
    candidates += [path for path in _fc_match() if path not in candidates]
    for family in FAMILIES:
        for path in candidates:
            index = _face_index(path, family)
            if index is not None:
                return str(path), index
    raise PrinterConfigError(
        "no CJK font to print rare characters as images: install Noto Sans CJK SC "
        "(Debian: apt-get install fonts-noto-cjk)"
    )


def _fc_match() -> list[Path]:
    found = []
    for family in FAMILIES:
        try:
            result = subprocess.run(  # noqa: S603 - fixed program and arguments
                [FC_MATCH, "-f", "%{file}", family],
                capture_output=True,
                text=True,
                timeout=5,  # seconds; fontconfig answers from its cache in milliseconds
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        path = Path(result.stdout.strip())
        # fc-match always names some font; _face_index checks it really is the family
        if result.returncode == 0 and path.is_file():
            found.append(path)
    return found


def _face_index(path: Path, family: str) -> int | None:
    for index in range(16):  # a .ttc holds a handful of faces
        try:
            face = ImageFont.truetype(str(path), 24, index=index)
        except OSError:
            return None
        if face.getname()[0] == family:
            return index
    return None


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = cjk_font()
    return ImageFont.truetype(path, 24 * size, index=index)


def cells(char: str) -> int:
    """Font A cells a character takes: 1 for one-byte (ASCII) characters, else 2."""
    return 1 if ord(char) < 0x80 else 2


def text_rows(text: str, *, size: int, width: int) -> list[str]:
    """Split one line into the printed lines a printer makes when it wraps at `width` dots."""
    rows: list[str] = []
    row, used = "", 0
    for char in text:
        step = cells(char) * CELL * size
        if row and used + step > width:
            rows.append(row)
            row, used = "", 0
        row += char
        used += step
    rows.append(row)
    return rows


def draw_text(
    canvas: Image.Image,
    top: int,
    text: str,
    *,
    align: Align,
    size: int,
    bold: bool,
    pitch: int,
) -> int:
    """Draw black text on a white mode "1" canvas from `top`; return the next line's top."""
    for row in text_rows(text, size=size, width=canvas.width):
        used = sum(cells(char) for char in row) * CELL * size
        x = {"left": 0, "center": (canvas.width - used) // 2, "right": canvas.width - used}[align]
        for char in row:
            mask = _glyph(char, size)
            for dx in (0, 1) if bold else (0,):  # emphasized: struck twice, 1 dot apart
                canvas.paste(0, (x + dx, top), mask)
            x += mask.width
        top += pitch
    return top


@functools.lru_cache(maxsize=4096)
def _glyph(char: str, size: int) -> Image.Image:
    """A character's ink (255) on 0, one cell run wide and 30 dots per size step high."""
    font = _font(size)
    width = cells(char) * CELL * size
    image = Image.new("1", (width, RASTER_PITCH * size), 0)
    draw = ImageDraw.Draw(image)
    if char.isspace():
        return image  # blank; separators such as U+2029 make libraqm fail rather than draw nothing
    with _render_lock:
        if not (_may_be_missing(char) and _missing(font, char)):
            try:
                advance = font.getlength(char)
                x = max(0.0, (width - advance) / 2)  # centred in its cells, like fixed pitch
                draw.text((x, _BASELINE * size), char, font=font, fill=255, anchor="ls")
                return image
            except (RuntimeError, OSError):  # the layout engine refused it: draw the box
                image = Image.new("1", image.size, 0)
                draw = ImageDraw.Draw(image)
        # a visible box, as printers do, rather than nothing or a crash
        inset = 2 * size
        box = (inset, size, width - inset - 1, 24 * size - size)
        draw.rectangle(box, outline=255, width=size)
    return image


@functools.lru_cache(maxsize=4096)
def has_glyph(char: str) -> bool:
    """Whether the CJK font draws `char` rather than its .notdef box (spaces count as drawn)."""
    if not _may_be_missing(char):
        return True
    font = _font(1)
    with _render_lock:
        return not _missing(font, char)


def _may_be_missing(char: str) -> bool:
    """False for spaces and GBK characters, which Noto Sans CJK SC all has (saves a render)."""
    if char.isspace():
        return False
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return True
    return False


def _missing(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """Whether the font draws `char` as its .notdef glyph (it has no glyph for it)."""
    try:
        return bytes(font.getmask(char)) == _notdef(font)
    except (UnicodeEncodeError, ValueError):  # a lone surrogate cannot be drawn at all
        return True


@functools.lru_cache(maxsize=16)
def _notdef(font: ImageFont.FreeTypeFont) -> bytes:
    return bytes(font.getmask("\U000f0000"))  # plane 15 private use: never in a font
