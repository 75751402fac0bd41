"""The staff face at /admin (blueprint `admin`): the appeal ledger and the audit log."""

from kiosk.admin import appeal, audit, auth, errors, listing, printers  # noqa: F401  (registers views)
from kiosk.admin.views import bp

__all__ = ["bp"]
