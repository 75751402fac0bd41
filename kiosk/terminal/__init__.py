"""The touchscreen face (blueprint `terminal`)."""

from kiosk.terminal import collect, flow, hand_off, keyboard, views
from kiosk.terminal.common import bp

__all__ = ["bp", "collect", "flow", "hand_off", "keyboard", "views"]
