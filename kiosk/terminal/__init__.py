"""The touchscreen face (blueprint `terminal`)."""

from kiosk.terminal import flow, hand_off, keyboard, views
from kiosk.terminal.common import bp

__all__ = ["bp", "flow", "hand_off", "keyboard", "views"]
