"""The ``dummy://`` printer: keeps the bytes of recent jobs in memory and never fails.

For development, demos and tests: ``dummy://?paper=58`` encodes exactly what a 58 mm network
printer would get. Decode the bytes with ``tests/support/escpos_decoder.py``.
"""

from __future__ import annotations

import threading
from collections import deque

from printers.base import PrinterURL
from printers.document import Receipt
from printers.escpos import encode_receipt
from printers.profile import PrinterProfile
from printers.registry import register_driver

__all__ = ["DummyPrinter"]


@register_driver("dummy")
class DummyPrinter:
    """Remembers the last `max_jobs` jobs' bytes, oldest first."""

    def __init__(self, url: PrinterURL, *, timeout: float = 0.0, max_jobs: int = 50) -> None:
        """`timeout` is accepted for the common driver signature and ignored."""
        self.url = url
        self.profile: PrinterProfile = url.profile
        self._jobs: deque[bytes] = deque(maxlen=max_jobs)
        # Web threads print while a test thread reads; copying under a lock avoids
        # "deque mutated during iteration".
        self._lock = threading.Lock()

    def print_receipt(self, receipt: Receipt, *, reprint: bool = False) -> None:
        """Encode the receipt and keep its bytes."""
        self.send(encode_receipt(receipt, profile=self.profile, reprint=reprint))

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
