"""The ``virtual:///path/to/folder`` printer: each job becomes a PNG of the printed slip.

For demos, training and tests without paper: the picture is what the printer would print
(`printers.preview.render_png`), one file per job, named by time, process and a counter
(``20261124-093000-4242-0001.png``). Files are written whole under a temporary name and then
renamed, so a watcher never sees half a picture. The folder is created on the first job.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import SplitResult, unquote

from printers.base import Confirmation, Delivery, PrinterUnavailable, PrinterURL
from printers.document import Receipt
from printers.locks import device_lock, holding
from printers.preview import render_png
from printers.profile import PrinterProfile
from printers.registry import register_driver
from printers.status import PrinterState, PrinterStatus

__all__ = ["VirtualPrinter"]

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _parse(parts: SplitResult, options: dict[str, str]) -> PrinterURL:
    path = unquote(parts.path)
    if parts.netloc not in ("", "localhost") or not path.startswith("/") or "\x00" in path:
        raise ValueError(
            f"{parts.netloc + path!r} is not an absolute folder path, "
            "e.g. virtual:///var/lib/kiosk/slips"
        )
    return PrinterURL("virtual", path=path.rstrip("/") or "/", options=options)


@register_driver("virtual", parse=_parse)
class VirtualPrinter:
    """Writes each slip as a PNG into `folder`."""

    def __init__(self, url: PrinterURL, *, timeout: float) -> None:
        """Remember the folder; nothing is written until a job comes."""
        self.url = url
        self.folder = Path(url.path)
        self.timeout = timeout
        self.profile: PrinterProfile = url.profile
        self.last_path: Path | None = None
        self.last_status = PrinterStatus(PrinterState.UNKNOWN, "not asked yet")

    @property
    def name(self) -> str:
        """E.g. "virtual printer /var/lib/kiosk/slips"."""
        return f"virtual printer {self.folder}"

    def status(self) -> PrinterStatus:
        """READY if the folder (or the nearest existing parent) can be written, else OFFLINE."""
        existing = self.folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
            self.last_status = PrinterStatus(PrinterState.READY, f"writes PNGs to {self.folder}")
        else:
            self.last_status = PrinterStatus(PrinterState.OFFLINE, f"cannot write to {self.folder}")
        return self.last_status

    def print_receipt(
        self,
        receipt: Receipt,
        *,
        reprint: bool = False,
        within: float | None = None,
        rate: float | None = None,
        on_send: Callable[[], None] | None = None,
    ) -> Delivery:
        """Render the slip and write it as the next PNG file."""
        png = render_png(receipt, profile=self.profile, reprint=reprint)
        if on_send is not None:
            on_send()
        lock = device_lock("virtual", str(self.folder))
        with holding(lock, timeout=self.timeout, name=self.name):
            with _counter_lock:
                number = next(_counter)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = self.folder / f"{stamp}-{os.getpid()}-{number:04d}.png"
            partial = path.with_suffix(".png.part")
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                partial.write_bytes(png)
                os.replace(partial, path)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    partial.unlink(missing_ok=True)
                raise PrinterUnavailable(
                    f"{self.name}: cannot write {path.name}: {exc.strerror or exc}"
                ) from None
        self.last_path = path
        return Delivery(Confirmation.SIMULATED, len(png))
