"""The staff face at /admin (blueprint `admin`): appeals, applications, printers, the audit log."""

from kiosk.admin import (  # noqa: F401  (registers views)
    account,
    announcements,
    appeal,
    applications,
    assignments,
    audit,
    auth,
    dashboard,
    errors,
    events,
    fleet,
    ledger_export,
    listing,
    lockouts,
    messages,
    policies,
    printers,
    staff_accounts,
)
from kiosk.admin.views import bp

__all__ = ["bp"]
