"""The ``tcp://host:port`` printer: raw ESC/POS over TCP (port 9100, "JetDirect").

One connection per job: the status questions and then the slip go over it (see
`printers.stream`), and it is closed in ``finally``. Every failure becomes
`PrinterUnavailable` with a short message for the operator. Success means the printer's
TCP stack took every byte of a printer that was not known to be down, not that the slip
came out. DNS look-ups have no timeout (the OS does them): configure printers by IP address.

python-escpos's `Network` is not used: `Network.open()` leaks its socket when the connection
fails (a ResourceWarning at garbage collection), reports every cause as the same
`DeviceNotFoundError` and only speaks IPv4, and `Network.close()` logs through the root
logger's module-level ``logging.info``, which calls ``logging.basicConfig()`` in a process
that has not configured logging yet. What it would add here is one ``sendall``.
"""

from __future__ import annotations

import contextlib
import socket
import struct

from printers.base import PrinterUnavailable, PrinterURL
from printers.registry import register_driver
from printers.stream import StreamPrinter

__all__ = ["TcpPrinter"]


@register_driver("tcp", default_port=9100)
class TcpPrinter(StreamPrinter):
    """A receipt printer on the network; each job is one TCP connection."""

    kind = "tcp"

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Remember where the printer is; connects only when a job is sent."""
        if url.port is None:
            raise ValueError(f"{url}: a tcp printer URL needs a port")
        super().__init__(url, timeout=timeout)
        self.host = url.host
        self.port: int = url.port

    @property
    def address(self) -> str:
        """host:port as people write it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def name(self) -> str:
        """E.g. "printer 10.0.0.5:9100"."""
        return f"printer {self.address}"

    @property
    def device_key(self) -> str:
        """host:port."""
        return self.address

    def _open(self, deadline: float) -> _SocketChannel:
        try:
            left = self._left(deadline, "was busy with another job")
            sock = socket.create_connection((self.host, self.port), timeout=left)
        except TimeoutError:
            raise self._timed_out("did not answer") from None
        except OSError as exc:
            raise self._unavailable(exc) from exc
        return _SocketChannel(self, sock)

    def _unavailable(self, exc: OSError) -> PrinterUnavailable:
        if isinstance(exc, ConnectionRefusedError):
            return PrinterUnavailable(f"printer {self.address} refused the connection")
        if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return PrinterUnavailable(f"printer {self.address} dropped the connection")
        if isinstance(exc, socket.gaierror):
            return PrinterUnavailable(f"printer host {self.host!r} not found ({exc.strerror})")
        reason = exc.strerror or str(exc) or type(exc).__name__
        return PrinterUnavailable(f"printer {self.address} unreachable: {reason}")


class _SocketChannel:
    """One TCP connection to the printer."""

    def __init__(self, printer: TcpPrinter, sock: socket.socket) -> None:
        self._printer = printer
        self._sock = sock

    def write(self, data: bytes, deadline: float) -> None:
        """sendall within the deadline: one timeout covers all of the data."""
        try:
            self._sock.settimeout(self._printer._left(deadline, "answered too slowly"))
            self._sock.sendall(data)
        except TimeoutError:
            raise self._printer._timed_out("stopped taking data") from None
        except OSError as exc:
            raise self._printer._unavailable(exc) from exc

    def read_byte(self, timeout: float) -> int | None:
        """One byte, or None on timeout, end of stream or a reset."""
        try:
            self._sock.settimeout(timeout)
            data = self._sock.recv(1)
        except OSError:  # TimeoutError is one; a reset shows up again when the slip is sent
            return None
        return data[0] if data else None

    def close(self, *, abort: bool) -> None:
        """Close the socket; `abort` resets the connection instead of finishing it."""
        if abort:
            _abort_on_close(self._sock)
        else:
            with contextlib.suppress(OSError):
                # end the stream first so a printer waiting for more data starts printing
                self._sock.shutdown(socket.SHUT_WR)
        self._sock.close()


def _abort_on_close(sock: socket.socket) -> None:
    """Make close() reset the connection and drop unsent bytes."""
    # After a failed job the printer must not get the rest of the slip minutes later, when
    # the kernel finally delivers it: the app will report the failure and may print again.
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
