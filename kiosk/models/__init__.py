"""SQLAlchemy models, one module per domain area."""

from kiosk.models.appeal import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    EventKind,
    Rating,
    ReferenceCounter,
)
from kiosk.models.base import Base
from kiosk.models.building import Building, Tenant
from kiosk.models.printing import PrinterState, PrintJob, PrintStatus
from kiosk.models.staff import AuditLog, Role, Staff
from kiosk.models.terminal import Announcement, HandOff
from kiosk.models.web_session import WebSession

__all__ = [
    "Announcement",
    "Appeal",
    "AppealCategory",
    "AppealEvent",
    "AppealStatus",
    "AuditLog",
    "Base",
    "Building",
    "EventKind",
    "HandOff",
    "PrintJob",
    "PrintStatus",
    "PrinterState",
    "Rating",
    "ReferenceCounter",
    "Role",
    "Staff",
    "Tenant",
    "WebSession",
]
