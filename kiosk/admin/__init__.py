"""The staff face at /admin (blueprint `admin`): appeals, applications, printers, the audit log."""

from kiosk.admin import (  # noqa: F401  (registers views)
    account,
    announcements,
    appeal,
    dashboard,
    applications,
    audit,
    auth,
    company_sheets,
    companies,
    errors,
    events,
    fleet,
    listing,
    lockouts,
    messages,
    policies,
    printers,
    staff_accounts,
)
from kiosk.admin.views import bp

__all__ = ["bp"]
