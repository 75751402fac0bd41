"""Asking a printer whether a slip came out, and cutting a slip into parts between commands.

Three ESC/POS ways to hear from a printer, and what each proves (Epson's ESC/POS command
reference):

``GS ( H`` fn 48 (1D 28 48 06 00 30 30 d1 d2 d3 d4), "transmit response or status"
    The printer answers 37 22 d1 d2 d3 d4 00 only when it has processed everything sent
    before it: sent after the cut, the answer means the slip was printed and cut.
``GS r 1`` (1D 72 01), "transmit status"
    One paper-sensor byte; printers that process it in order with the data (most do: it is
    not a real-time command) answer it after what came before. Weaker: some clones answer
    it at once.
``DLE EOT n`` (10 04 n), real-time status
    Answered the moment it arrives, even ahead of buffered data: it says nothing about the
    slip before it, so it is asked only before a slip, never taken as a confirmation.

A slip is sent in parts (`split`) so the printer's real speed is known after the first part
and the rest is not sent when it could not come out in time.
"""

from __future__ import annotations

import itertools
import threading

__all__ = [
    "ABANDON",
    "PROCESS_ID_ANSWER",
    "next_process_id",
    "process_id_request",
    "split",
    "status_request_in_order",
]

PROCESS_ID_ANSWER = b"\x37\x22"  # then d1..d4 and NUL
STATUS_IN_ORDER = b"\x1dr\x01"  # GS r 1: paper sensor status, answered in order
# A slip given up half-way is fed clear of the cutter and cut off, so the next slip does not
# come out glued to its top half.
ABANDON = b"\x1b@\x1bd\x04\x1dV\x01"

_ids = itertools.count(1)
_ids_lock = threading.Lock()


def next_process_id() -> bytes:
    """Four ASCII digits, different for each request of this process (0001 ... 9999)."""
    with _ids_lock:
        number = next(_ids) % 10000
    return f"{number:04d}".encode("ascii")


def process_id_request(process_id: bytes) -> bytes:
    """GS ( H pL=6 pH=0 fn=48 m=48 d1..d4."""
    return b"\x1d(H\x06\x00\x30\x30" + process_id


def status_request_in_order() -> bytes:
    """GS r 1."""
    return STATUS_IN_ORDER


def split(data: bytes, first: int, size: int) -> list[bytes]:
    """`data` in parts of about `first` bytes and then `size`, cut only between commands.

    Knows the lengths of the commands the encoder writes; at anything else it stops cutting
    (the rest is one part), so a request is never put inside an image or a QR payload.
    """
    parts: list[bytes] = []
    start = at = 0
    limit = first
    while at < len(data):
        length = _command_length(data, at)
        if length is None:
            break
        at += length
        if at - start >= limit:
            parts.append(data[start:at])
            start, limit = at, size
    if start < len(data):
        parts.append(data[start:])
    return parts


def _command_length(data: bytes, at: int) -> int | None:
    """Bytes in the command starting at `at`; None when it is not one the encoder writes."""
    byte = data[at]
    rest = len(data) - at
    if byte == 0x1B:  # ESC
        code = data[at + 1] if rest > 1 else -1
        return {0x40: 2, 0x21: 3, 0x45: 3, 0x61: 3, 0x64: 3, 0x2D: 3, 0x4D: 3, 0x70: 5}.get(code)
    if byte == 0x1C:  # FS & / FS .
        return 2 if rest > 1 and data[at + 1] in (0x26, 0x2E) else None
    if byte == 0x1D:  # GS
        return _gs_length(data, at)
    if byte == 0x10:  # DLE EOT n
        return 3 if rest > 2 and data[at + 1] == 0x04 else None
    if byte < 0x20 and byte != 0x0A:
        return None
    # LF or text: GB18030 multi-byte characters never contain a byte below 0x30
    end = at + 1
    while end < len(data) and (data[end] >= 0x20 or data[end] == 0x0A):
        end += 1
    return end - at


def _gs_length(data: bytes, at: int) -> int | None:
    code = data[at + 1] if len(data) - at > 1 else -1
    if code == 0x21:  # GS ! n
        return 3
    if code == 0x56:  # GS V m [n]
        m = data[at + 2] if len(data) - at > 2 else -1
        return 4 if m in (65, 66) else 3
    if code == 0x28 and len(data) - at > 4:  # GS ( k / GS ( H pL pH ...
        return 5 + data[at + 3] + data[at + 4] * 256
    if code == 0x76 and len(data) - at > 7:  # GS v 0 m xL xH yL yH data
        return 8 + (data[at + 4] + data[at + 5] * 256) * (data[at + 6] + data[at + 7] * 256)
    return None
