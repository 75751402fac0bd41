"""The audit log: who changed what, when and from where (supervisors and admins)."""

from __future__ import annotations

from flask import render_template

from kiosk.access import requires
from kiosk.admin.views import bp, cursor, settings
from kiosk.db import get_session
from kiosk.models import Role
from kiosk.services import ledger


@bp.get("/audit")
@requires(Role.SUPERVISOR)
def show_audit_log() -> str:
    """The audit log, newest first, paged by keyset."""
    page = ledger.audit_page(
        get_session(),
        before=cursor("before"),
        after=cursor("after"),
        limit=settings().staff_page_size,
    )
    return render_template("admin/show_audit_log.html", page=page)
