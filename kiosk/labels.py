"""The words people see for the domain's states, in both languages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kiosk.models import (
    AppealStatus,
    ApplicationEventKind,
    ApplicationStatus,
    Benefit,
    EventKind,
    LicenceStatus,
    PolicyLevel,
    Rating,
    Window,
)

STATUS = {
    AppealStatus.NEW: _l("Received"),
    AppealStatus.ACCEPTED: _l("Being handled"),
    AppealStatus.REOPENED: _l("Reopened"),
    AppealStatus.RESOLVED: _l("Resolved"),
    AppealStatus.CLOSED: _l("Closed"),
}

RATING = {
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.DISSATISFIED: _l("Not satisfied"),
}

EVENT = {
    EventKind.SUBMITTED: _l("Appeal submitted"),
    EventKind.ACCEPTED: _l("Accepted for handling"),
    EventKind.ASSIGNED: _l("Assigned"),
    EventKind.REPLY: _l("Reply from the service station"),
    EventKind.NOTE: _l("Internal note"),
    EventKind.RESOLVED: _l("Resolved"),
    EventKind.REOPENED: _l("Reopened"),
    EventKind.RATED: _l("Rated"),
}

PRINTER_STATE = {
    "ready": _l("Ready"),
    "paper_near_end": _l("Paper running out"),
    "paper_out": _l("Out of paper"),
    "cover_open": _l("Cover open"),
    "offline": _l("Offline"),
    "unknown": _l("Not answering status"),
}

PRINT_STATUS = {
    "pending": _l("Waiting to print"),
    "printing": _l("Printing"),
    "sent": _l("Printed"),
    "failed": _l("Failed"),
    "expired": _l("Expired"),
    "cancelled": _l("Cancelled"),
}

PRINT_KIND = {
    "appeal_slip": _l("Appeal slip"),
    "register_slip": _l("Registration slip"),
    "address_slip": _l("Address change slip"),
    "union_slip": _l("Union application slip"),
    "tax_slip": _l("Tax registration slip"),
    "invoice_slip": _l("Invoice booking slip"),
    "claim_slip": _l("Policy claim slip"),
    "policy_sheet": _l("Policy sheet"),
    "event_slip": _l("Event sign-up slip"),
}

APPLICATION_STATUS = {
    ApplicationStatus.SUBMITTED: _l("Waiting for review"),
    ApplicationStatus.CHANGES_REQUESTED: _l("Changes needed"),
    ApplicationStatus.APPROVED: _l("Approved"),
    ApplicationStatus.REJECTED: _l("Not approved"),
    ApplicationStatus.CANCELLED: _l("Cancelled"),
}

APPLICATION_EVENT = {
    ApplicationEventKind.SUBMITTED: _l("Application submitted"),
    ApplicationEventKind.RESUBMITTED: _l("Changes submitted"),
    ApplicationEventKind.CHANGES_REQUESTED: _l("Changes requested"),
    ApplicationEventKind.APPROVED: _l("Approved"),
    ApplicationEventKind.REJECTED: _l("Not approved"),
    ApplicationEventKind.CANCELLED: _l("Cancelled"),
    ApplicationEventKind.OVERRIDE: _l("Code accepted by staff"),
    ApplicationEventKind.COLLECTED: _l("Licence printed"),
    ApplicationEventKind.PAID: _l("Benefit paid"),
}

LICENCE_STATUS = {
    LicenceStatus.CURRENT: _l("Current"),
    LicenceStatus.SUPERSEDED: _l("Replaced by a newer licence"),
    LicenceStatus.REVOKED: _l("Revoked"),
}

PRINTER_NAME = {"receipt": _l("receipt"), "licence": _l("licence")}


POLICY_LEVEL = {
    PolicyLevel.NATIONAL: _l("National"),
    PolicyLevel.PROVINCE: _l("Provincial"),
    PolicyLevel.CITY: _l("City"),
    PolicyLevel.DISTRICT: _l("District"),
}

BENEFIT = {
    Benefit.SUBSIDY: _l("Subsidy"),
    Benefit.TAX_RELIEF: _l("Tax relief"),
    Benefit.LOAN_INTEREST: _l("Loan interest subsidy"),
    Benefit.RENT_RELIEF: _l("Rent relief"),
    Benefit.TALENT: _l("Talent support"),
    Benefit.OTHER: _l("Other support"),
}

WINDOW = {
    Window.OPEN: _l("Open for applications"),
    Window.UPCOMING: _l("Opens soon"),
    Window.CLOSED: _l("Applications closed"),
}
