"""The ``cups://`` licence printer: hands the PDF to CUPS with `lp`, asks `lpstat` for status.

``cups://QUEUE`` uses the machine's default CUPS server; ``cups://HOST:PORT/QUEUE`` another one
(``-h HOST:PORT``). The command-line clients (Debian package cups-client) are used rather than
pycups so nothing needs compiling, and every call has a timeout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from urllib.parse import SplitResult, unquote

from printers.base import PrinterConfigError, PrinterUnavailable
from printers.licence.registry import LicencePrinterStatus, check_pdf, safe_job_name

__all__ = ["CupsLicencePrinter"]

DEFAULT_PORT = 631
STATUS_TIMEOUT = 10.0  # seconds at most for lpstat, whatever the job timeout
# CUPS allows more, but these cover real queue names and cannot be read as an option.
_QUEUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}$")
_REQUEST_ID = re.compile(r"request id is (\S+)")


class CupsLicencePrinter:
    """Sends each licence as one CUPS job; one lock per queue so jobs go one at a time."""

    def __init__(self, url: str, queue: str, server: str | None, *, timeout: float) -> None:
        """`server` is HOST:PORT, or None for the default server; `timeout` in seconds."""
        self.url = url
        self.queue = queue
        self.server = server
        self.timeout = timeout
        self.last_job_id: str | None = None  # e.g. "kiosk-pdf-12", for staff and logs
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, parts: SplitResult, *, timeout: float) -> CupsLicencePrinter:
        """Parse cups://QUEUE or cups://HOST[:PORT]/QUEUE; raise `PrinterConfigError` if bad."""
        if parts.query:
            raise PrinterConfigError(f"licence printer URL {url!r}: cups:// takes no ?options")
        path = unquote(parts.path).strip("/")
        if not path:  # cups://QUEUE: the "host" part is the queue name
            queue, server = unquote(parts.netloc), None
        else:
            queue, server = path, _server(url, parts) if parts.netloc else None
        if not _QUEUE.match(queue):
            raise PrinterConfigError(
                f"licence printer URL {url!r}: {queue!r} is not a CUPS queue name "
                "(letters, digits, - _ . +)"
            )
        return cls(url, queue, server, timeout=timeout)

    def _command(self, program: str, *arguments: str) -> list[str]:
        executable = shutil.which(program)
        if executable is None:
            raise PrinterUnavailable(
                f"CUPS queue {self.queue}: `{program}` is not installed "
                "(Debian package cups-client)"
            )
        server = ["-h", self.server] if self.server else []
        return [executable, *server, *arguments]

    def print_pdf(self, pdf: bytes, *, name: str) -> None:
        """Submit the PDF with `lp`; raise `PrinterUnavailable` with lp's message if refused."""
        check_pdf(pdf)
        command = self._command("lp", "-d", self.queue, "-t", safe_job_name(name), "-")
        with self._lock:
            result = self._run(command, pdf, self.timeout)
        if result.returncode != 0:
            message = _message(result) or f"lp exited with status {result.returncode}"
            raise PrinterUnavailable(f"CUPS queue {self.queue}: {message}")
        found = _REQUEST_ID.search(result.stdout.decode(errors="replace"))
        self.last_job_id = found.group(1) if found else None

    def status(self) -> LicencePrinterStatus:
        """From `lpstat -p QUEUE -a QUEUE`: ready, busy (printing), stopped, or offline."""
        try:
            command = self._command("lpstat", "-p", self.queue, "-a", self.queue)
            result = self._run(command, b"", min(self.timeout, STATUS_TIMEOUT))
        except PrinterUnavailable as exc:
            return LicencePrinterStatus("offline", str(exc))
        text = result.stdout.decode(errors="replace")
        if result.returncode != 0:
            return LicencePrinterStatus("offline", _message(result) or "lpstat failed")
        return _parse_lpstat(self.queue, text)

    def _run(
        self, command: list[str], data: bytes, timeout: float
    ) -> subprocess.CompletedProcess[bytes]:
        # C locale: lpstat's words ("idle", "disabled") are what _parse_lpstat reads.
        environment = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            return subprocess.run(  # noqa: S603 - no shell; queue and name are checked above
                command,
                input=data,
                capture_output=True,
                timeout=timeout,
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired:
            program = os.path.basename(command[0])
            raise PrinterUnavailable(
                f"CUPS queue {self.queue}: {program} timed out after {timeout:g} s"
            ) from None
        except OSError as exc:
            raise PrinterUnavailable(f"CUPS queue {self.queue}: {exc}") from exc


def _server(url: str, parts: SplitResult) -> str:
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise PrinterConfigError(f"licence printer URL {url!r}: the port is not 1-65535") from None
    host = parts.hostname
    if not host:
        raise PrinterConfigError(f"licence printer URL {url!r}: no CUPS server host")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _message(result: subprocess.CompletedProcess[bytes]) -> str:
    text = (result.stderr or result.stdout).decode(errors="replace")
    return " ".join(text.split())[:500]


def _parse_lpstat(queue: str, text: str) -> LicencePrinterStatus:
    lines = text.splitlines()
    printer = next((line for line in lines if line.startswith(f"printer {queue} ")), "")
    reason = " ".join(line.strip() for line in lines if line.startswith(("\t", " ")))
    if f"{queue} not accepting requests" in text:
        return LicencePrinterStatus("stopped", reason or "the queue is not accepting jobs")
    if " disabled since " in printer:
        return LicencePrinterStatus("stopped", reason or "the queue is disabled")
    if " now printing " in printer:
        return LicencePrinterStatus("busy", printer.split(" now printing ", 1)[1].split(".")[0])
    if " is idle." in printer:
        return LicencePrinterStatus("ready", "idle")
    return LicencePrinterStatus("unknown", " ".join(text.split())[:500])
