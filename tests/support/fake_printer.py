"""A fake network receipt printer (raw TCP, like port 9100) for tests.

It listens on 127.0.0.1 on a free port, in background threads, answers real-time status
requests, prints what it gets at a set speed, and keeps the print bytes of each connection
as one job::

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
`answers` overrides the state with raw answer bytes per n, e.g. ``{1: b"\\xff"}``. While the
state is paper out, cover open or offline nothing is printed (the bytes wait in the buffer).

Status requests are recognised only at the start of a connection, before the first other
byte (that is where the drivers send them). They are kept in `Connection.queries`, apart
from the print bytes, so `jobs` decodes as before. A connection that sent no print bytes (a
status check, or a job refused because of the state) is in `history` but not in `jobs`.

Printing, as a real printer does it: one engine takes the commands of every connection in
the order they arrived and "prints" each at `speed` bytes per second (None: at once). With
`paper_mm_per_second` (None, the default: at once) it also takes as long as a thermal printer
moving its paper at that speed: the paper a job moves is measured as in
tests/support/paper_length.py (lines at the line spacing, ESC d, raster rows and native QR
codes at 8 dots/mm, the feed before the cut), and the time is spent before a confirmation
request, before a cut and before the next connection's command, for the paper since the
last such point (nobody can see the paper move in between). Both may be set; they add up.
The confirmation requests are answered by the engine, so only once everything before them was
printed: GS ( H fn 48 (answer 37 22 d1 d2 d3 d4 00) and GS r 1 (one status byte). A
`model="basic"` printer ignores both, like printers without them. They are not print bytes:
they are kept in `Connection.confirms`. Each cut puts a `Slip` in `slips` with the wall-clock
time it came out; what a connection left uncut comes out as a torn `Slip` (``cut=False``)
when the next job starts printing or the printer is power-cycled.

Faults: `reset_after` (bytes) resets a connection once it has sent that many print bytes,
for the next `resets` connections (None: all); `hang()` stops reading and printing (the
port still accepts connections), then `resume()` carries on with what was buffered, or
`power_cycle()` drops every connection and loses what was not printed yet.

`connections` counts accepted connections; `max_concurrent` is the most that were open at
once (only tracked in "normal" mode, where the fake sees each connection end).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, Self

from tests.support.paper_length import paper_mm

__all__ = ["ANSWERS", "Connection", "FakePrinter", "Mode", "Model", "Slip", "State"]

Mode = Literal["normal", "refuse", "silent", "stalled"]
Model = Literal["confirming", "basic"]
State = Literal["ready", "paper_near_end", "paper_out", "cover_open", "offline", "mute"]
_POLL = 0.02  # how often the background threads look at the stop flag
_QUERY = b"\x10\x04"
_STOPPED = ("paper_out", "cover_open", "offline")  # states in which nothing prints

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
# GS r 1 answers one paper-sensor byte: bits 0-1 near end, bits 2-3 paper end, 4 and 7 off
_GS_R1 = {"paper_near_end": b"\x03", "paper_out": b"\x0f"}


@dataclass
class Connection:
    """What one finished connection sent: status requests (n of each DLE EOT), then data."""

    number: int
    queries: list[int] = field(default_factory=list)
    print_bytes: bytes = b""
    confirms: list[bytes] = field(default_factory=list)  # the confirmation requests
    answered: int = 0  # how many of them were answered


@dataclass(frozen=True)
class Slip:
    """What came out of the printer: the bytes up to a cut (or a torn piece), and when."""

    connection: int
    data: bytes
    out_at: float  # time.time()
    cut: bool


class FakePrinter:
    """A fake raw-TCP receipt printer; use as a context manager or call `stop()`."""

    def __init__(
        self,
        mode: Mode = "normal",
        *,
        state: State = "ready",
        read_delay: float = 0.0,
        model: Model = "confirming",
        speed: float | None = None,
        paper_mm_per_second: float | None = None,
        reset_after: int | None = None,
        resets: int | None = None,
    ) -> None:
        """Start listening. `read_delay` sleeps before each read, to make jobs take a while."""
        self.mode: Mode = mode
        self.state: State = state
        self.answers: dict[int, bytes] | None = None
        self.read_delay = read_delay
        self.model: Model = model
        self.speed = speed  # bytes per second, None: at once
        self.paper_mm_per_second = paper_mm_per_second  # paper speed, None: at once
        self.reset_after = reset_after
        self.resets = resets
        # called by the printing engine the moment a cut is made, before anything after it
        # (such as the confirmation request) is processed: e.g. to kill the sender right then
        self.on_cut: Callable[[Slip], None] | None = None
        self.host = "127.0.0.1"
        self.slips: list[Slip] = []
        self._done: dict[int, Connection] = {}  # connection number -> it, once it closed
        self._live: dict[int, socket.socket] = {}
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._hung = threading.Event()
        self._queue: deque[tuple[int, socket.socket, bytes]] = deque()
        self._page: dict[int, bytearray] = {}  # printed bytes not cut yet, per connection
        self._records: dict[int, Connection] = {}  # open connections' records
        self._busy: int | None = None  # the connection whose command the engine is printing
        self._paper: dict[int, _Paper] = {}  # the engine's: what each connection printed
        self._power = 0  # power cycles so far: a command being printed across one is lost
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
            self._spawn(self._engine)

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

    @property
    def idle(self) -> bool:
        """Nothing received is still waiting to be printed (so nothing more can come out)."""
        with self._changed:
            return not self._queue and self._busy is None

    def out(self) -> list[Slip]:
        """Every slip and torn piece that came out so far."""
        with self._changed:
            return list(self.slips)

    def hang(self) -> None:
        """Stop reading and printing; connections are still accepted, nothing is answered."""
        self._hung.set()

    def resume(self) -> None:
        """Carry on after `hang()` with everything buffered."""
        self._hung.clear()

    def power_cycle(self) -> None:
        """Switched off and on: every connection is reset and what was not printed is lost."""
        with self._changed:
            live, self._live = dict(self._live), {}
            self._queue.clear()
            self._power += 1
            for number in list(self._page):
                self._tear(number)  # printed before the power went: it is out, torn
        for sock in live.values():
            _reset(sock)
        self._hung.clear()

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
            self._live[number] = conn
        record = Connection(number)
        reader = _Reader(self, conn, record)
        try:
            reader.run()
        finally:
            with self._changed:
                self._live.pop(number, None)
            with contextlib.suppress(OSError):
                conn.close()
            with self._changed:
                record.print_bytes = bytes(reader.printable) + reader.pending
                self._open -= 1
                self._done[number] = record
                self._changed.notify_all()

    def _engine(self) -> None:
        """Print queued commands in order, at `speed`, answering confirmations after them."""
        while not self._stop.is_set():
            if self._hung.is_set() or self.state in _STOPPED:
                time.sleep(_POLL)
                continue
            with self._changed:
                if not self._queue:
                    item = None
                else:
                    item = self._queue.popleft()
                    self._busy = item[0]
                    power = self._power
            if item is None:
                time.sleep(0.005)
                continue
            number, sock, command = item
            if self.speed:
                self._print_time(len(command) / self.speed)
            if self.paper_mm_per_second:
                self._print_time(self._paper_due(number, command) / self.paper_mm_per_second)
            if power == self._power:  # not switched off half-way through
                self._execute(number, sock, command)
            with self._changed:
                self._busy = None

    def _paper_due(self, number: int, command: bytes) -> float:
        """Millimetres of paper to move before `command` of connection `number` takes effect."""
        confirm = _is_confirm(command)
        if not confirm:
            self._paper.setdefault(number, _Paper()).take(command)
        due = 0.0
        for other, paper in list(self._paper.items()):
            if other != number or confirm or command.startswith(b"\x1dV"):
                due += paper.settle()
                with self._changed:
                    ended = other in self._done and all(n != other for n, _, _ in self._queue)
                if other != number and ended:
                    del self._paper[other]  # it ended and all it printed is out
        return due

    def _print_time(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0 and not self._stop.is_set():
            if self._hung.is_set() or self.state in _STOPPED:
                end += _POLL  # the head stopped: the rest takes as long after it restarts
            time.sleep(min(left, _POLL))

    def _execute(self, number: int, sock: socket.socket, command: bytes) -> None:
        if _is_confirm(command):
            if self.model == "confirming":
                if command.startswith(b"\x1d(H"):
                    answer = b"\x37\x22" + command[7:11] + b"\x00"
                else:
                    answer = _GS_R1.get(self.state, b"\x00")
                with contextlib.suppress(OSError):
                    sock.sendall(answer)
                    with self._changed:
                        self._records[number].answered += 1
            return
        with self._changed:
            for other in [n for n in self._page if n != number]:
                self._tear(other)  # a new job: what the last one left uncut is torn off
            page = self._page.setdefault(number, bytearray())
            page += command
            slip = None
            if command.startswith(b"\x1dV"):
                slip = Slip(number, bytes(page), time.time(), cut=True)
                self.slips.append(slip)
                del self._page[number]
            self._changed.notify_all()
        if slip is not None and self.on_cut is not None:
            self.on_cut(slip)

    def _tear(self, number: int) -> None:
        page = self._page.pop(number, None)
        if page:
            self.slips.append(Slip(number, bytes(page), time.time(), cut=False))


class _Paper:
    """What one connection printed, and how much of its paper has been moved (in mm)."""

    def __init__(self) -> None:
        self.printed = bytearray()
        self.moved = 0.0  # mm
        self.new = False  # printed something since the last `settle()`

    def take(self, command: bytes) -> None:
        """The engine printed `command`."""
        self.printed += command
        self.new = True

    def settle(self) -> float:
        """Millimetres printed but not yet moved; from now on they count as moved."""
        if not self.new:
            return 0.0
        # the whole connection is measured again, so the printer's modes (Chinese mode, the
        # QR code's settings) carry over from one part to the next; slips are a few KB
        length = paper_mm(bytes(self.printed))
        due, self.moved, self.new = max(length - self.moved, 0.0), length, False
        return due


class _Reader:
    """Reads one connection: leading status requests, then commands for the engine."""

    def __init__(self, printer: FakePrinter, conn: socket.socket, record: Connection) -> None:
        self.printer = printer
        self.conn = conn
        self.record = record
        self.printable = bytearray()
        self.pending = b""
        self.buffer = b""  # received, not yet a whole command
        self.started = False  # the first print byte came: no more status requests
        self.received = 0
        with printer._changed:
            printer._records[record.number] = record

    def run(self) -> None:
        """Read until the sender closes, the connection is reset, or the fake stops."""
        printer = self.printer
        self.conn.settimeout(_POLL)
        while not printer._stop.is_set():
            if printer._hung.is_set():
                time.sleep(_POLL)
                continue
            if printer.read_delay:
                time.sleep(printer.read_delay)
            try:
                chunk = self.conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break  # reset by the sender: keep what arrived, like a printer would
            if not chunk:
                break
            if not self.feed(chunk):
                break
        self.flush()

    def feed(self, chunk: bytes) -> bool:
        """Take received bytes; False once the connection was reset on purpose."""
        if not self.started:
            self.pending += chunk
            while (
                self.pending[:2] == _QUERY and len(self.pending) >= 3 and 1 <= self.pending[2] <= 4
            ):
                self.record.queries.append(self.pending[2])
                self.printer._answer(self.conn, self.pending[2])
                self.pending = self.pending[3:]
            if (self.pending and not _QUERY.startswith(self.pending[:2])) or len(self.pending) >= 3:
                self.started, chunk, self.pending = True, self.pending, b""
            else:
                return True
        limit = self.printer.reset_after
        if limit is not None and self.printer.resets != 0 and self.received + len(chunk) > limit:
            chunk = chunk[: max(limit - self.received, 0)]
            self._take(chunk)
            if self.printer.resets is not None:
                self.printer.resets -= 1
            _reset(self.conn)
            return False
        self._take(chunk)
        return True

    def _take(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self.buffer += chunk
        at = 0
        while at < len(self.buffer):
            length = _command_length(self.buffer, at)
            if length is None or at + length > len(self.buffer):
                break
            self._queue(self.buffer[at : at + length])
            at += length
        self.buffer = self.buffer[at:]

    def flush(self) -> None:
        """Whatever is left of an unfinished command is printed as it is."""
        if self.buffer:
            self._queue(self.buffer)
            self.buffer = b""

    def _queue(self, command: bytes) -> None:
        if _is_confirm(command):
            self.record.confirms.append(command)
        else:
            self.printable += command
        with self.printer._changed:
            self.printer._queue.append((self.record.number, self.conn, command))


def _is_confirm(command: bytes) -> bool:
    """Whether `command` is a confirmation request (GS ( H or GS r 1), not print data."""
    return command.startswith(b"\x1d(H") or command == b"\x1dr\x01"


def _command_length(data: bytes, at: int) -> int | None:
    """Bytes in the command at `at`; None if more bytes are needed to know."""
    byte = data[at]
    rest = len(data) - at
    if byte in (0x1B, 0x1C, 0x1D, 0x10) and rest < 2:
        return None
    if byte == 0x1B:
        return {0x40: 2, 0x70: 5}.get(data[at + 1], 3)
    if byte == 0x1C:
        return 2
    if byte == 0x10:
        return 3
    if byte == 0x1D:
        code = data[at + 1]
        if code == 0x56:
            if rest < 3:
                return None
            return 4 if data[at + 2] in (65, 66) else 3
        if code == 0x28:
            return None if rest < 5 else 5 + data[at + 3] + data[at + 4] * 256
        if code == 0x76:
            if rest < 8:
                return None
            return 8 + (data[at + 4] + data[at + 5] * 256) * (data[at + 6] + data[at + 7] * 256)
        return 3
    if byte == 0x0A or byte >= 0x20:
        end = at + 1
        while end < len(data) and data[end] >= 0x20 and end - at < 64:
            end += 1
        return end - at
    return 1


def _reset(sock: socket.socket) -> None:
    """Close with a reset (RST), not an orderly end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
