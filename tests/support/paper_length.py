"""How much paper an ESC/POS job moves through a thermal printer, from the test decoder's events.

For the fake printer's paper speed (`FakePrinter(paper_mm_per_second=...)`) and bench/print.py.
The job is read by `tests.support.escpos_decoder` (no second decoder here); a head of 203 dpi
prints 8 dots a millimetre, and the paper moves by:

- each line (LF, or each of the n lines of ESC d n): the line spacing, or the line's tallest
  character where that is taller (24 dots, Font A and the Chinese font, times its GS ! height);
- a raster image (GS v 0): its rows, twice as many in the double-height modes;
- a native QR code (GS ( k fn 81): its modules times the module size, with no quiet zone (the
  printer leaves that to the sender's blank lines);
- a cut with a feed (GS V 65/66 n): n dots. The feed before a plain cut is the sender's
  ESC d (the kiosk's encoder sends ESC d 6 before GS V 0).

What the bytes cannot tell, and is assumed instead:

- The line spacing is the ESC/POS default, 1/6 inch (about 4.23 mm; some 203-dpi printers
  default to 30 dots, 3.75 mm): the decoder knows neither ESC 2 nor ESC 3, so a job cannot
  change it.
- A QR code's version is the smallest that holds the payload at its error correction level,
  as the `qrcode` package works it out; a printer that encodes less cleverly may print a
  larger one. Model 1 and micro QR are measured as model 2.
- Text not ended by LF or ESC d has not moved the paper yet (ESC @ throws it away).
- The decoder knows no ESC J (feed n dots), and nothing else outside its list: a job is
  measured up to the first byte the decoder cannot read, and moves no paper after it. The
  kiosk's encoder sends nothing the decoder does not know.
"""

from __future__ import annotations

import re

import qrcode
import qrcode.constants
import qrcode.exceptions

from tests.support.escpos_decoder import (
    Cut,
    Decoded,
    DecodeError,
    Feed,
    Init,
    LineFeed,
    QRFunction,
    QRSymbol,
    RasterImage,
    TextRun,
    decode,
)

__all__ = ["CHARACTER_DOTS", "DOTS_PER_MM", "LINE_SPACING_DOTS", "paper_mm"]

DOTS_PER_MM = 8.0  # 203 dpi
LINE_SPACING_DOTS = 203 / 6  # 1/6 inch, the default line spacing
CHARACTER_DOTS = 24  # the height of Font A and of the 24 x 24 Chinese font
_TALL_MODES = (2, 3, 50, 51)  # GS v 0 modes that print every row twice
_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def paper_mm(data: bytes) -> float:
    """Millimetres of paper that printing `data` moves (see the module's assumptions)."""
    decoded = _readable(data)
    symbols = {symbol.offset: symbol for symbol in decoded.qr_codes}
    dots = 0.0
    tallest = 0.0  # dots: the tallest character on the line not fed yet (0: no text on it)
    for command in decoded.commands:
        match command:
            case Init():
                tallest = 0.0
            case TextRun(height=height):
                tallest = max(tallest, float(CHARACTER_DOTS * height))
            case LineFeed():
                dots += max(LINE_SPACING_DOTS, tallest)
                tallest = 0.0
            case Feed(lines=lines):
                # as the decoder reads ESC d n: n line ends, the first ending any text
                if lines or tallest:
                    dots += max(LINE_SPACING_DOTS, tallest) + LINE_SPACING_DOTS * max(lines - 1, 0)
                tallest = 0.0
            case RasterImage(mode=mode, height=height):
                dots += height * (2 if mode in _TALL_MODES else 1)
            case QRFunction(name="print", offset=offset):
                dots += _qr_dots(symbols[offset])
            case Cut(feed=feed) if feed:
                dots += feed
            case _:
                pass
    return dots / DOTS_PER_MM


def _readable(data: bytes) -> Decoded:
    """`data` decoded up to the first byte the decoder cannot read."""
    while True:
        try:
            return decode(data)
        except DecodeError as exc:
            # the decoder names the offset ("offset 12: ..."); cut there and try again, one
            # byte shorter at least, so a command cut short at the end is dropped too
            found = re.match(r"offset (\d+):", str(exc))
            data = data[: min(int(found.group(1)) if found else 0, len(data) - 1)]


def _qr_dots(symbol: QRSymbol) -> int:
    """The height of a native QR code in dots (0 if no version holds its payload)."""
    code = qrcode.QRCode(error_correction=_LEVELS[symbol.error_correction])
    code.add_data(symbol.payload_bytes)
    try:
        version: int = code.best_fit()  # only counts the bits; no matrix is drawn
    except qrcode.exceptions.DataOverflowError:
        return 0  # a printer prints nothing for data no QR code can hold
    return (17 + 4 * version) * symbol.module_size
