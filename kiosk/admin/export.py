"""The ledger as CSV: a header row, then every matching appeal, written as it is read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from kiosk.i18n import current_locale
from kiosk.labels import RATING, STATUS
from kiosk.services.ledger import ExportRow

BOM = "\ufeff"  # Excel opens a CSV as UTF-8 (not the system's GBK) only when it starts with this
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200


def safe_cell(value: str) -> str:
    """The value, with a leading quote if a spreadsheet would otherwise run it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _headers() -> list[str]:
    return [
        _("Reference"),
        _("Submitted"),
        _("Status"),
        _("Category"),
        _("Company"),
        _("Unified social credit code"),
        _("Contact name"),
        _("Contact mobile"),
        _("Description"),
        _("Due date"),
        _("Overdue"),
        _("Assigned to"),
        _("Resolved"),
        _("Rating"),
        _("Rating reason"),
    ]


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    # isoformat is several times faster than strftime, which matters over 100,000 rows.
    return moment.astimezone(zone).isoformat(" ", "minutes")[:16] if moment else ""


def csv_chunks(rows: Iterable[ExportRow], zone: ZoneInfo, today: date) -> Iterator[str]:
    """The CSV text in chunks of a few hundred rows (needs the request's app context)."""
    locale = current_locale()
    statuses = {status: str(label) for status, label in STATUS.items()}
    ratings = {rating.value: str(label) for rating, label in RATING.items()}
    yes, no = _("Yes"), _("No")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(_headers())
    yield BOM + take()
    for count, row in enumerate(rows, start=1):
        cells = [
            row.reference,
            _local(row.created_at, zone),
            statuses[row.status],
            row.category_name(locale),
            row.company_name,
            row.company_uscc,
            row.contact_name,
            row.contact_mobile,
            row.description,
            row.due_date.isoformat(),
            yes if row.is_overdue(today) else no,
            row.assignee_name,
            _local(row.resolved_at, zone),
            ratings.get(row.rating, ""),
            row.rating_reason,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
        if count % ROWS_PER_CHUNK == 0:
            yield take()
    yield take()
