"""Where a licence PDF goes: a spool folder, memory (dummy://), or CUPS (see `cups`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections import deque
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote

from printers.base import PrinterConfigError, PrinterUnavailable
from printers.licence.cups import CupsLicencePrinter
from printers.licence.registry import (
    LicencePrinter,
    LicencePrinterStatus,
    check_pdf,
    open_licence_printer,
    register_licence_driver,
    safe_job_name,
)

__all__ = [
    "CupsLicencePrinter",
    "DummyLicencePrinter",
    "LicencePrinter",
    "LicencePrinterStatus",
    "SpoolLicencePrinter",
    "open_licence_printer",
]

LOW_SPACE = 20 * 1024 * 1024  # bytes; a licence PDF is ~100 kB, so this is a disk nearly full


class SpoolLicencePrinter:
    """Writes each job as NAME.pdf in a folder another program (or person) prints from."""

    # The file appears whole or not at all: written as NAME.pdf.<random>.tmp, flushed to disk,
    # then renamed. A job with the same name replaces the earlier file (a retried job).

    def __init__(self, url: str, folder: Path) -> None:
        """`folder` must be absolute; it is created on the first job."""
        self.url = url
        self.folder = folder
        self._lock = threading.Lock()

    def print_pdf(self, pdf: bytes, *, name: str) -> None:
        """Write the PDF atomically; raise `PrinterUnavailable` naming the OS's reason."""
        check_pdf(pdf)
        final = self.folder / f"{safe_job_name(name)}.pdf"
        with self._lock:
            try:
                self._write(final, pdf)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise PrinterUnavailable(f"spool folder {self.folder}: {reason}") from exc

    def _write(self, final: Path, pdf: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f"{final.name}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(pdf)
                file.flush()
                os.fsync(file.fileno())  # on disk before the name appears (power cuts)
            os.chmod(
                temporary, 0o644
            )  # mkstemp makes 0600; the printing program may be another user
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # make the rename itself durable
        finally:
            os.close(directory)

    def status(self) -> LicencePrinterStatus:
        """Ready if the folder (or the nearest folder it will be made in) is writable."""
        existing = self.folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            return LicencePrinterStatus("offline", f"{existing} is not a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            return LicencePrinterStatus("offline", f"{existing} is not writable")
        free = shutil.disk_usage(existing).free
        if free < LOW_SPACE:
            return LicencePrinterStatus("stopped", f"{existing}: only {free // 1024} KiB free")
        return LicencePrinterStatus("ready", str(self.folder))


class DummyLicencePrinter:
    """Keeps the last `keep` jobs in memory as (name, pdf); for development, demos and tests."""

    def __init__(self, url: str = "dummy://", *, keep: int = 20) -> None:
        """`keep` is how many recent jobs to remember."""
        self.url = url
        # Set to a reason to make the printer refuse jobs (tests of the print outbox).
        self.offline: str | None = None
        self._jobs: deque[tuple[str, bytes]] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def print_pdf(self, pdf: bytes, *, name: str) -> None:
        """Keep the PDF, or raise `PrinterUnavailable` if `offline` is set."""
        check_pdf(pdf)
        if self.offline is not None:
            raise PrinterUnavailable(f"dummy licence printer: {self.offline}")
        with self._lock:
            self._jobs.append((safe_job_name(name), bytes(pdf)))

    def status(self) -> LicencePrinterStatus:
        """Ready, unless `offline` is set."""
        if self.offline is not None:
            return LicencePrinterStatus("offline", self.offline)
        return LicencePrinterStatus("ready")

    @property
    def jobs(self) -> list[tuple[str, bytes]]:
        """A copy of the kept jobs, oldest first."""
        with self._lock:
            return list(self._jobs)

    @property
    def last_pdf(self) -> bytes | None:
        """The most recent job's PDF, or None."""
        with self._lock:
            return self._jobs[-1][1] if self._jobs else None


@register_licence_driver("spool")
def _open_spool(url: str, parts: SplitResult, *, timeout: float) -> SpoolLicencePrinter:
    path = unquote(parts.path)
    if parts.netloc not in ("", "localhost") or not path.startswith("/") or parts.query:
        raise PrinterConfigError(
            f"licence printer URL {url!r}: write spool:///absolute/folder (three slashes)"
        )
    return SpoolLicencePrinter(url, Path(path))


@register_licence_driver("dummy")
def _open_dummy(url: str, parts: SplitResult, *, timeout: float) -> DummyLicencePrinter:
    options = parse_qs(parts.query, keep_blank_values=True)
    if parts.netloc or parts.path not in ("", "/") or set(options) - {"keep"}:
        raise PrinterConfigError(f"licence printer URL {url!r}: write dummy:// or dummy://?keep=N")
    keep = options.get("keep", ["20"])[-1]
    if not keep.isdigit() or int(keep) < 1:
        raise PrinterConfigError(f"licence printer URL {url!r}: keep must be a whole number ≥ 1")
    return DummyLicencePrinter(url, keep=int(keep))


@register_licence_driver("cups")
def _open_cups(url: str, parts: SplitResult, *, timeout: float) -> CupsLicencePrinter:
    return CupsLicencePrinter.from_url(url, parts, timeout=timeout)
