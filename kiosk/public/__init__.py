"""Pages a phone opens from a QR code (blueprint `public`)."""

from kiosk.public import fill
from kiosk.public.views import bp

__all__ = ["bp", "fill"]
