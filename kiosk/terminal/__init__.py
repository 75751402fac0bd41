"""The touchscreen face (blueprint `terminal`)."""

from kiosk.terminal.views import bp

__all__ = ["bp"]
