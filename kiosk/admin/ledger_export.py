"""The ledger as XLSX, the same filters and columns as the CSV."""

from __future__ import annotations

import io

from flask import Response

from kiosk.access import requires
from kiosk.admin.export import write_xlsx
from kiosk.admin.listing import _filter_form, _wanted
from kiosk.admin.views import actor, bp, settings, today
from kiosk.db import get_session
from kiosk.models import Role
from kiosk.services import ledger

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/appeals/export-xlsx")
@requires(Role.STAFF)
def export_appeals_xlsx() -> Response:
    """Every appeal matching the filters as an XLSX workbook (built whole: a ZIP is written
    at the end, so unlike the CSV it cannot stream)."""
    wanted = _wanted(_filter_form())
    db = get_session()
    ledger.record_export(db, actor(), wanted)
    day = today()
    out = io.BytesIO()  # about 100 bytes a row: 10 MB for 100,000 appeals
    write_xlsx(ledger.iter_appeals(db, wanted), settings().zone, day, out)
    response = Response(out.getvalue(), mimetype=XLSX)
    name = f"appeals-{day:%Y%m%d}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
