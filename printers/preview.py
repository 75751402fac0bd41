"""Draw a receipt as the printer would print it, as a PNG: for previews and virtual://.

One pixel is one printer dot (203 dpi): the image is the profile's paper width in dots wide
(576 for 80 mm, 384 for 58 mm). Text uses the printer's cell grid (see `printers.glyphs`):
a text line advances 30 dots (the ESC 2 default) or the character height if larger, a line
the printer gets as an image takes that image's height, a rule is the dashes the printer
prints, a feed is blank lines, and the QR code is a real level M symbol with the element's
module size (shrunk to fit the paper, like the image QR codes). The slip ends with the six
lines the cutter feed adds and a dashed cut line. The same receipt gives the same bytes.
"""

from __future__ import annotations

import io
from typing import assert_never

from PIL import Image, ImageDraw

from printers.document import Feed, QRCode, Receipt, Rule, Text
from printers.escpos import clean_text, layout_text, printable_as_text, qr_image, slip_elements
from printers.glyphs import RASTER_PITCH, TEXT_PITCH, draw_text
from printers.profile import DEFAULT_PROFILE, PrinterProfile

__all__ = ["render_image", "render_png"]

CUT_FEED = 6  # lines: encode_receipt's cut() feeds this much before cutting
CUT_MARGIN = 12  # dots of paper drawn below the cut line
_DASH, _GAP = 8, 6  # dots: the dashed cut line


def render_png(
    receipt: Receipt, *, profile: PrinterProfile = DEFAULT_PROFILE, reprint: bool = False
) -> bytes:
    """The slip as a black-and-white PNG, one pixel per printer dot."""
    buffer = io.BytesIO()
    dpi = 203  # dots per inch of 58 and 80 mm thermal receipt printers
    render_image(receipt, profile=profile, reprint=reprint).save(
        buffer, format="PNG", dpi=(dpi, dpi)
    )
    return buffer.getvalue()


def render_image(
    receipt: Receipt, *, profile: PrinterProfile = DEFAULT_PROFILE, reprint: bool = False
) -> Image.Image:
    """The slip as a Pillow image (mode "1": black dots on white)."""
    blocks = [_block(element, profile) for element in slip_elements(receipt, reprint=reprint)]
    body = sum(block.height for block in blocks)
    height = body + CUT_FEED * TEXT_PITCH + CUT_MARGIN
    page = Image.new("1", (profile.dots, height), 1)
    top = 0
    for block in blocks:
        page.paste(block, (0, top))
        top += block.height
    top += CUT_FEED * TEXT_PITCH
    draw = ImageDraw.Draw(page)
    for x in range(0, profile.dots, _DASH + _GAP):
        draw.rectangle((x, top, x + _DASH - 1, top + 1), fill=0)
    return page


def _block(element: Text | QRCode | Rule | Feed, profile: PrinterProfile) -> Image.Image:
    match element:
        case Text():
            return _text(element, profile)
        case QRCode():
            data = clean_text(element.data)
            if not data:
                return Image.new("1", (profile.dots, 0), 1)
            return qr_image(data, element.size, profile.dots)
        case Rule():
            return _text(Text("-" * profile.chars), profile)
        case Feed():
            return Image.new("1", (profile.dots, max(element.lines, 0) * TEXT_PITCH), 1)
        case _:
            assert_never(element)


def _text(element: Text, profile: PrinterProfile) -> Image.Image:
    size = element.size
    if not 1 <= size <= 8 or element.align not in ("left", "center", "right"):
        raise ValueError(f"text size {size!r} or align {element.align!r} is not supported")
    lines = []
    for row in layout_text(element.text, size, profile):
        as_text = printable_as_text(row, profile)
        # the printer advances by the line spacing, or by the characters if they are taller
        pitch = max(TEXT_PITCH, 24 * size) if as_text else RASTER_PITCH * size
        lines.append((row, pitch))
    height = sum(pitch for _, pitch in lines)
    image = Image.new("1", (profile.dots, height), 1)
    top = 0
    for line, pitch in lines:
        top = draw_text(
            image, top, line, align=element.align, size=size, bold=element.bold, pitch=pitch
        )
    return image
