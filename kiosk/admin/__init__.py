"""The staff face at /admin (blueprint `admin`): appeals, applications, printers, the audit log."""

from kiosk.admin import (  # noqa: F401  (registers views)
    account,
    announcements,
    appeal,
    applications,
    assignments,
    audit,
    auth,
    categories,
    common_problems,
    companies,
    company_sheets,
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
    rooms,
    staff_accounts,
    units,
    visits,
)
from kiosk.admin.views import bp

__all__ = ["bp"]
