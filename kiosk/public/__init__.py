"""Pages a phone opens from a QR code (blueprint `public`)."""

from kiosk.public import applications, fill
from kiosk.public.views import bp

__all__ = ["applications", "bp", "fill"]
