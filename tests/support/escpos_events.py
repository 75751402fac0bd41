"""What `escpos_decoder.decode` returns: one dataclass per ESC/POS command, and the job.

Split from the decoder so each file stays readable; import everything from
`tests.support.escpos_decoder`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar


class DecodeError(ValueError):
    """The bytes contain something this decoder does not know, or a malformed command."""


@dataclass(frozen=True)
class Command:
    """Base of every decoded event; `offset` is where its first byte is in the input."""

    offset: int


@dataclass(frozen=True)
class Init(Command):
    """ESC @."""


@dataclass(frozen=True)
class LineFeed(Command):
    """LF: print the buffered line."""


@dataclass(frozen=True)
class PrintMode(Command):
    """ESC ! n."""

    n: int


@dataclass(frozen=True)
class SetBold(Command):
    """ESC E n."""

    on: bool


@dataclass(frozen=True)
class SetAlign(Command):
    """ESC a n."""

    align: str


@dataclass(frozen=True)
class SetSize(Command):
    """GS ! n, as width and height multipliers (1-8)."""

    width: int
    height: int


@dataclass(frozen=True)
class ChineseMode(Command):
    """FS & (on) or FS . (off)."""

    on: bool


@dataclass(frozen=True)
class Feed(Command):
    """ESC d n."""

    lines: int


@dataclass(frozen=True)
class Cut(Command):
    """GS V; `feed` is n for modes 65/66 (in motion units), None for the others."""

    mode: str
    m: int
    feed: int | None = None


@dataclass(frozen=True)
class CashDrawer(Command):
    """ESC p m t1 t2, or the real-time DLE DC4 1 m t: opens the cash drawer."""

    pin: int
    on_time: int
    off_time: int
    realtime: bool = False


@dataclass(frozen=True)
class StatusRequest(Command):
    """DLE EOT n."""

    n: int


@dataclass(frozen=True)
class QRFunction(Command):
    """One GS ( k block for QR (cn=49); `data` is everything after fn."""

    fn: int
    name: str
    data: bytes


@dataclass(frozen=True)
class RasterImage(Command):
    """GS v 0: a raster bit image, `width` and `height` in dots; `data` row by row."""

    mode: int
    width: int
    height: int
    align: str
    data: bytes = field(default=b"", repr=False)

    def dot(self, x: int, y: int) -> bool:
        """Whether the dot in column `x` of row `y` prints (a 1 bit; the MSB is leftmost)."""
        return bool(self.data[y * (self.width // 8) + x // 8] & (0x80 >> (x % 8)))

    def ink(self) -> tuple[int, int, int, int] | None:
        """The box (left, top, right, bottom; exclusive) around all printed dots, or None."""
        dots = [(x, y) for y in range(self.height) for x in range(self.width) if self.dot(x, y)]
        if not dots:
            return None
        xs, ys = [x for x, _ in dots], [y for _, y in dots]
        return min(xs), min(ys), max(xs) + 1, max(ys) + 1

    def picture(self) -> list[str]:
        """The image as text rows, "#" for a printed dot, for readable test failures."""
        return [
            "".join("#" if self.dot(x, y) else "." for x in range(self.width))
            for y in range(self.height)
        ]


@dataclass(frozen=True)
class TextRun(Command):
    """Printable characters, with the style in force when they were received."""

    text: str
    bold: bool
    width: int
    height: int
    align: str
    chinese: bool


@dataclass(frozen=True)
class QRSymbol:
    """A QR code the printer printed, with the settings in force at GS ( k fn 81."""

    payload_bytes: bytes
    model: str
    module_size: int
    error_correction: str
    align: str
    offset: int

    @property
    def payload(self) -> str:
        """The stored data as UTF-8 (what phones read from a URL QR code)."""
        return self.payload_bytes.decode("utf-8")


@dataclass(frozen=True)
class Line:
    """One printed line: its text runs joined, styled by its first run."""

    text: str
    runs: tuple[TextRun, ...]

    @property
    def align(self) -> str:
        """Justification of the line ("left" when it has no text)."""
        return self.runs[0].align if self.runs else "left"

    @property
    def bold(self) -> bool:
        """Whether every character on the line is bold."""
        return bool(self.runs) and all(run.bold for run in self.runs)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) multipliers of the first run."""
        return (self.runs[0].width, self.runs[0].height) if self.runs else (1, 1)


_C = TypeVar("_C", bound=Command)


@dataclass
class Decoded:
    """Everything decoded from one job."""

    commands: list[Command] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[QRSymbol] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All printed lines joined with newlines (text not ended by LF counts as a line)."""
        return "\n".join(line.text for line in self.lines)

    @property
    def qr_payloads(self) -> list[str]:
        """Payloads of the QR codes actually printed, in order."""
        return [symbol.payload for symbol in self.qr_codes]

    @property
    def cuts(self) -> list[Cut]:
        """Every cut command."""
        return self.of_type(Cut)

    @property
    def drawer_kicks(self) -> list[CashDrawer]:
        """Every cash-drawer pulse (ESC p or DLE DC4); a receipt should have none."""
        return self.of_type(CashDrawer)

    def of_type(self, kind: type[_C]) -> list[_C]:
        """The commands of one class, in order."""
        return [command for command in self.commands if isinstance(command, kind)]
