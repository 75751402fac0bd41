"""One lock per printer device in this process, held for a whole job.

Many receipt printers accept a second connection (or a second writer on a device file) while
printing the first and then interleave the two byte streams on paper. The locks only cover
this process; waitress serves with threads, so that is every print of one kiosk.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from printers.base import PrinterBusy

__all__ = ["device_lock", "holding"]

_locks: dict[tuple[str, str], threading.Lock] = {}
_guard = threading.Lock()


def device_lock(kind: str, key: str) -> threading.Lock:
    """The one lock for a device, e.g. ``("tcp", "10.0.0.5:9100")`` or ``("file", path)``."""
    with _guard:
        return _locks.setdefault((kind, key.lower()), threading.Lock())


@contextmanager
def holding(lock: threading.Lock, *, timeout: float, name: str) -> Iterator[None]:
    """Hold `lock` for the block; `PrinterBusy` if it is not free within `timeout` seconds."""
    if not lock.acquire(timeout=timeout):
        raise PrinterBusy(f"{name} is busy: another print job held it for more than {timeout:g} s")
    try:
        yield
    finally:
        lock.release()
