"""Import python-escpos without letting it configure the app's logging.

python-escpos 3.1 calls ``logging.basicConfig()`` when `escpos.capabilities` is imported, and
its USB and serial printers log through the module-level ``logging.info``/``logging.error``,
which call ``logging.basicConfig()`` too when the root logger has no handler yet. That adds a
stderr handler to the root logger, after which the app's own ``logging.basicConfig()``
silently does nothing. `printers/__init__.py` imports this module before anything else, so
the first import of python-escpos happens here and any root handler it adds is removed;
`root_logging_untouched` does the same around calls into python-escpos's transports.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

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


with root_logging_untouched():
    import escpos.capabilities  # noqa: F401 - the import is the point
