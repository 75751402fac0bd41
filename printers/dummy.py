"""The ``dummy://`` printer: keeps the bytes of recent jobs in memory and never breaks.

For development, demos and tests: ``dummy://?paper=58`` encodes exactly what a 58 mm network
printer would get. Decode the bytes with ``tests/support/escpos_decoder.py``.
``dummy://?state=paper_out`` (or setting `state` at run time) makes it report that state and
refuse slips the way a real printer in that state is refused; the default is ``ready``.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from urllib.parse import SplitResult

from printers.base import Confirmation, Delivery, PrinterUnavailable, PrinterURL
from printers.document import Receipt
from printers.escpos import encode_receipt
from printers.profile import PrinterProfile
from printers.registry import register_driver
from printers.status import PrinterState, PrinterStatus

__all__ = ["DummyPrinter"]


def _parse(parts: SplitResult, options: dict[str, str]) -> PrinterURL:
    if parts.netloc or parts.path not in ("", "/"):
        raise ValueError("a dummy:// URL names no host or path")
    _state(options)
    return PrinterURL("dummy", options=options)


def _state(options: dict[str, str]) -> PrinterState:
    value = options.get("state", "ready").strip().lower()
    try:
        return PrinterState(value)
    except ValueError:
        known = ", ".join(PrinterState)
        raise ValueError(f"state={options['state']} is not one of {known}") from None


@register_driver("dummy", options=("state",), parse=_parse)
class DummyPrinter:
    """Remembers the last `max_jobs` jobs' bytes, oldest first."""

    def __init__(self, url: PrinterURL, *, timeout: float = 0.0, max_jobs: int = 50) -> None:
        """`timeout` is accepted for the common driver signature and ignored."""
        self.url = url
        self.profile: PrinterProfile = url.profile
        self.state: PrinterState = _state(url.options)
        self._jobs: deque[bytes] = deque(maxlen=max_jobs)
        # Web threads print while a test thread reads; copying under a lock avoids
        # "deque mutated during iteration".
        self._lock = threading.Lock()

    @property
    def last_status(self) -> PrinterStatus:
        """The configured state (a dummy has nothing to ask)."""
        return PrinterStatus(self.state, f"dummy printer set to {self.state}")

    def status(self) -> PrinterStatus:
        """The configured state."""
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
        """Keep the receipt's bytes unless the configured state is down; nothing is printed."""
        status = self.status()
        if status.is_down:
            raise PrinterUnavailable(
                f"dummy printer is not ready ({self.state}); the slip was not sent",
                state=self.state,
            )
        data = encode_receipt(receipt, profile=self.profile, reprint=reprint)
        if on_send is not None:
            on_send()
        self.send(data)
        return Delivery(Confirmation.SIMULATED, len(data))

    def send(self, data: bytes) -> None:
        """Keep raw bytes as one job."""
        with self._lock:
            self._jobs.append(bytes(data))

    @property
    def jobs(self) -> list[bytes]:
        """A copy of the kept jobs, oldest first."""
        with self._lock:
            return list(self._jobs)

    @property
    def last_job(self) -> bytes | None:
        """The most recent job's bytes, or None if nothing was printed."""
        with self._lock:
            return self._jobs[-1] if self._jobs else None

    def clear(self) -> None:
        """Forget all kept jobs."""
        with self._lock:
            self._jobs.clear()
