"""An ESC/POS decoder for tests, written from the Epson ESC/POS command reference.

It is deliberately independent of the code under test (it imports neither `printers` nor
python-escpos), so an encoder bug cannot hide behind a decoder that shares it. It models a
printer just enough to say what would come out on paper:

    >>> slip = decode(b"\\x1b@\\x1c&\\x1ba\\x01\\xc4\\xe3\\xba\\xc3\\n\\x1c.\\x1bd\\x06\\x1dV\\x00")
    >>> slip.lines[0].text, slip.lines[0].align, len(slip.cuts)
    ('你好', 'center', 1)
    >>> slip.text  # ESC d 6 fed six blank lines before the cut
    '你好\\n\\n\\n\\n\\n\\n'

Supported, with the byte layouts from the reference:

    LF                     0A                  print the line and feed
    ESC @                  1B 40               initialize
    ESC ! n                1B 21 n             print mode (bit 3 = bold)
    ESC E n                1B 45 n             bold (emphasized) on/off (bit 0)
    ESC a n                1B 61 n             justify: 0/48 left, 1/49 centre, 2/50 right
    ESC d n                1B 64 n             print and feed n lines
    ESC p m t1 t2          1B 70 m t1 t2       pulse a cash-drawer pin
    GS ! n                 1D 21 n             size: width (n >> 4) + 1, height (n & 15) + 1
    GS ( k pL pH cn fn ..  1D 28 6B ..         QR (cn=49): fn 65 model, 67 module size,
                                               69 error correction, 80 store data, 81 print
    GS V m [n]             1D 56 m [n]         cut: 0/48 full, 1/49 partial, 65/66 + n feed
    GS v 0 m xL xH yL yH   1D 76 30 ..         raster bit image: (xL + xH*256) bytes a row,
                                               yL + yH*256 rows, MSB leftmost, 1 = a dot
    FS &                   1C 26               Chinese (Kanji) mode on: text is GB18030
    FS .                   1C 2E               Chinese mode off
    DLE EOT n              10 04 n             real-time status request (n = 1-4)
    DLE DC4 1 m t          10 14 01 m t        real-time drawer pulse

Anything else starting with ESC, GS, FS or DLE, and any other control byte, raises
`DecodeError` with the offset, so a test notices every surprise. Printable bytes become
`TextRun`s: GB18030 while Chinese mode is on, ASCII otherwise (bytes >= 0x80 outside Chinese
mode raise, because their meaning would depend on the printer's code page).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.support.escpos_events import (
    CashDrawer,
    ChineseMode,
    Command,
    Cut,
    Decoded,
    DecodeError,
    Feed,
    Init,
    Line,
    LineFeed,
    PrintMode,
    QRFunction,
    QRSymbol,
    RasterImage,
    SetAlign,
    SetBold,
    SetSize,
    StatusRequest,
    TextRun,
)

__all__ = [
    "CashDrawer",
    "ChineseMode",
    "Command",
    "Cut",
    "DecodeError",
    "Decoded",
    "Feed",
    "Init",
    "Line",
    "LineFeed",
    "PrintMode",
    "QRFunction",
    "QRSymbol",
    "RasterImage",
    "SetAlign",
    "SetBold",
    "SetSize",
    "StatusRequest",
    "TextRun",
    "decode",
]

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A
_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_CUT = {0: "full", 48: "full", 1: "partial", 49: "partial", 65: "full", 66: "partial"}
_QR_FUNCTIONS = {65: "model", 67: "module_size", 69: "error_correction", 80: "store", 81: "print"}
_QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
_QR_MODELS = {49: "1", 50: "2", 51: "micro"}


@dataclass
class _State:
    bold: bool = False
    width: int = 1
    height: int = 1
    align: str = "left"
    chinese: bool = False
    qr_model: str = "2"
    qr_module_size: int = 3
    qr_level: str = "L"
    qr_data: bytes | None = None
    line: list[TextRun] = field(default_factory=list)


def decode(data: bytes) -> Decoded:
    """Decode one ESC/POS job; raise `DecodeError` on anything unknown or malformed."""
    result = Decoded()
    state = _State()
    for command in _commands(bytes(data), state):
        result.commands.append(command)
        _apply(command, state, result)
    if state.line:
        _end_line(state, result)
    return result


def _apply(command: Command, state: _State, result: Decoded) -> None:
    """Track the printer's modes and collect lines and QR codes."""
    match command:
        case Init():
            # ESC @ resets every mode. Whether Chinese mode survives depends on the printer's
            # memory switches, so it is treated as off: a job must send FS & itself. It also
            # clears the print buffer: text not yet ended by LF is lost, as on paper.
            vars(state).update(vars(_State()))
        case TextRun():
            state.line.append(command)
        case LineFeed():
            _end_line(state, result)
        case Feed(lines=lines):
            # ESC d n prints the buffer and feeds n lines: n line feeds, as far as paper goes
            for _ in range(lines or (1 if state.line else 0)):
                _end_line(state, result)
        case SetBold(on=on):
            state.bold = on
        case PrintMode(n=n):
            # ESC ! bit 3 is emphasized, bits 4/5 double height/width (alphanumerics only)
            state.bold = bool(n & 0x08)
        case SetSize(width=width, height=height):
            state.width, state.height = width, height
        case SetAlign(align=align):
            state.align = align
        case ChineseMode(on=on):
            state.chinese = on
        case QRFunction(name="model", data=data):
            state.qr_model = _QR_MODELS[data[0]]
        case QRFunction(name="module_size", data=data):
            state.qr_module_size = data[0]
        case QRFunction(name="error_correction", data=data):
            state.qr_level = _QR_LEVELS[data[0]]
        case QRFunction(name="store", data=data):
            state.qr_data = data[1:]
        case QRFunction(name="print"):
            if state.qr_data is None:
                raise DecodeError(f"offset {command.offset}: QR print with no stored data")
            result.qr_codes.append(
                QRSymbol(
                    state.qr_data,
                    state.qr_model,
                    state.qr_module_size,
                    state.qr_level,
                    state.align,
                    command.offset,
                )
            )
        case _:
            pass


def _end_line(state: _State, result: Decoded) -> None:
    runs = tuple(state.line)
    result.lines.append(Line("".join(run.text for run in runs), runs))
    state.line = []


def _commands(data: bytes, state: _State) -> Iterator[Command]:
    """Yield commands lazily: decoding text needs `state` updated by all earlier commands."""
    reader = _Reader(data)
    while not reader.done:
        at = reader.pos
        byte = reader.byte("command")
        if byte == LF:
            yield LineFeed(at)
        elif byte == ESC:
            yield _esc(reader, at)
        elif byte == GS:
            yield _gs(reader, at, state)
        elif byte == FS:
            yield _fs(reader, at)
        elif byte == DLE:
            yield _dle(reader, at)
        elif byte < 0x20 or byte == 0x7F:
            raise DecodeError(f"offset {at}: unexpected control byte 0x{byte:02X}")
        else:
            yield _text(reader, at, state)


def _esc(reader: _Reader, at: int) -> Command:
    code = reader.byte("ESC")
    if code == 0x40:
        return Init(at)
    if code == 0x21:
        return PrintMode(at, reader.byte("ESC !"))
    if code == 0x45:
        return SetBold(at, bool(reader.byte("ESC E") & 1))
    if code == 0x61:
        n = reader.byte("ESC a")
        if n not in _ALIGN:
            raise DecodeError(f"offset {at}: ESC a {n} is not a justification")
        return SetAlign(at, _ALIGN[n])
    if code == 0x64:
        return Feed(at, reader.byte("ESC d"))
    if code == 0x70:
        pin, on_time, off_time = reader.take(3, "ESC p")
        return CashDrawer(at, pin, on_time, off_time)
    raise DecodeError(f"offset {at}: unknown command ESC 0x{code:02X}")


def _gs(reader: _Reader, at: int, state: _State) -> Command:
    code = reader.byte("GS")
    if code == 0x21:
        n = reader.byte("GS !")
        return SetSize(at, (n >> 4) + 1, (n & 0x0F) + 1)
    if code == 0x56:
        m = reader.byte("GS V")
        if m not in _CUT:
            raise DecodeError(f"offset {at}: GS V {m} is not a cut mode")
        return Cut(at, _CUT[m], m, reader.byte("GS V n") if m in (65, 66) else None)
    if code == 0x28 and reader.peek() == 0x6B:
        reader.byte("GS (")
        return _qr(reader, at)
    if code == 0x76 and reader.peek() == 0x30:
        reader.byte("GS v")
        mode, xl, xh, yl, yh = reader.take(5, "GS v 0")
        if mode not in (0, 1, 2, 3, 48, 49, 50, 51):
            raise DecodeError(f"offset {at}: GS v 0 mode {mode} is not 0-3 or 48-51")
        width_bytes, height = xl + xh * 256, yl + yh * 256
        if width_bytes * height == 0:
            raise DecodeError(f"offset {at}: GS v 0 image of {width_bytes} x {height} bytes")
        data = reader.take(width_bytes * height, "GS v 0 image data")
        return RasterImage(at, mode, width_bytes * 8, height, state.align, data)
    raise DecodeError(f"offset {at}: unknown command GS 0x{code:02X}")


def _qr(reader: _Reader, at: int) -> QRFunction:
    pl, ph = reader.take(2, "GS ( k")
    body = reader.take(pl + ph * 256, "GS ( k parameters")
    if len(body) < 2:
        raise DecodeError(f"offset {at}: GS ( k with {len(body)} parameter bytes")
    cn, fn, data = body[0], body[1], body[2:]
    if cn != 49:
        raise DecodeError(f"offset {at}: GS ( k cn={cn} is not QR (49)")
    if fn not in _QR_FUNCTIONS:
        raise DecodeError(f"offset {at}: GS ( k QR function {fn} is not supported")
    name = _QR_FUNCTIONS[fn]
    expected = {"model": 2, "module_size": 1, "error_correction": 1, "print": 1}.get(name)
    bad = (
        (expected is not None and len(data) != expected)
        or (name == "model" and data[0] not in _QR_MODELS)
        or (name == "module_size" and not 1 <= data[0] <= 16)
        or (name == "error_correction" and data[0] not in _QR_LEVELS)
        or (name in ("store", "print") and data[:1] != b"0")
    )
    if bad:
        raise DecodeError(f"offset {at}: malformed GS ( k QR {name}: {data[:16]!r}")
    return QRFunction(at, fn, name, data)


def _fs(reader: _Reader, at: int) -> Command:
    code = reader.byte("FS")
    if code in (0x26, 0x2E):
        return ChineseMode(at, code == 0x26)
    raise DecodeError(f"offset {at}: unknown command FS 0x{code:02X}")


def _dle(reader: _Reader, at: int) -> Command:
    code = reader.byte("DLE")
    if code == 0x04:
        n = reader.byte("DLE EOT")
        if not 1 <= n <= 4:
            raise DecodeError(f"offset {at}: DLE EOT {n} is not supported")
        return StatusRequest(at, n)
    if code == 0x14 and reader.peek() == 1:
        _, pin, time = reader.take(3, "DLE DC4")
        return CashDrawer(at, pin, time, time, realtime=True)
    raise DecodeError(f"offset {at}: unknown command DLE 0x{code:02X}")


def _text(reader: _Reader, at: int, state: _State) -> TextRun:
    reader.pos = at
    while not reader.done and reader.peek() >= 0x20 and reader.peek() != 0x7F:
        reader.pos += 1
    raw = reader.data[at : reader.pos]
    try:
        text = raw.decode("gb18030") if state.chinese else raw.decode("ascii")
    except UnicodeDecodeError as exc:
        encoding = "GB18030 (Chinese mode)" if state.chinese else "ASCII (Chinese mode off)"
        raise DecodeError(f"offset {at + exc.start}: {raw!r} is not {encoding}") from None
    return TextRun(at, text, state.bold, state.width, state.height, state.align, state.chinese)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    @property
    def done(self) -> bool:
        return self.pos >= len(self.data)

    def peek(self) -> int:
        return self.data[self.pos] if not self.done else -1

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]

    def take(self, count: int, what: str) -> bytes:
        if self.pos + count > len(self.data):
            raise DecodeError(f"offset {self.pos}: data ends inside {what}")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk
