"""The ``file:///dev/usb/lp0`` printer: append each job's bytes to a device node or a file.

For a printer the kernel exposes as a device (the usblp driver's /dev/usb/lp0, a parallel
port) or for capturing jobs in a file. The path is written with O_NONBLOCK and poll(), so a
printer that stops taking data times out after `timeout` seconds instead of hanging the
print worker. A path outside /dev that does not exist yet is created; under /dev it never
is (writing a regular file there while the printer is unplugged would hide the device).

A device file gives no way to read the printer's answers, so `status()` is UNKNOWN while
the path can be written, and OFFLINE when it is missing or not writable.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable
from urllib.parse import SplitResult, unquote

from printers.base import Delivery, PrinterUnavailable, PrinterURL
from printers.document import Receipt
from printers.escpos import send_unconfirmed
from printers.locks import device_lock, holding
from printers.profile import PrinterProfile
from printers.registry import register_driver
from printers.status import PrinterState, PrinterStatus

__all__ = ["FilePrinter"]


def _parse(parts: SplitResult, options: dict[str, str]) -> PrinterURL:
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"a file:// URL names no host ({parts.netloc!r}): file:///dev/usb/lp0")
    path = unquote(parts.path)
    if not path.startswith("/") or path.endswith("/") or "\x00" in path:
        raise ValueError(f"{path!r} is not an absolute path to a file, e.g. file:///dev/usb/lp0")
    return PrinterURL("file", path=path, options=options)


@register_driver("file", parse=_parse)
class FilePrinter:
    """Appends each job to `path`; one open and close per job."""

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Remember the path; nothing is opened until a job is sent."""
        self.url = url
        self.path = url.path
        self.timeout = timeout
        self.profile: PrinterProfile = url.profile
        self.last_status = PrinterStatus(PrinterState.UNKNOWN, "not asked yet")

    @property
    def name(self) -> str:
        """E.g. "printer file /dev/usb/lp0"."""
        return f"printer file {self.path}"

    def print_receipt(
        self,
        receipt: Receipt,
        *,
        reprint: bool = False,
        within: float | None = None,
        rate: float | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> Delivery:
        """Append one receipt; a file cannot confirm: sent, not confirmed (NONE)."""
        return send_unconfirmed(receipt, self.profile, self.send, reprint=reprint, on_send=on_send)

    def status(self) -> PrinterStatus:
        """UNKNOWN if the path can be written (a file cannot answer), else OFFLINE."""
        path = self.path
        if os.path.exists(path):
            writable = os.access(path, os.W_OK)
        else:
            writable = not self._is_device() and os.access(os.path.dirname(path), os.W_OK)
        if not writable:
            reason = "not found" if not os.path.exists(path) else "not writable"
            self.last_status = PrinterStatus(PrinterState.OFFLINE, f"{self.name} {reason}")
        else:
            detail = f"{self.name} can be written; a file gives no printer status"
            self.last_status = PrinterStatus(PrinterState.UNKNOWN, detail)
        return self.last_status

    def send(self, data: bytes) -> None:
        """Append raw bytes as one job within `timeout` seconds, or raise PrinterUnavailable."""
        deadline = time.monotonic() + self.timeout
        with holding(device_lock("file", self.path), timeout=self.timeout, name=self.name):
            fd = self._open()
            try:
                self._write(fd, data, deadline)
            finally:
                os.close(fd)

    def _is_device(self) -> bool:
        return self.path.startswith("/dev/")

    def _open(self) -> int:
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        if not self._is_device():
            flags |= os.O_CREAT
        try:
            return os.open(self.path, flags, 0o644)
        except FileNotFoundError:
            raise PrinterUnavailable(
                f"{self.name} not found (printer unplugged or switched off?)"
            ) from None
        except PermissionError:
            raise PrinterUnavailable(
                f"{self.name}: permission denied (is the kiosk user in the lp group?)"
            ) from None
        except OSError as exc:
            raise PrinterUnavailable(f"{self.name}: {exc.strerror or exc}") from None

    def _write(self, fd: int, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                pass  # the printer's buffer is full: wait below
            except OSError as exc:
                raise PrinterUnavailable(f"{self.name}: {exc.strerror or exc}") from None
            if not view:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise PrinterUnavailable(
                    f"{self.name} stopped taking data: timed out after {self.timeout:g} s"
                )
            poller.poll(max(1, int(left * 1000)))  # milliseconds
