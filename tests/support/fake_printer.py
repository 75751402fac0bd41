"""A fake network receipt printer (raw TCP, like port 9100) for tests.

It listens on 127.0.0.1 on a free port, in background threads, answers real-time status
requests, and keeps the print bytes of each connection as one job::

    with FakePrinter() as printer:
        open_receipt_printer(printer.url, timeout=2).print_receipt(receipt)
        (job,) = printer.wait_for_jobs(1)
        slip = decode(job)            # tests/support/escpos_decoder.py

Modes, for the faults a kiosk meets:

``"normal"``
    Accepts connections and reads until the sender closes; each connection is one job.
``"refuse"``
    Nothing listens: the port is bound (so no one else takes it) but connections are refused.
``"silent"``
    Accepts connections and never reads; a write larger than the socket buffers (a few MB on
    loopback) blocks, as with a printer whose buffer is full. Small jobs fit in the buffers.
``"stalled"``
    Like ``"silent"`` with a tiny receive buffer, so writes block after about 1 MB on Linux
    (the loopback send buffer still takes a lot: the peer cannot be made smaller from here).

States, answered to DLE EOT n (10 04 n) in "normal" mode; change `state` at any time, e.g.
between two jobs: ``"ready"``, ``"paper_near_end"``, ``"paper_out"``, ``"cover_open"``,
``"offline"``, and ``"mute"`` (reads everything, never answers, like many cheap printers).
`answers` overrides the state with raw answer bytes per n, e.g. ``{1: b"\\xff"}``.

Status requests are recognised only at the start of a connection, before the first other
byte (that is where the drivers send them): the fake does not parse ESC/POS, so it could
not tell a later 10 04 n from image data. They are kept in `Connection.queries`, apart from
the print bytes, so `jobs` decodes as before. A connection that sent no print bytes (a
status check, or a job refused because of the state) is in `history` but not in `jobs`.

`connections` counts accepted connections; `max_concurrent` is the most that were open at
once (only tracked in "normal" mode, where the fake sees each connection end).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, Self

__all__ = ["ANSWERS", "Connection", "FakePrinter", "Mode", "State"]

Mode = Literal["normal", "refuse", "silent", "stalled"]
State = Literal["ready", "paper_near_end", "paper_out", "cover_open", "offline", "mute"]
_POLL = 0.02  # how often the background threads look at the stop flag
_QUERY = b"\x10\x04"

# The answer byte to DLE EOT 1 (printer), 2 (offline cause), 3 (error cause) and 4 (roll
# paper sensor) for each state, from the Epson ESC/POS reference: bits 1 and 4 are always
# on; n=1 bit 3 offline; n=2 bit 2 cover open, bit 5 stopped at paper end, bit 6 error;
# n=4 bits 2-3 paper near end, bits 5-6 paper end. Spelled out here, not imported.
ANSWERS: dict[str, dict[int, bytes]] = {
    "ready": {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x12"},
    "paper_near_end": {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x1e"},
    "paper_out": {1: b"\x1a", 2: b"\x32", 3: b"\x12", 4: b"\x7e"},
    "cover_open": {1: b"\x1a", 2: b"\x16", 3: b"\x12", 4: b"\x12"},
    "offline": {1: b"\x1a", 2: b"\x12", 3: b"\x12", 4: b"\x12"},
    "mute": {},
}


@dataclass
class Connection:
    """What one finished connection sent: status requests (n of each DLE EOT), then data."""

    number: int
    queries: list[int] = field(default_factory=list)
    print_bytes: bytes = b""


class FakePrinter:
    """A fake raw-TCP receipt printer; use as a context manager or call `stop()`."""

    def __init__(
        self, mode: Mode = "normal", *, state: State = "ready", read_delay: float = 0.0
    ) -> None:
        """Start listening. `read_delay` sleeps before each read, to make jobs take a while."""
        self.mode: Mode = mode
        self.state: State = state
        self.answers: dict[int, bytes] | None = None
        self.read_delay = read_delay
        self.host = "127.0.0.1"
        self._done: dict[int, Connection] = {}  # connection number -> it, once it closed
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._held: list[socket.socket] = []  # accepted but never read (silent, stalled)
        self._open = 0
        self.connections = 0
        self.max_concurrent = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if mode == "stalled":
            # must be set before listen() so accepted sockets inherit it (and the window)
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        self._listener.bind((self.host, 0))
        self.port: int = self._listener.getsockname()[1]
        if mode != "refuse":
            # a bound socket that never listens makes the kernel refuse connections
            self._listener.listen(8)
            self._spawn(self._accept_loop)

    @property
    def url(self) -> str:
        """The printer URL to configure, e.g. ``tcp://127.0.0.1:41234``."""
        return f"tcp://{self.host}:{self.port}"

    @property
    def jobs(self) -> list[bytes]:
        """Print bytes of the finished connections that sent any, in connection order."""
        with self._changed:
            return self._jobs()

    @property
    def history(self) -> list[Connection]:
        """Every finished connection, in the order they connected."""
        with self._changed:
            return [self._done[number] for number in sorted(self._done)]

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Wait until at least `count` jobs finished and return them; TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._jobs()) >= count, timeout):
                raise TimeoutError(
                    f"fake printer got {len(self._jobs())} of {count} jobs in {timeout} s"
                )
            return self._jobs()

    def wait_for_closed(self, count: int, timeout: float = 5.0) -> list[Connection]:
        """Wait until at least `count` connections ended (with or without a job)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._done) >= count, timeout):
                raise TimeoutError(f"{len(self._done)} of {count} connections ended")
        return self.history

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> int:
        """Wait until at least `count` connections were accepted; TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.connections >= count, timeout):
                raise TimeoutError(
                    f"fake printer accepted {self.connections} of {count} connections"
                )
            return self.connections

    def stop(self) -> None:
        """Close everything and join the background threads (safe to call twice)."""
        self._stop.set()
        # the accept thread (started first) is joined before the readers it may still spawn
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()
        with self._changed:
            held, self._held = self._held, []
        for sock in held:
            sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _jobs(self) -> list[bytes]:
        return [
            self._done[number].print_bytes
            for number in sorted(self._done)
            if self._done[number].print_bytes
        ]

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._stop.is_set():
                if not selector.select(_POLL):
                    continue
                conn, _ = self._listener.accept()
                with self._changed:
                    self.connections += 1
                    number = self.connections
                    self._changed.notify_all()
                if self.mode == "normal":
                    self._spawn(self._read_job, conn, number)
                else:
                    with self._changed:
                        self._held.append(conn)

    def _answer(self, conn: socket.socket, n: int) -> None:
        answers = self.answers if self.answers is not None else ANSWERS[self.state]
        if n in answers:
            with contextlib.suppress(OSError):  # the driver gave up waiting and closed
                conn.sendall(answers[n])

    def _read_job(self, conn: socket.socket, number: int) -> None:
        with self._changed:
            self._open += 1
            self.max_concurrent = max(self.max_concurrent, self._open)
        record = Connection(number)
        chunks: list[bytes] = []
        pending = b""  # bytes that may still turn out to be a status request
        try:
            conn.settimeout(_POLL)
            while not self._stop.is_set():
                if self.read_delay:
                    time.sleep(self.read_delay)
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break  # reset by the sender: keep what arrived, like a printer would
                if not chunk:
                    break
                if chunks:
                    chunks.append(chunk)
                    continue
                pending += chunk
                while pending[:2] == _QUERY and len(pending) >= 3 and 1 <= pending[2] <= 4:
                    record.queries.append(pending[2])
                    self._answer(conn, pending[2])
                    pending = pending[3:]
                if (pending and not _QUERY.startswith(pending[:2])) or len(pending) >= 3:
                    chunks.append(pending)  # the first print byte: no more requests
                    pending = b""
        finally:
            conn.close()
            record.print_bytes = b"".join(chunks) + pending
            with self._changed:
                self._open -= 1
                self._done[number] = record
                self._changed.notify_all()
