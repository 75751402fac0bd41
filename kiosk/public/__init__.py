"""Pages a phone opens from a QR code (blueprint `public`)."""

from kiosk.public import applications, events, figures, fill, phone, policies
from kiosk.public.views import bp

__all__ = ["applications", "bp", "events", "figures", "fill", "phone", "policies"]
