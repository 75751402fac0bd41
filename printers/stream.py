"""What tcp://, usb:// and serial:// printers share: a two-way byte stream per job.

A job holds the device's lock, opens the stream, asks the printer's status (DLE EOT, see
`printers.status`), and sends the slip only if the printer is not known to be down; the
stream is closed in ``finally``. A printer that does not answer the status request (many
don't) is UNKNOWN and still gets the slip.

`timeout` bounds waiting for the lock, opening and sending. The status questions come on
top, at most ``min(timeout, 1 s)`` for each of the three answers, so a printer that never
answers costs one such wait per job and still gets the whole `timeout` for the slip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar, Protocol

from printers.base import (
    Confirmation,
    Delivery,
    PrinterBusy,
    PrinterTooSlow,
    PrinterUnavailable,
    PrinterURL,
)
from printers.confirm import (
    ABANDON,
    PROCESS_ID_ANSWER,
    next_process_id,
    process_id_request,
    split,
    status_request_in_order,
)
from printers.document import Receipt
from printers.escpos import encode_receipt
from printers.locks import device_lock, holding
from printers.profile import PrinterProfile
from printers.status import PrinterState, PrinterStatus, query_status, status_request

__all__ = ["Channel", "StreamPrinter"]

STATUS_WAIT = 1.0  # seconds, at most, for each one-byte status answer
ASSUMED_RATE = 2000.0  # bytes per second a printer is taken to print at until measured
SLOWEST_RATE = 100.0  # bytes per second: slower than this, a printer is taken for hung
CONFIRM_SLACK = 2.0  # seconds beyond the printing time to wait for an answer
FIRST_PART = 512  # bytes sent before the printer's speed is known
PART = 2048  # bytes per part after that
# what to change when a printer never confirms because it lacks the command
HINT = {
    "process_id": "a printer without GS ( H needs confirm=status or confirm=none in its URL",
    "status": "a printer without GS r needs confirm=none in its URL",
}


class Channel(Protocol):
    """One open connection to a printer, for one job."""

    def write(self, data: bytes, deadline: float) -> None:
        """Send all of `data` before `deadline` (time.monotonic()); else PrinterUnavailable."""

    def read_byte(self, timeout: float) -> int | None:
        """One byte from the printer, or None if none came within `timeout` seconds."""

    def close(self, *, abort: bool) -> None:
        """Close; `abort` drops anything not yet delivered (a job that failed half-way)."""


class StreamPrinter:
    """Base of the drivers that can both send to the printer and read its answers."""

    kind: ClassVar[str]  # the lock namespace, e.g. "tcp"

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Remember the printer; nothing is opened until a job is sent."""
        self.url = url
        self.timeout = timeout
        self.profile: PrinterProfile = url.profile
        self.last_status = PrinterStatus(PrinterState.UNKNOWN, "not asked yet")

    @property
    def name(self) -> str:
        """How messages name the printer, e.g. "printer 10.0.0.5:9100"."""
        raise NotImplementedError

    @property
    def device_key(self) -> str:
        """What identifies the device for its lock."""
        raise NotImplementedError

    def _open(self, deadline: float) -> Channel:
        """Open the stream before `deadline`, or raise PrinterUnavailable."""
        raise NotImplementedError

    def print_receipt(
        self,
        receipt: Receipt,
        *,
        reprint: bool = False,
        within: float | None = None,
        rate: float | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> Delivery:
        """Encode and print one receipt (see `ReceiptPrinter.print_receipt`)."""
        data = encode_receipt(receipt, profile=self.profile, reprint=reprint)
        return self.send(data, within=within, rate=rate, on_send=on_send)

    def send(
        self,
        data: bytes,
        *,
        within: float | None = None,
        rate: float | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> Delivery:
        """Send raw bytes as one job, unless the printer says it is down; confirm if it can."""
        began = time.monotonic()
        finish_by = None if within is None else began + within
        deadline = began + self.timeout
        with self._session(deadline) as channel:
            asked = time.monotonic()
            status = self._ask(channel)
            if status.is_down:
                raise PrinterUnavailable(
                    f"{self.name} is not ready ({status.detail}); the slip was not sent",
                    state=status.state,
                )
            deadline += time.monotonic() - asked  # the status wait is not the slip's time
            if self.profile.confirm == "none":
                self._check_time(len(data), rate, finish_by, partial=False)
                if on_send is not None:
                    on_send()
                start = time.monotonic()
                channel.write(data, deadline)
                return Delivery(Confirmation.NONE, len(data), time.monotonic() - start)
            return _Confirmed(self, channel, finish_by, rate).send(data, on_send)

    def _check_time(
        self, size: int, rate: float | None, finish_by: float | None, *, partial: bool
    ) -> None:
        """PrinterTooSlow if `size` bytes at `rate` would come out after `finish_by`."""
        if finish_by is None:
            return
        need = size / (rate or ASSUMED_RATE)
        if time.monotonic() + need > finish_by:
            raise PrinterTooSlow(
                f"{self.name} prints about {rate or ASSUMED_RATE:.0f} bytes/s: the rest of the "
                f"slip ({size} bytes) would come out after the tenant has gone",
                partial=partial,
            )

    def status(self) -> PrinterStatus:
        """Ask the printer; never raises (unreachable is OFFLINE, silent is UNKNOWN)."""
        try:
            with self._session(time.monotonic() + self.timeout) as channel:
                return self._ask(channel)
        except PrinterBusy as exc:
            self.last_status = PrinterStatus(PrinterState.UNKNOWN, str(exc))
        except PrinterUnavailable as exc:
            self.last_status = PrinterStatus(PrinterState.OFFLINE, str(exc))
        except Exception as exc:  # a status page must never fail because of a driver bug
            detail = f"status query failed: {type(exc).__name__}: {exc}"
            self.last_status = PrinterStatus(PrinterState.UNKNOWN, detail[:200])
        return self.last_status

    @contextmanager
    def _session(self, deadline: float) -> Iterator[Channel]:
        """The device's lock and an open channel; closed at the end, aborted on any error."""
        with holding(self._lock(), timeout=self.timeout, name=self.name):
            channel = self._open(deadline)
            finished = False
            try:
                yield channel
                finished = True
            finally:
                # after a failure nothing still queued may reach the printer later
                channel.close(abort=not finished)

    def _ask(self, channel: Channel) -> PrinterStatus:
        wait = min(self.timeout, STATUS_WAIT)

        def ask(n: int) -> int | None:
            channel.write(status_request(n), time.monotonic() + wait)
            return channel.read_byte(wait)

        status = query_status(ask)
        if status.detail == "no answer to DLE EOT 1" and self.profile.confirm != "none":
            # This printer is one that answers (its profile says it confirms slips): silence
            # means it took the connection and is not reading, as a hung printer does.
            status = PrinterStatus(
                PrinterState.NOT_ANSWERING, "takes the connection but answers nothing"
            )
        self.last_status = status
        return self.last_status

    def _lock(self) -> threading.Lock:
        return device_lock(self.kind, self.device_key)

    def _left(self, deadline: float, what: str) -> float:
        """Seconds until `deadline`; PrinterUnavailable saying `what` if it has passed."""
        left = deadline - time.monotonic()
        if left <= 0:
            # a timeout of 0 would make a socket non-blocking instead of failing
            raise self._timed_out(what)
        return left

    def _timed_out(self, what: str) -> PrinterUnavailable:
        return PrinterUnavailable(f"{self.name} {what}: timed out after {self.timeout:g} s")


class _Confirmed:
    """One slip sent in parts, each followed by a request answered once it was printed."""

    def __init__(
        self,
        printer: StreamPrinter,
        channel: Channel,
        finish_by: float | None,
        rate: float | None,
    ) -> None:
        self.printer = printer
        self.channel = channel
        self.finish_by = finish_by
        self.rate = rate  # bytes per second: measured before, then measured here
        self.kind = printer.profile.confirm

    def send(self, data: bytes, on_send: Callable[[], None] | None) -> Delivery:
        """Every part confirmed, or PrinterUnavailable (partial once a byte has left)."""
        start: float | None = None
        done = 0
        for part in split(data, FIRST_PART, PART):
            try:
                self.printer._check_time(
                    len(data) - done, self.rate, self.finish_by, partial=start is not None
                )
            except PrinterTooSlow:
                if start is not None:  # cut off what is out, so no half slip waits in it
                    self.channel.write(ABANDON, time.monotonic() + self.printer.timeout)
                raise
            if start is None:
                if on_send is not None:
                    on_send()
                start = time.monotonic()
            self._part(part, first=done == 0)
            done += len(part)
            self.rate = done / max(time.monotonic() - start, 1e-3)
        assert start is not None
        confirmation = Confirmation.PROCESS_ID if self.kind == "process_id" else Confirmation.STATUS
        return Delivery(confirmation, len(data), time.monotonic() - start, self.rate)

    def _part(self, part: bytes, *, first: bool) -> None:
        name = self.printer.name
        process_id = next_process_id()
        request = (
            process_id_request(process_id)
            if self.kind == "process_id"
            else status_request_in_order()
        )
        try:
            self.channel.write(part + request, time.monotonic() + self.printer.timeout)
        except PrinterUnavailable as exc:
            raise PrinterUnavailable(str(exc), state=exc.state, partial=True) from None
        wait = len(part) / min(self.rate or SLOWEST_RATE, SLOWEST_RATE) + CONFIRM_SLACK
        wait = max(wait, self.printer.timeout)
        if self.finish_by is not None:
            wait = max(min(wait, self.finish_by - time.monotonic()), 0.05)
        answer = self._answer(process_id, wait)
        if answer == "closed":
            raise PrinterUnavailable(
                f"{name} dropped the connection before it confirmed the slip", partial=True
            )
        if answer is None:
            raise PrinterUnavailable(
                f"{name} did not confirm the slip within {wait:.0f} s ({HINT[self.kind]})",
                state=PrinterState.NOT_ANSWERING,
                partial=True,
            )

    def _answer(self, process_id: bytes, wait: float) -> str | None:
        """ "ok", "closed" (the connection ended) or None (no answer within `wait` s)."""
        expected = PROCESS_ID_ANSWER + process_id + b"\x00"
        seen = b""
        until = time.monotonic() + wait
        while (left := until - time.monotonic()) > 0:
            asked = time.monotonic()
            byte = self.channel.read_byte(left)
            if byte is None:
                # a None well before the timeout is the end of the stream, not silence
                return "closed" if time.monotonic() - asked < left * 0.9 else None
            if self.kind == "status":
                if byte & 0x90 == 0:  # GS r 1: bits 4 and 7 are always off
                    return "ok"
                continue
            seen = (seen + bytes((byte,)))[-len(expected) :]
            if seen == expected:
                return "ok"
        return None
