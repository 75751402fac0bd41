"""The touchscreen face (blueprint `terminal`)."""

from kiosk.terminal import flow, views
from kiosk.terminal.common import bp

__all__ = ["bp", "flow", "views"]
