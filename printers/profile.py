"""What the encoder needs to know about a printer, chosen from the printer URL's query.

Supported query options (all optional, names and values are case-insensitive):

``paper=80`` (default) or ``paper=58``
    Paper width: 80 mm is 48 characters of font A / 576 dots; 58 mm is 32 characters / 384 dots.
``chinese=on`` (default) or ``chinese=off``
    ``on``: switch the printer to Chinese mode (FS &) and send text as GB18030; for printers
    with a Chinese font. ``off``: never send FS &; ASCII lines go out as text and any line
    with other characters is printed as an image (for a printer without a Chinese font).
``font=gbk`` (default) or ``font=gb18030``
    Which characters the printer's resident Chinese font has. ``gbk``: the 21,886 characters
    of GBK (every GB18030 one- or two-byte code that GBK defines); ``gb18030``: also the
    four-byte CJK ideographs (extensions B and later). A line with any other character
    (a rare name such as 𠮷 or 䶮, an emoji) is printed as an image.
``qr=native`` (default) or ``qr=image``
    ``native``: the printer draws QR codes itself (GS ( k). ``image``: QR codes are rendered
    here and sent as a raster image (GS v 0), for printers without a QR engine.

``confirm=process-id`` (default), ``confirm=status`` or ``confirm=none``
    How the printer says a slip came out. ``process-id``: GS ( H fn 48, answered only once
    everything sent before it was printed (Epson TM and most current clones). ``status``:
    GS r 1 after the cut, for printers that process it in order with the data. ``none``: the
    printer cannot tell; its slips are "sent, not confirmed", never "printed", and a printer
    that ignores status requests is not taken for a hung one.

``on``/``off`` also accept ``1``/``0``, ``true``/``false`` and ``yes``/``no``.
Example: ``tcp://10.0.0.5:9100?paper=58&qr=image``. Drivers add options of their own (e.g.
``baudrate`` for serial://); `printers.base.parse_printer_url` rejects any other name.

This module raises `ValueError`; `printers.base.parse_printer_url` turns that into a
`PrinterConfigError` naming the URL, so bad options are caught when the config is validated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_PROFILE",
    "OPTIONS",
    "Confirm",
    "Font",
    "PrinterProfile",
    "profile_from_options",
]

Font = Literal["gbk", "gb18030"]
Confirm = Literal["process_id", "status", "none"]
_CONFIRMS: dict[str, Confirm] = {"process-id": "process_id", "status": "status", "none": "none"}
# paper width in mm -> (characters per line in font A, printable dots)
_PAPER = {80: (48, 576), 58: (32, 384)}
_TRUE = ("on", "1", "true", "yes")
_FALSE = ("off", "0", "false", "no")
_QR = ("native", "image")
_FONTS: tuple[Font, ...] = ("gbk", "gb18030")
OPTIONS = ("paper", "chinese", "font", "qr", "confirm")


@dataclass(frozen=True)
class PrinterProfile:
    """Paper size and capabilities of one receipt printer."""

    paper_mm: int = 80
    chars: int = 48
    dots: int = 576
    chinese_mode: bool = True
    native_qr: bool = True
    font: Font = "gbk"
    confirm: Confirm = "process_id"

    @classmethod
    def for_paper(
        cls,
        paper_mm: int,
        *,
        chinese_mode: bool = True,
        native_qr: bool = True,
        font: Font = "gbk",
        confirm: Confirm = "process_id",
    ) -> PrinterProfile:
        """The profile for 80 mm or 58 mm paper; `ValueError` for any other width."""
        if paper_mm not in _PAPER:
            raise ValueError(f"paper={paper_mm} is not supported (use 80 or 58)")
        chars, dots = _PAPER[paper_mm]
        return cls(paper_mm, chars, dots, chinese_mode, native_qr, font, confirm)


DEFAULT_PROFILE = PrinterProfile()


def profile_from_options(options: Mapping[str, str]) -> PrinterProfile:
    """A profile from URL query options (others are ignored); `ValueError` names a bad one."""
    paper = options.get("paper", "80").strip().lower().removesuffix("mm")
    if paper not in ("80", "58"):
        raise ValueError(f"paper={options['paper']} is not supported (use 80 or 58)")
    qr = options.get("qr", "native").strip().lower()
    if qr not in _QR:
        raise ValueError(f"qr={options['qr']} is not supported (use native or image)")
    font = options.get("font", "gbk").strip().lower()
    if font not in _FONTS:
        raise ValueError(f"font={options['font']} is not supported (use gbk or gb18030)")
    confirm = options.get("confirm", "process-id").strip().lower().replace("_", "-")
    if confirm not in _CONFIRMS:
        raise ValueError(
            f"confirm={options['confirm']} is not supported (use process-id, status or none)"
        )
    return PrinterProfile.for_paper(
        int(paper),
        confirm=_CONFIRMS[confirm],
        chinese_mode=_flag(options, "chinese", True),
        native_qr=qr == "native",
        font="gb18030" if font == "gb18030" else "gbk",
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
