"""Import python-escpos without letting it configure the app's logging.

python-escpos 3.1 calls ``logging.basicConfig()`` when `escpos.capabilities` is imported, and
its USB and serial printers log through the module-level ``logging.info``/``logging.error``,
which call ``logging.basicConfig()`` too when the root logger has no handler yet. That adds a
stderr handler to the root logger, after which the app's own ``logging.basicConfig()``
silently does nothing. `printers/__init__.py` imports this module before anything else, so
the first import of python-escpos happens here and any root handler it adds is removed;
`root_logging_untouched` does the same around calls into python-escpos's transports.

It also calls ``tempfile.mkdtemp()`` at import time and caches a pickle of its printer
profiles there: a new folder in /tmp for every process. Here the cache goes to one private
folder in the user's cache directory (never a shared /tmp path: python-escpos unpickles what
it finds, so the folder must be ours alone), and no stray folder is made. python-escpos
writes that pickle in place: a second process importing it at the same moment would read it
half-written ("EOFError: Ran out of input"). The import therefore holds an exclusive lock on a
file in the folder, so one process writes the cache while the others wait and then read it
whole.
"""

from __future__ import annotations

import fcntl
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["root_logging_untouched"]


@contextmanager
def root_logging_untouched() -> Iterator[None]:
    """Remove any handler the block adds to the root logger."""
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        yield
    finally:
        for handler in [handler for handler in root.handlers if handler not in before]:
            root.removeHandler(handler)


def _private_cache() -> Path | None:
    """A folder only this user can write, for python-escpos's profile cache; None if none."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "lobby-kiosk" / "escpos"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return folder


@contextmanager
def _profile_cache() -> Iterator[None]:
    """Point python-escpos's pickle cache at our folder while it is imported."""
    folder = _private_cache()
    if folder is None or "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        yield  # someone chose already, or there is no safe folder: python-escpos's own way
        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
    original = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *args, **kwargs: str(folder)  # type: ignore[assignment]
    lock = os.open(folder / "import.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the descriptor is closed
        yield
    finally:
        os.close(lock)
        tempfile.mkdtemp = original


with root_logging_untouched(), _profile_cache():
    import escpos.capabilities  # noqa: F401 - the import is the point
