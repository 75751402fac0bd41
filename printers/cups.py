"""The ``cups://queue-name`` printer: hand the ESC/POS bytes to a CUPS queue, unchanged.

Each job runs ``lp -d QUEUE -o raw`` with the bytes on standard input, within `timeout`
seconds (the child is killed after that). Success means CUPS queued the job, not that it
printed. Needs the ``lp`` and ``lpstat`` commands (Debian: cups-client); a missing ``lp``
is a `PrinterConfigError` when the printer is opened.

Status comes from ``lpstat -l -p QUEUE``, run in the C locale because its text is
translated. CUPS knows the queue, and only as much about the printer as its backend reports
in the queue's printer-state-reasons ("Alerts:"):

- queue disabled (stopped) or holding new jobs: OFFLINE. lp would still accept a job and
  it would print whenever someone re-enables the queue, so jobs are refused instead;
- alerts media-empty / media-needed: PAPER_OUT; cover-open / door-open: COVER_OPEN;
  offline / shutdown: OFFLINE; media-low: PAPER_NEAR_END;
- idle or printing with no such alert: UNKNOWN. The queue is reachable, but a raw queue's
  backend usually cannot tell whether the receipt printer has paper, so never READY;
- no such queue, scheduler not running, lpstat failing: OFFLINE; lpstat missing or timing
  out: UNKNOWN.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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

__all__ = ["CupsPrinter", "parse_lpstat"]

# CUPS allows more, but these never need quoting and never look like an lp option
_QUEUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,126}")
_ALERTS = (
    (("media-empty", "media-needed"), PrinterState.PAPER_OUT, "paper out"),
    (("cover-open", "door-open", "interlock-open"), PrinterState.COVER_OPEN, "cover open"),
    (("offline", "shutdown"), PrinterState.OFFLINE, "printer offline"),
    (("media-low",), PrinterState.PAPER_NEAR_END, "paper near end"),
)
STATUS_TIMEOUT = 5.0  # seconds, at most, for lpstat


def _parse(parts: SplitResult, options: dict[str, str]) -> PrinterURL:
    queue = unquote(parts.netloc)  # not .hostname, which lower-cases
    if not _QUEUE.fullmatch(queue):
        raise ValueError(
            f"{queue!r} is not a CUPS queue name (letters, digits, '-', '_', '.'), "
            "e.g. cups://receipt"
        )
    if parts.path not in ("", "/"):
        raise ValueError(f"a cups:// URL has no path ({parts.path!r})")
    return PrinterURL("cups", host=queue, options=options)


def _requires() -> str | None:
    if shutil.which("lp") is None:
        return "cups:// printers need the lp command on PATH (Debian: apt-get install cups-client)"
    return None


@register_driver("cups", parse=_parse, requires=_requires)
class CupsPrinter:
    """Sends each job to a CUPS queue with ``lp -o raw``."""

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Find lp and lpstat on PATH now; runs nothing until a job is sent."""
        self.url = url
        self.queue = url.host
        self.timeout = timeout
        self.profile: PrinterProfile = url.profile
        self.lp = shutil.which("lp") or "lp"
        self.lpstat = shutil.which("lpstat")
        self.last_status = PrinterStatus(PrinterState.UNKNOWN, "not asked yet")
        self.last_request = ""  # CUPS's id of the latest job, e.g. "receipt-42"

    @property
    def name(self) -> str:
        """E.g. "CUPS queue receipt"."""
        return f"CUPS queue {self.queue}"

    def print_receipt(
        self,
        receipt: Receipt,
        *,
        reprint: bool = False,
        within: float | None = None,
        rate: float | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> Delivery:
        """Queue one receipt; CUPS taking it is not the slip coming out: not confirmed."""
        return send_unconfirmed(receipt, self.profile, self.send, reprint=reprint, on_send=on_send)

    def send(self, data: bytes) -> None:
        """Queue raw bytes as one job, unless the queue or printer is known to be down."""
        deadline = time.monotonic() + self.timeout
        with holding(device_lock("cups", self.queue), timeout=self.timeout, name=self.name):
            status = self.status()
            if status.is_down:
                raise PrinterUnavailable(
                    f"{self.name} is not ready ({status.detail}); the slip was not sent",
                    state=status.state,
                )
            left = deadline - time.monotonic()
            if left <= 0:
                raise PrinterUnavailable(f"{self.name}: timed out after {self.timeout:g} s")
            result = self._run([self.lp, "-d", self.queue, "-o", "raw"], data, left)
            if result is None:
                raise PrinterUnavailable(f"{self.name}: lp timed out after {self.timeout:g} s")
            if result.returncode != 0:
                reason = _first_line(result.stderr) or f"lp exited with {result.returncode}"
                raise PrinterUnavailable(f"{self.name} did not take the job: {reason}")
            found = re.search(r"request id is (\S+)", result.stdout.decode(errors="replace"))
            self.last_request = found.group(1) if found else ""

    def status(self) -> PrinterStatus:
        """The queue's state from lpstat; never raises."""
        if self.lpstat is None:
            self.last_status = PrinterStatus(PrinterState.UNKNOWN, "lpstat is not installed")
            return self.last_status
        wait = min(self.timeout, STATUS_TIMEOUT)
        try:
            result = self._run([self.lpstat, "-l", "-p", self.queue], b"", wait)
        except OSError as exc:
            self.last_status = PrinterStatus(PrinterState.UNKNOWN, f"lpstat failed: {exc}")
            return self.last_status
        if result is None:
            status = PrinterStatus(PrinterState.UNKNOWN, f"lpstat timed out after {wait:g} s")
        elif result.returncode != 0:
            reason = _first_line(result.stderr) or f"lpstat exited with {result.returncode}"
            status = PrinterStatus(PrinterState.OFFLINE, reason)
        else:
            status = parse_lpstat(result.stdout.decode(errors="replace"), self.queue)
        self.last_status = status
        return status

    def _run(
        self, args: list[str], data: bytes, timeout: float
    ) -> subprocess.CompletedProcess[bytes] | None:
        """Run a CUPS command in the C locale; None if it took longer than `timeout` s."""
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            return subprocess.run(  # noqa: S603 - fixed program, queue name checked above
                args, input=data, capture_output=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            return None


def parse_lpstat(output: str, queue: str) -> PrinterStatus:
    """The state from ``lpstat -l -p QUEUE`` output (C locale)."""
    lines = output.splitlines()
    first = next((line for line in lines if line.startswith(f"printer {queue} ")), "")
    if not first:
        return PrinterStatus(PrinterState.UNKNOWN, "lpstat did not describe the queue")
    if " disabled since " in first or " is holding new jobs" in first:
        reason = lines[lines.index(first) + 1].strip() if first != lines[-1] else ""
        what = "disabled" if " disabled since " in first else "holding new jobs"
        return PrinterStatus(PrinterState.OFFLINE, f"queue {what}: {reason}".rstrip(": "))
    alerts: set[str] = set()
    for line in lines:
        if line.strip().startswith("Alerts:"):
            for word in line.split(":", 1)[1].split():
                alerts.add(re.sub(r"-(error|warning|report)$", "", word))
    for keywords, state, detail in _ALERTS:
        if alerts.intersection(keywords):
            return PrinterStatus(state, detail)
    activity = "printing" if " now printing " in first else "idle"
    return PrinterStatus(
        PrinterState.UNKNOWN, f"queue {activity}; CUPS reports no paper or cover state"
    )


def _first_line(data: bytes) -> str:
    text = data.decode(errors="replace").strip()
    return text.splitlines()[0][:200] if text else ""
