"""The ``tcp://host:port`` printer: raw ESC/POS over TCP (port 9100, "JetDirect").

One connection per job, opened and closed inside `print_receipt`. A lock per (host, port)
is held for the whole job, because many receipt printers accept a second connection while
printing the first and then interleave the two byte streams on paper. The lock only covers
this process (waitress serves with threads, so that is every print of the kiosk).

`timeout` bounds the whole job: waiting for the lock, connecting and sending (but not a DNS
look-up, which the OS does without a timeout: configure printers by IP address). Every
failure becomes `PrinterUnavailable` with a short message for the operator. Success means
the printer's TCP stack took every byte, not that the slip came out: that needs a status
query (DLE EOT), which this driver does not send yet.

python-escpos's `Network` is used for sending (`_raw`) and closing, but not for connecting:
`Network.open()` leaks its socket when the connection fails (a ResourceWarning at garbage
collection), reports every cause as the same `DeviceNotFoundError`, only speaks IPv4, and
with ``raise_not_found=False`` just logs and leaves the device unusable. So this module
connects with `socket.create_connection` and hands the socket to `Network`.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

from escpos.printer import Network

from printers.base import PrinterUnavailable, PrinterURL
from printers.document import Receipt
from printers.escpos import encode_receipt
from printers.profile import PrinterProfile
from printers.registry import register_driver

__all__ = ["TcpPrinter"]

_locks: dict[tuple[str, int], threading.Lock] = {}
_locks_guard = threading.Lock()


def _device_lock(host: str, port: int) -> threading.Lock:
    """The one lock for a printer address in this process."""
    with _locks_guard:
        return _locks.setdefault((host.lower(), port), threading.Lock())


@register_driver("tcp", default_port=9100)
class TcpPrinter:
    """A receipt printer on the network; each job is one TCP connection."""

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Remember where the printer is; connects only when a job is sent."""
        if url.port is None:
            raise ValueError(f"{url}: a tcp printer URL needs a port")
        self.url = url
        self.host = url.host
        self.port: int = url.port
        self.timeout = timeout
        self.profile: PrinterProfile = url.profile

    @property
    def address(self) -> str:
        """host:port as people write it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def print_receipt(self, receipt: Receipt, *, reprint: bool = False) -> None:
        """Encode and send one receipt; `PrinterUnavailable` if the printer did not take it."""
        self.send(encode_receipt(receipt, profile=self.profile, reprint=reprint))

    def send(self, data: bytes) -> None:
        """Send raw bytes as one job within `timeout` seconds, or raise `PrinterUnavailable`."""
        deadline = time.monotonic() + self.timeout
        lock = _device_lock(self.host, self.port)
        if not lock.acquire(timeout=self.timeout):
            raise PrinterUnavailable(
                f"printer {self.address} is busy: another print job held it for "
                f"more than {self.timeout:g} s"
            )
        try:
            self._send_locked(data, deadline)
        finally:
            lock.release()

    def _send_locked(self, data: bytes, deadline: float) -> None:
        try:
            left = self._left(deadline, "was busy with another job")
            sock = socket.create_connection((self.host, self.port), timeout=left)
        except TimeoutError:
            raise self._timed_out("did not answer") from None
        except OSError as exc:
            raise self._unavailable(exc) from exc
        network = Network(self.host, self.port, timeout=self.timeout)
        network.device = sock
        sent = False
        try:
            # One deadline for the whole job: sendall's timeout covers all of the data.
            sock.settimeout(self._left(deadline, "answered too slowly"))
            network._raw(data)
            sent = True
        except TimeoutError:
            raise self._timed_out("stopped taking data") from None
        except OSError as exc:
            raise self._unavailable(exc) from exc
        finally:
            if not sent:
                _abort_on_close(sock)
            network.close()

    def _left(self, deadline: float, what: str) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            # a timeout of 0 would make the socket non-blocking instead of failing
            raise self._timed_out(what)
        return left

    def _timed_out(self, what: str) -> PrinterUnavailable:
        return PrinterUnavailable(
            f"printer {self.address} {what}: timed out after {self.timeout:g} s"
        )

    def _unavailable(self, exc: OSError) -> PrinterUnavailable:
        if isinstance(exc, ConnectionRefusedError):
            return PrinterUnavailable(f"printer {self.address} refused the connection")
        if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return PrinterUnavailable(f"printer {self.address} dropped the connection")
        if isinstance(exc, socket.gaierror):
            return PrinterUnavailable(f"printer host {self.host!r} not found ({exc.strerror})")
        reason = exc.strerror or str(exc) or type(exc).__name__
        return PrinterUnavailable(f"printer {self.address} unreachable: {reason}")


def _abort_on_close(sock: socket.socket) -> None:
    """Make close() reset the connection and drop unsent bytes.

    After a failed job the printer must not get the rest of the slip minutes later, when
    the kernel finally delivers it: the app will report the failure and may print again.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
