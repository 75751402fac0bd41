"""GS v 0: send a black-and-white Pillow image as an ESC/POS raster bit image.

Format (Epson ESC/POS reference, "GS v 0: print raster bit image"): 1D 76 30 m xL xH yL yH
then (xL + xH * 256) * (yL + yH * 256) bytes, row by row, the most significant bit the
leftmost dot, 1 = print a dot. m = 0 is normal density (one bit per dot).
"""

from __future__ import annotations

from PIL import Image

__all__ = ["raster_image"]

BAND = 960  # dots: taller images go in several commands (python-escpos's fragment height)
_INVERT = bytes(255 - value for value in range(256))


def raster_image(image: Image.Image) -> bytes:
    """GS v 0 commands printing `image` (dark pixels print); its width is padded to 8 dots."""
    bitmap = image.convert("1")  # Pillow's "1": 255 is white, so inverted below
    width_bytes = (bitmap.width + 7) // 8
    if bitmap.width != width_bytes * 8:
        padded = Image.new("1", (width_bytes * 8, bitmap.height), 255)
        padded.paste(bitmap, (0, 0))
        bitmap = padded
    out = bytearray()
    for top in range(0, bitmap.height, BAND):
        band = bitmap.crop((0, top, bitmap.width, min(top + BAND, bitmap.height)))
        data = _no_realtime_commands(band.tobytes().translate(_INVERT))
        out += b"\x1dv0\x00" + _u16(width_bytes) + _u16(band.height) + data
    return bytes(out)


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _no_realtime_commands(data: bytes) -> bytes:
    """Break up the real-time command pairs DLE EOT, DLE ENQ and DLE DC4 inside image data."""
    # Many printers act on real-time commands wherever the bytes appear, even inside image
    # data: DLE DC4 1 pulses the cash drawer, DLE DC4 2 powers the printer off, DLE ENQ 2
    # clears its buffer (Epson's reference advises disabling DLE DC4 with GS ( D before such
    # images, a command cheaper printers lack). Setting one more bit in the second byte adds
    # one dot (0.125 mm) to the picture and makes the pair harmless on every printer; none of
    # the new bytes is DLE or a command byte, so no new pair appears.
    if b"\x10" not in data:
        return data
    for command, harmless in ((b"\x04", b"\x06"), (b"\x05", b"\x07"), (b"\x14", b"\x15")):
        data = data.replace(b"\x10" + command, b"\x10" + harmless)
    return data
