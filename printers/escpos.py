"""Turn a `Receipt` into ESC/POS bytes for a Chinese-market receipt printer.

Commands (alignment, bold, sizes, QR codes, the cut) come from python-escpos's in-memory
`Dummy` printer. Text never goes through python-escpos's `text()`: its "magic" encoder sends
GB18030 only when a string happens to contain a CJK character in U+4E00-U+9FA5 (and then
passes control characters through untouched), and otherwise switches code pages and prints
``?`` for other Chinese characters. Instead the printer is put in Chinese mode (FS &) and
sanitised text is written as GB18030 with ``_raw``.

Text is laid out here, never by the printer (see `printers.layout`): each line is cleaned for
paper (format characters and emoji out, see `layout_text`) and broken at the paper's columns
for its size, so the printer never wraps a word, a number or a URL. A printed line with a
character the printer's font lacks (see `printable_as_text`) is drawn here in the project's
CJK font and sent as a raster image (GS v 0), one image per such line; every other line stays
text.

The layout of a slip: ESC @, FS &, [the reprint line], the elements, FS ., feed, one cut.
Every element sets alignment, bold and size itself, so no style leaks from one to the next.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, assert_never

import qrcode
import qrcode.constants
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from printers.base import Confirmation, Delivery
from printers.document import Element, Feed, QRCode, Receipt, Rule, Text
from printers.glyphs import RASTER_PITCH, draw_text, has_glyph
from printers.layout import paper_text, wrap
from printers.profile import PrinterProfile
from printers.raster import raster_image

__all__ = [
    "REPRINT_MARK",
    "clean_text",
    "encode_receipt",
    "encode_text_line",
    "layout_text",
    "printable_as_text",
    "qr_image",
    "slip_elements",
]

INIT = b"\x1b@"  # ESC @: forget whatever the previous job (or a half-sent one) left set
CHINESE_ON = b"\x1c&"  # FS &: bytes 0x81-0xFE start a two- or four-byte GB18030 character
CHINESE_OFF = b"\x1c."  # FS .: back to single-byte characters
LF = b"\n"
REPRINT_MARK = "补打 / REPRINT"
_ALIGNS = ("left", "center", "right")

# Removed from all user text: C0 controls (ESC, GS, FS, DLE ... could start printer commands,
# e.g. ESC p opens the cash drawer), DEL, C1 controls, and the bidi controls (including the
# Arabic letter mark U+061C), which the printer cannot render and which could hide or reorder
# text on screen versus paper. "\n" is handled before this: it splits a Text into lines.
_REMOVED = (
    *range(0x00, 0x20),
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
)
_CLEAN_TABLE: dict[int, None] = dict.fromkeys(_REMOVED)


def clean_text(text: str) -> str:
    """Remove control and bidi characters from one line of user text."""
    return text.translate(_CLEAN_TABLE)


def printable_as_text(line: str, profile: PrinterProfile) -> bool:
    """Whether the printer's own font has every character of a cleaned line."""
    # chinese=off: ASCII only. font=gbk: what Python's GBK codec encodes; GB18030 also gives
    # two bytes to characters GBK lacks (䶮 U+4DAE is FE 9F, a code GBK fonts leave blank,
    # and 2,068 private-use codes). font=gb18030: also every CJK ideograph of extension
    # A and B-and-later, but still not emoji or other four-byte characters.
    if line.isascii():
        return True
    if not profile.chinese_mode:
        return False
    if _in_gbk(line):  # GBK's codes are the same bytes in GB18030
        return True
    return profile.font == "gb18030" and all(map(_in_gb18030_font, line))


def _in_gbk(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _in_gb18030_font(char: str) -> bool:
    code = ord(char)
    ideograph = 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x3FFFF
    return _in_gbk(char) or (ideograph and unicodedata.category(char) == "Lo")


def encode_text_line(text: str, profile: PrinterProfile) -> bytes:
    """One line of text as printable bytes (no LF); what GB18030 cannot encode becomes '?'."""
    cleaned = clean_text(text)
    # GB18030 covers every Unicode code point, so in practice only lone surrogates become
    # '?' (and `_text` sends those lines as images). Its multi-byte sequences never contain
    # a byte below 0x30, so no command can hide inside them.
    if profile.chinese_mode:
        return cleaned.encode("gb18030", errors="replace")
    return cleaned.encode("ascii", errors="replace")


def encode_receipt(receipt: Receipt, *, profile: PrinterProfile, reprint: bool = False) -> bytes:
    """The complete ESC/POS job for one slip, ending in exactly one cut."""
    printer = _dummy(profile)
    printer._raw(INIT)
    if profile.chinese_mode:
        printer._raw(CHINESE_ON)
    for element in slip_elements(receipt, reprint=reprint):
        match element:
            case Text():
                _text(printer, element, profile)
            case QRCode():
                _qr(printer, element, profile)
            case Rule():
                _style(printer, "left", bold=False, size=1)
                printer._raw(b"-" * profile.chars + LF)
            case Feed():
                _style(printer, "left", bold=False, size=1)
                # ESC d takes 0-255; a negative count means nothing to feed
                for lines in _chunks(max(element.lines, 0), 255):
                    printer.print_and_feed(lines)
            case _:
                assert_never(element)
    if profile.chinese_mode:
        printer._raw(CHINESE_OFF)
    # cut() first feeds 6 lines (ESC d 6) so the last text clears the cutter, then GS V 0
    printer.cut()
    return bytes(printer.output)


def send_unconfirmed(
    receipt: Receipt,
    profile: PrinterProfile,
    send: Callable[[bytes], None],
    *,
    reprint: bool,
    on_send: Callable[[], None] | None,
) -> Delivery:
    """Encode and hand over a receipt to a device that cannot confirm (a file, a CUPS queue):
    sent, not confirmed."""
    data = encode_receipt(receipt, profile=profile, reprint=reprint)
    if on_send is not None:
        on_send()
    send(data)
    return Delivery(Confirmation.NONE, len(data))


def slip_elements(receipt: Receipt, *, reprint: bool) -> tuple[Element, ...]:
    """The elements as printed: a reprint starts with the 补打 / REPRINT line and a rule."""
    if not reprint:
        return receipt.elements
    return (Text(REPRINT_MARK, align="center", size=2, bold=True), Rule(), *receipt.elements)


def _dummy(profile: PrinterProfile) -> Any:
    """A python-escpos Dummy whose profile knows the paper width in dots."""
    printer = Dummy()
    # The default profile's width is "Unknown": image() would then print a notice to stdout
    # and could not centre the QR image. Set on this instance's profile, not the shared class.
    media = {"dpi": 203, "width": {"mm": profile.paper_mm, "pixels": profile.dots}}
    printer.profile.profile_data = {**printer.profile.profile_data, "media": media}
    return printer


def _style(printer: Any, align: str, *, bold: bool, size: int) -> None:
    if align not in _ALIGNS:
        raise ValueError(f"text align {align!r} is not one of {', '.join(_ALIGNS)}")
    if not 1 <= size <= 8:
        raise ValueError(f"text size {size!r} is not 1-8")
    # GS ! (custom_size) rather than ESC !: only GS ! also enlarges Chinese characters
    printer.set(align=align, bold=bold, custom_size=True, width=size, height=size)


def layout_text(text: str, size: int, profile: PrinterProfile) -> list[str]:
    """The printed lines of a Text: each of its lines cleaned for paper and broken to fit the
    paper's columns at `size` (so the printer never wraps one itself)."""
    width = profile.chars // max(size, 1)
    rows: list[str] = []
    for line in text.split("\n"):
        rows += wrap(paper_text(clean_text(line), lambda char: _has_glyph(char, profile)), width)
    return rows


def _has_glyph(char: str, profile: PrinterProfile) -> bool:
    """Whether `char` prints, from the printer's font or as a picture from ours."""
    return printable_as_text(char, profile) or has_glyph(char)


def _text(printer: Any, element: Text, profile: PrinterProfile) -> None:
    _style(printer, element.align, bold=element.bold, size=element.size)
    for cleaned in layout_text(element.text, element.size, profile):
        if printable_as_text(cleaned, profile):
            printer._raw(encode_text_line(cleaned, profile) + LF)
            continue
        # the printer would print blanks, boxes or '?': send this line as a picture instead
        size = element.size
        image = Image.new("1", (profile.dots, RASTER_PITCH * size), 1)
        draw_text(
            image,
            0,
            cleaned,
            align=element.align,
            size=size,
            bold=element.bold,
            pitch=RASTER_PITCH * size,
        )
        printer._raw(raster_image(image))


def _qr(printer: Any, element: QRCode, profile: PrinterProfile) -> None:
    # A payload is length-prefixed, but some printers act on real-time commands (DLE DC4
    # pulses the drawer) even inside data, and a URL never contains control characters.
    data = clean_text(element.data)
    if not data:
        return
    # python-escpos refuses center=True for native QR codes, so centre by justification.
    _style(printer, "center", bold=False, size=1)
    if profile.native_qr:
        printer.qr(data, ec=QR_ECLEVEL_M, size=element.size, native=True)
        return
    printer._raw(raster_image(qr_image(data, element.size, profile.dots)))


def qr_image(data: str, module: int, width: int) -> Image.Image:
    """A level M QR code centred on a `width`-dot white strip (mode "1"), 2 modules of margin."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    count = code.modules_count
    # shrink the modules rather than fail when a long payload would not fit the paper
    module = max(1, min(module, width // (count + 4)))
    matrix = code.get_matrix()
    small = Image.new("1", (count, count), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    symbol = small.resize((count * module, count * module), Image.Resampling.NEAREST)
    strip = Image.new("1", (width, (count + 4) * module), 1)
    strip.paste(symbol, ((width - symbol.width) // 2, 2 * module))
    return strip


def _chunks(total: int, most: int) -> list[int]:
    return [most] * (total // most) + ([total % most] if total % most else [])
