"""Import python-escpos without letting it configure the app's logging.

python-escpos 3.1 calls ``logging.basicConfig()`` when `escpos.capabilities` is imported. That
adds a stderr handler to the root logger, after which the app's own ``logging.basicConfig()``
silently does nothing. `printers/__init__.py` imports this module before anything else, so
the first import of python-escpos happens here and any root handler it adds is removed.
"""

from __future__ import annotations

import logging

_root = logging.getLogger()
_before = list(_root.handlers)

import escpos.capabilities  # noqa: E402, F401 - the import is the point

for _handler in [handler for handler in _root.handlers if handler not in _before]:
    _root.removeHandler(_handler)
