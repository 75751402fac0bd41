"""What a receipt printer says about itself: ready, paper low or out, cover open, offline.

ESC/POS printers answer the real-time status request DLE EOT n (10 04 n) with one byte, even
while offline. The bit layouts below are from Epson's ESC/POS command reference ("DLE EOT:
transmit real-time status", e.g. the TM-T88III and TM-L60II technical references), and the
Bixolon, HPRT and other clones follow them:

``n = 1`` printer status
    bit 3: offline.
``n = 2`` offline cause
    bit 2: cover open; bit 3: paper being fed by the FEED button; bit 5: printing stopped
    because the paper ran out; bit 6: an error occurred.
``n = 4`` roll paper sensor
    bits 2-3: paper near end; bits 5-6: paper end (no paper).

In every answer bits 1 and 4 are fixed on and bits 0 and 7 fixed off. A byte that breaks
that pattern is not a status answer (a printer echoing data, automatic status back, line
noise), so it makes the state UNKNOWN rather than a guess. A printer that does not answer
at all is UNKNOWN too, never READY: many cheap printers ignore DLE EOT.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "STATUS_QUERIES",
    "PrinterState",
    "PrinterStatus",
    "decode_status",
    "is_status_byte",
    "query_status",
    "status_request",
]


class PrinterState(StrEnum):
    """The state of a receipt printer, as far as its transport can tell."""

    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    # A printer that is expected to answer (its profile promises a confirmation) and did not:
    # it took the connection but not the question, as a hung printer does.
    NOT_ANSWERING = "not_answering"
    UNKNOWN = "unknown"


# The states in which a slip would not come out: sending it anyway would queue it inside the
# printer, to appear minutes later in front of the next person.
_DOWN = frozenset(
    {
        PrinterState.PAPER_OUT,
        PrinterState.COVER_OPEN,
        PrinterState.OFFLINE,
        PrinterState.NOT_ANSWERING,
    }
)


@dataclass(frozen=True)
class PrinterStatus:
    """A printer's state and a short detail for staff (e.g. "no answer to DLE EOT 1")."""

    state: PrinterState
    detail: str = ""

    @property
    def can_print(self) -> bool:
        """True when the printer said it is ready (paper near end still prints)."""
        return self.state in (PrinterState.READY, PrinterState.PAPER_NEAR_END)

    @property
    def is_down(self) -> bool:
        """True when the printer is known not to print (paper out, cover open, offline)."""
        return self.state in _DOWN

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, e.g. for `kiosk printer status` or the maintenance API."""
        return {"state": str(self.state), "detail": self.detail, "can_print": self.can_print}


STATUS_QUERIES = (1, 2, 4)  # DLE EOT n: printer status, offline cause, roll paper sensor
_FIXED_MASK = 0x93  # bits 7, 4, 1 and 0 have fixed values in every status byte
_FIXED_BITS = 0x12  # bits 4 and 1 on, bits 7 and 0 off


def status_request(n: int) -> bytes:
    """The DLE EOT n bytes that ask for one status byte."""
    return bytes((0x10, 0x04, n))


def is_status_byte(value: int) -> bool:
    """Whether `value` has the fixed bits every DLE EOT answer has."""
    return value & _FIXED_MASK == _FIXED_BITS


def decode_status(printer: int | None, offline: int | None, paper: int | None) -> PrinterStatus:
    """The state from the answers to DLE EOT 1, 2 and 4 (None: no answer)."""
    for n, value in zip(STATUS_QUERIES, (printer, offline, paper), strict=True):
        if value is None:
            return PrinterStatus(PrinterState.UNKNOWN, f"no answer to DLE EOT {n}")
        if not is_status_byte(value):
            return PrinterStatus(
                PrinterState.UNKNOWN, f"unexpected answer 0x{value:02X} to DLE EOT {n}"
            )
    assert printer is not None and offline is not None and paper is not None
    if offline & 0x04:
        return PrinterStatus(PrinterState.COVER_OPEN, "cover open")
    if offline & 0x20 or paper & 0x60:
        return PrinterStatus(PrinterState.PAPER_OUT, "paper out")
    if offline & 0x40:
        return PrinterStatus(PrinterState.OFFLINE, "printer error (e.g. cutter jam or overheating)")
    if printer & 0x08:
        cause = "feeding paper" if offline & 0x08 else "offline"
        return PrinterStatus(PrinterState.OFFLINE, cause)
    if paper & 0x0C:
        return PrinterStatus(PrinterState.PAPER_NEAR_END, "paper near end")
    return PrinterStatus(PrinterState.READY, "ready")


def query_status(ask: Callable[[int], int | None]) -> PrinterStatus:
    """Ask DLE EOT 1, 2 and 4 through `ask(n)`; stop at the first missing or odd answer."""
    answers: list[int | None] = [None, None, None]
    for index, n in enumerate(STATUS_QUERIES):
        value = ask(n)
        answers[index] = value
        # A printer that ignored one request ignores the next too: asking again would only
        # add another wait of up to a second before the slip is sent.
        if value is None or not is_status_byte(value):
            break
    return decode_status(*answers)
