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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar, Protocol

from printers.base import PrinterBusy, PrinterUnavailable, PrinterURL
from printers.document import Receipt
from printers.escpos import encode_receipt
from printers.locks import device_lock, holding
from printers.profile import PrinterProfile
from printers.status import PrinterState, PrinterStatus, query_status, status_request

__all__ = ["Channel", "StreamPrinter"]

STATUS_WAIT = 1.0  # seconds, at most, for each one-byte status answer


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

    def print_receipt(self, receipt: Receipt, *, reprint: bool = False) -> None:
        """Encode and send one receipt; `PrinterUnavailable` if the printer did not take it."""
        self.send(encode_receipt(receipt, profile=self.profile, reprint=reprint))

    def send(self, data: bytes) -> None:
        """Send raw bytes as one job, unless the printer says it is down."""
        deadline = time.monotonic() + self.timeout
        with self._session(deadline) as channel:
            asked = time.monotonic()
            status = self._ask(channel)
            if status.is_down:
                raise PrinterUnavailable(
                    f"{self.name} is not ready ({status.detail}); the slip was not sent",
                    state=status.state,
                )
            deadline += time.monotonic() - asked  # the status wait is not the slip's time
            channel.write(data, deadline)

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

        self.last_status = query_status(ask)
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
