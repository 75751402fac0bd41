"""SQLAlchemy models, one module per domain area."""

from kiosk.models.api_token import ApiToken, Scope
from kiosk.models.appeal import (
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    EventKind,
    Rating,
    ReferenceCounter,
)
from kiosk.models.appeal_word_hooks import follow_status
from kiosk.models.application import (
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationStatus,
    InvoiceSlot,
    Licence,
    LicencePrint,
    LicenceStatus,
    Room,
)
from kiosk.models.base import Base
from kiosk.models.building import Building, Tenant, TenantMove
from kiosk.models.common_problem import (
    AppealWord,
    AppealWords,
    CommonProblem,
    Meeting,
    ProblemAppeal,
    ProblemEvent,
    ProblemEventKind,
    ProblemState,
)
from kiosk.models.edge import EdgeOutbox, EdgeSync, EdgeTerminal, EnrolmentCode
from kiosk.models.event import Event, EventSignup, EventType, SignupStatus
from kiosk.models.fleet import (
    CommandKind,
    CommandStatus,
    ConfigVersion,
    FleetChore,
    Kiosk,
    KioskAlert,
    KioskCommand,
    KioskLog,
    KioskState,
)
from kiosk.models.handoff import OWED, Assignment, AssignmentState, Callback, Source
from kiosk.models.lockout import AttemptCounter
from kiosk.models.notification import Channel, MessageState, Notification
from kiosk.models.policy import (
    Benefit,
    BenefitClaim,
    Policy,
    PolicyLevel,
    PolicyNotice,
    Window,
)
from kiosk.models.printing import PrinterState, PrintJob, PrintStatus
from kiosk.models.staff import AuditLog, Role, Staff
from kiosk.models.terminal import Announcement, HandOff
from kiosk.models.unit import Unit, UnitKind
from kiosk.models.unit_hooks import root_unit
from kiosk.models.visit import PhoneCode, Visit, VisitPolicy, VisitProblem
from kiosk.models.web_session import WebSession

__all__ = [
    "OWED",
    "Announcement",
    "ApiToken",
    "Appeal",
    "AppealCategory",
    "AppealEvent",
    "AppealStatus",
    "AppealWord",
    "AppealWords",
    "Application",
    "ApplicationEvent",
    "ApplicationEventKind",
    "ApplicationStatus",
    "Assignment",
    "AssignmentState",
    "AttemptCounter",
    "AuditLog",
    "Base",
    "Benefit",
    "BenefitClaim",
    "Building",
    "Callback",
    "Channel",
    "CommandKind",
    "CommandStatus",
    "CommonProblem",
    "ConfigVersion",
    "EdgeOutbox",
    "EdgeSync",
    "EdgeTerminal",
    "EnrolmentCode",
    "Event",
    "EventKind",
    "EventSignup",
    "EventType",
    "FleetChore",
    "HandOff",
    "InvoiceSlot",
    "Kiosk",
    "KioskAlert",
    "KioskCommand",
    "KioskLog",
    "KioskState",
    "Licence",
    "LicencePrint",
    "LicenceStatus",
    "Meeting",
    "MessageState",
    "Notification",
    "PhoneCode",
    "Policy",
    "PolicyLevel",
    "PolicyNotice",
    "PrintJob",
    "PrintStatus",
    "PrinterState",
    "ProblemAppeal",
    "ProblemEvent",
    "ProblemEventKind",
    "ProblemState",
    "Rating",
    "ReferenceCounter",
    "Role",
    "Room",
    "Scope",
    "SignupStatus",
    "Source",
    "Staff",
    "Tenant",
    "TenantMove",
    "Unit",
    "UnitKind",
    "Visit",
    "VisitPolicy",
    "VisitProblem",
    "WebSession",
    "Window",
    "follow_status",
    "root_unit",
]
