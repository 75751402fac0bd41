"""What the encoder needs to know about a printer, chosen from the printer URL's query.

Supported query options (all optional, names and values are case-insensitive):

``paper=80`` (default) or ``paper=58``
    Paper width: 80 mm is 48 characters of font A / 576 dots; 58 mm is 32 characters / 384 dots.
``chinese=on`` (default) or ``chinese=off``
    ``on``: switch the printer to Chinese mode (FS &) and send text as GB18030; for printers
    with a Chinese font. ``off``: never send FS &; text goes out as ASCII and anything else
    becomes ``?`` (for a printer without a Chinese font, so that at least numbers and Latin
    letters stay readable instead of turning into mojibake).
``qr=native`` (default) or ``qr=image``
    ``native``: the printer draws QR codes itself (GS ( k). ``image``: QR codes are rendered
    here and sent as a raster image (GS v 0), for printers without a QR engine.

``on``/``off`` also accept ``1``/``0``, ``true``/``false`` and ``yes``/``no``.
Example: ``tcp://10.0.0.5:9100?paper=58&qr=image``.

This module raises `ValueError`; `printers.base.parse_printer_url` turns that into a
`PrinterConfigError` naming the URL, so bad options are caught when the config is validated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_PROFILE", "OPTIONS", "PrinterProfile", "profile_from_options"]

# paper width in mm -> (characters per line in font A, printable dots)
_PAPER = {80: (48, 576), 58: (32, 384)}
_TRUE = ("on", "1", "true", "yes")
_FALSE = ("off", "0", "false", "no")
_QR = ("native", "image")
OPTIONS = ("paper", "chinese", "qr")


@dataclass(frozen=True)
class PrinterProfile:
    """Paper size and capabilities of one receipt printer."""

    paper_mm: int = 80
    chars: int = 48
    dots: int = 576
    chinese_mode: bool = True
    native_qr: bool = True

    @classmethod
    def for_paper(
        cls, paper_mm: int, *, chinese_mode: bool = True, native_qr: bool = True
    ) -> PrinterProfile:
        """The profile for 80 mm or 58 mm paper; `ValueError` for any other width."""
        if paper_mm not in _PAPER:
            raise ValueError(f"paper={paper_mm} is not supported (use 80 or 58)")
        chars, dots = _PAPER[paper_mm]
        return cls(paper_mm, chars, dots, chinese_mode=chinese_mode, native_qr=native_qr)


DEFAULT_PROFILE = PrinterProfile()


def profile_from_options(options: Mapping[str, str]) -> PrinterProfile:
    """Build a profile from URL query options; `ValueError` naming any bad option or value."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        known = ", ".join(OPTIONS)
        raise ValueError(f"unknown option {unknown[0]!r} (known: {known})")
    paper = options.get("paper", "80").strip().lower().removesuffix("mm")
    if paper not in ("80", "58"):
        raise ValueError(f"paper={options['paper']} is not supported (use 80 or 58)")
    qr = options.get("qr", "native").strip().lower()
    if qr not in _QR:
        raise ValueError(f"qr={options['qr']} is not supported (use native or image)")
    return PrinterProfile.for_paper(
        int(paper), chinese_mode=_flag(options, "chinese", True), native_qr=qr == "native"
    )


def _flag(options: Mapping[str, str], name: str, default: bool) -> bool:
    if name not in options:
        return default
    value = options[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={options[name]} is not supported (use on or off)")
