"""A fake network receipt printer (raw TCP, like port 9100) for tests.

It listens on 127.0.0.1 on a free port, in background threads, and keeps the bytes of each
connection as one job::

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

`connections` counts accepted connections; `max_concurrent` is the most that were open at
once (only tracked in "normal" mode, where the fake sees each connection end).
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Literal, Self

__all__ = ["FakePrinter", "Mode"]

Mode = Literal["normal", "refuse", "silent", "stalled"]
_POLL = 0.02  # how often the background threads look at the stop flag


class FakePrinter:
    """A fake raw-TCP receipt printer; use as a context manager or call `stop()`."""

    def __init__(self, mode: Mode = "normal", *, read_delay: float = 0.0) -> None:
        """Start listening. `read_delay` sleeps before each read, to make jobs take a while."""
        self.mode: Mode = mode
        self.read_delay = read_delay
        self.host = "127.0.0.1"
        self._jobs: dict[int, bytes] = {}  # connection number -> bytes, once it closed
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
        """The finished jobs (one per closed connection), in the order they connected."""
        with self._changed:
            return self._finished()

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Wait until at least `count` jobs finished and return them; TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._jobs) >= count, timeout):
                raise TimeoutError(
                    f"fake printer got {len(self._jobs)} of {count} jobs in {timeout} s"
                )
            return self._finished()

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

    def _finished(self) -> list[bytes]:
        return [self._jobs[number] for number in sorted(self._jobs)]

    def _read_job(self, conn: socket.socket, number: int) -> None:
        with self._changed:
            self._open += 1
            self.max_concurrent = max(self.max_concurrent, self._open)
        chunks: list[bytes] = []
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
                chunks.append(chunk)
        finally:
            conn.close()
            with self._changed:
                self._open -= 1
                self._jobs[number] = b"".join(chunks)
                self._changed.notify_all()
