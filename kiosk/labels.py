"""The words people see for the domain's states, in both languages."""

from __future__ import annotations

from flask_babel.speaklater import LazyString

from kiosk.i18n import lazy_gettext as _l
from kiosk.models import (
    AppealStatus,
    ApplicationEventKind,
    ApplicationStatus,
    AssignmentState,
    Benefit,
    Callback,
    EventKind,
    LicenceStatus,
    PolicyLevel,
    ProblemEventKind,
    ProblemState,
    Rating,
    Source,
    UnitKind,
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
    EventKind.HANDED_OFF: _l("Handed to a department"),
    EventKind.HANDOFF_ACCEPTED: _l("Accepted by the department"),
    EventKind.HANDOFF_RETURNED: _l("Returned by the department: not theirs"),
    EventKind.DEPT_REPLY: _l("The department replied (waiting for review)"),
    EventKind.SENT_BACK: _l("Reply sent back to the department"),
    EventKind.PUBLISHED: _l("Department's reply published"),
    EventKind.URGED: _l("Urged (催办)"),
    EventKind.CALLBACK: _l("Follow-up call (回访)"),
}

HANDOFF_STATE = {
    AssignmentState.SENT: _l("Handed off, not accepted yet"),
    AssignmentState.ACCEPTED: _l("Being handled by the department"),
    AssignmentState.RETURNED: _l("Returned: not theirs"),
    AssignmentState.REPLIED: _l("Replied, waiting for review"),
    AssignmentState.SENT_BACK: _l("Sent back for a new reply"),
    AssignmentState.PUBLISHED: _l("Reply published"),
}

PROBLEM_STATE = {
    ProblemState.OPEN: _l("Being handled"),
    ProblemState.ANSWERED: _l("Answered"),
    ProblemState.CLOSED: _l("Finished"),
}

PROBLEM_EVENT = {
    ProblemEventKind.CREATED: _l("Appeals grouped into a common problem"),
    ProblemEventKind.ADDED: _l("Appeals added"),
    ProblemEventKind.REMOVED: _l("Appeal taken out"),
    ProblemEventKind.MEETING: _l("Joint meeting (会商会) recorded"),
    ProblemEventKind.PROGRESS: _l("Progress"),
    ProblemEventKind.ANSWERED: _l("Answer sent to every company"),
    ProblemEventKind.CLOSED: _l("Finished"),
    ProblemEventKind.REOPENED: _l("Taken up again"),
}

SOURCE = {
    Source.KIOSK: _l("Kiosk"),
    Source.VISIT: _l("Visit"),
    Source.PHONE: _l("Phone"),
    Source.HOTLINE: _l("12345 hotline"),
}

CALLBACK = {
    Callback.UNREACHED: _l("Not reached"),
    Callback.SATISFIED: _l("Reached, satisfied"),
    Callback.DISSATISFIED: _l("Reached, not satisfied"),
}

PRINTER_STATE = {
    "ready": _l("Ready"),
    "paper_near_end": _l("Paper running out"),
    "paper_out": _l("Out of paper"),
    "cover_open": _l("Cover open"),
    "offline": _l("Offline"),
    "not_answering": _l("Not answering"),
    "unknown": _l("Not answering status"),
}

PRINT_STATUS = {
    "pending": _l("Waiting to print"),
    "printing": _l("Printing"),
    "printed": _l("Printed (confirmed)"),
    "sent": _l("Sent, not confirmed"),
    "in_doubt": _l("May not have printed"),
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

# What each audit-log action says, grouped as the log's filter offers them. Every action the
# code records must be here (a test collects them from the source); codes stay in the database.
AUDIT_GROUPS: dict[str, tuple[LazyString, dict[str, LazyString]]] = {
    "appeal": (
        _l("Appeals"),
        {
            "appeal.submitted": _l("Recorded an appeal"),
            "appeal.accepted": _l("Accepted an appeal"),
            "appeal.assigned": _l("Assigned an appeal"),
            "appeal.reply": _l("Replied to a tenant"),
            "appeal.note": _l("Added an internal note"),
            "appeal.resolved": _l("Resolved an appeal"),
            "appeal.reopened": _l("Reopened an appeal"),
            "appeal.rated": _l("Recorded a rating"),
            "appeal.export": _l("Downloaded the ledger"),
            "appeal.handed_off": _l("Handed an appeal to a department"),
            "appeal.handoff_accepted": _l("Accepted a hand-off for the department"),
            "appeal.handoff_returned": _l("Returned a hand-off: not the department's"),
            "appeal.dept_reply": _l("Replied to a hand-off for review"),
            "appeal.sent_back": _l("Sent a department's reply back"),
            "appeal.published": _l("Published a department's reply"),
            "appeal.urged": _l("Urged a department (催办)"),
            "appeal.callback": _l("Recorded a follow-up call (回访)"),
        },
    ),
    "common_problem": (
        _l("Common problems"),
        {
            "common_problem.create": _l("Grouped appeals into a common problem"),
            "common_problem.add": _l("Added an appeal to a common problem"),
            "common_problem.remove": _l("Took an appeal out of a common problem"),
            "common_problem.progress": _l("Recorded progress on a common problem"),
            "common_problem.meeting": _l("Recorded a joint meeting (会商会)"),
            "common_problem.answer": _l("Answered a common problem"),
            "common_problem.close": _l("Closed a common problem"),
            "common_problem.reopen": _l("Took a common problem up again"),
        },
    ),
    "application": (
        _l("Applications"),
        {
            "application.approve": _l("Approved an application"),
            "application.reject": _l("Rejected an application"),
            "application.request_changes": _l("Sent an application back for changes"),
            "application.cancel": _l("Cancelled a booking"),
            "uscc.checksum_override": _l("Accepted a credit code that fails its check"),
            "claim.grant": _l("Granted an amount on a claim"),
            "claim.paid": _l("Recorded a claim's payment"),
        },
    ),
    "policy": (
        _l("Policies"),
        {
            "policy.create": _l("Added a policy"),
            "policy.update": _l("Changed a policy"),
            "policy.withdraw": _l("Withdrew a policy"),
            "policy.restore": _l("Put a policy back"),
            "policy.import": _l("Imported policies"),
            "policy.notify": _l("Told a company about a policy"),
            "policy.export": _l("Downloaded a policy's companies"),
        },
    ),
    "event": (
        _l("Events"),
        {
            "event.create": _l("Published an event"),
            "event.update": _l("Changed an event"),
            "event.cancel": _l("Cancelled an event"),
            "event.export": _l("Downloaded an event's attendees"),
        },
    ),
    "announcement": (
        _l("Announcements"),
        {
            "announcement.create": _l("Published an announcement"),
            "announcement.update": _l("Changed an announcement"),
            "announcement.deactivate": _l("Withdrew an announcement"),
        },
    ),
    "printing": (
        _l("Printing"),
        {
            "print_job.retry": _l("Retried a print job"),
            "print_job.cancel": _l("Cancelled a print job"),
            "print_job.reprint": _l("Printed a copy again"),
            "print_job.acknowledge": _l("Looked at slips that did not print"),
        },
    ),
    "message": (
        _l("Messages"),
        {
            "message.retry": _l("Sent a message again"),
        },
    ),
    "fleet": (
        _l("Kiosks"),
        {
            "fleet.command": _l("Sent a command to a kiosk"),
            "fleet.config": _l("Changed kiosk settings"),
            "fleet.enrol_code": _l("Made a code to enrol a terminal"),
        },
    ),
    "company": (
        _l("Companies"),
        {
            "company.create": _l("Added a company to the list"),
            "company.update": _l("Changed a company's profile"),
            "company.move": _l("Moved a company"),
            "company.import": _l("Imported a company list"),
            "company.export": _l("Downloaded the company list"),
        },
    ),
    "visit": (
        _l("Visits"),
        {
            "visit.recorded": _l("Recorded a visit to a company (走访)"),
        },
    ),
    "staff": (
        _l("Staff accounts"),
        {
            "staff.create": _l("Created a staff account"),
            "staff.change": _l("Changed a staff account's role or unit"),
            "staff.sign_in": _l("Signed in"),
            "staff.set_password": _l("Gave a staff account a new password"),
            "staff.deactivate": _l("Deactivated a staff account"),
            "staff.reactivate": _l("Reactivated a staff account"),
            "staff.reset_password": _l("Issued a one-time password"),
            "staff.change_password": _l("Changed their own password"),
            "staff.second_factor_on": _l("Turned on a second factor"),
            "staff.second_factor_reset": _l("Reset a lost second factor"),
            "staff.locked": _l("Account locked after wrong passwords"),
            "staff.unlocked": _l("Unlocked a staff account"),
            "code.locked": _l("Pickup code locked after wrong tries"),
            "code.unlocked": _l("Unlocked a pickup code"),
            "session.locked": _l("Kiosk session locked after wrong tries"),
            "session.unlocked": _l("Unlocked a kiosk session"),
        },
    ),
    "organisation": (
        _l("Organisation"),
        {
            "unit.create": _l("Added a unit"),
            "unit.update": _l("Renamed a unit"),
            "unit.move": _l("Moved a unit"),
            "unit.close": _l("Closed a unit"),
            "unit.reopen": _l("Reopened a unit"),
            "room.create": _l("Added rooms"),
            "room.update": _l("Renumbered a room"),
            "room.deactivate": _l("Took a room off the list"),
            "room.reactivate": _l("Put a room back on the list"),
            "category.create": _l("Added an appeal category"),
            "category.update": _l("Changed an appeal category"),
            "category.deactivate": _l("Withdrew an appeal category"),
            "category.reactivate": _l("Put an appeal category back"),
        },
    ),
}

AUDIT_ACTION: dict[str, LazyString] = {
    code: words for _, actions in AUDIT_GROUPS.values() for code, words in actions.items()
}

AUDIT_TARGET = {
    "appeal": _l("Appeal"),
    "application": _l("Application"),
    "policy": _l("Policy"),
    "event": _l("Event"),
    "announcement": _l("Announcement"),
    "print_job": _l("Print job"),
    "message": _l("Outgoing message"),
    "kiosk": _l("Kiosk"),
    "fleet": _l("Every kiosk"),
    "staff": _l("Staff account"),
    "company": _l("Company"),
    "licence": _l("Licence"),
    "session": _l("Kiosk session"),
    "unit": _l("Unit"),
    "room": _l("Room"),
    "category": _l("Appeal category"),
    "visit": _l("Visit"),
    "common_problem": _l("Common problem"),
}

# What each kind of unit is called, in the tree and in forms.
UNIT_KIND = {
    UnitKind.CITY: _l("City office"),
    UnitKind.DISTRICT: _l("District task force"),
    UnitKind.STREET: _l("Street"),
    UnitKind.PARK: _l("Park"),
    UnitKind.BUILDING: _l("Building"),
    UnitKind.DEPARTMENT: _l("Department"),
}
