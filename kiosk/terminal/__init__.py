"""The touchscreen face (blueprint `terminal`)."""

from kiosk.terminal import collect, events, flow, hand_off, keyboard, policies, screen, views
from kiosk.terminal.common import bp

__all__ = ["bp", "collect", "events", "flow", "hand_off", "keyboard", "policies", "screen", "views"]
