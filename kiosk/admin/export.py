"""The ledger (问题解决台账) as CSV and XLSX: the same columns in the same order — reference,
source, company, category, unit, department, handed off on, due, progress, follow-up call,
closed on, rating — then the appeal's details; CSV written as it is read."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kiosk.i18n import current_locale
from kiosk.labels import CALLBACK, HANDOFF_STATE, RATING, SOURCE, STATUS
from kiosk.services.ledger import ExportRow

BOM = "\ufeff"  # Excel opens a CSV as UTF-8 (not the system's GBK) only when it starts with this
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200
XLSX_WIDTHS = (18, 10, 30, 14, 20, 16, 12, 12, 22, 14, 12, 12)  # the ledger columns, characters


def safe_cell(value: str) -> str:
    """The value, with a leading quote if a spreadsheet would otherwise run it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def headers() -> list[str]:
    """The column names, in the reader's language."""
    return [
        _("Reference"), _("Source"), _("Company"), _("Category"), _("Unit"), _("Department"),
        _("Handed off on"), _("Due date"), _("Progress"), _("Follow-up call"), _("Closed on"),
        _("Rating"),
        _("Submitted"), _("Status"), _("Unified social credit code"), _("Contact name"),
        _("Contact mobile"), _("Description"), _("Overdue"), _("Assigned to"), _("Rating reason"),
    ]  # fmt: skip


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    # isoformat is several times faster than strftime, which matters over 100,000 rows.
    return moment.astimezone(zone).isoformat(" ", "minutes")[:16] if moment else ""


Cells = Callable[[ExportRow], list[str]]


def row_cells(zone: ZoneInfo, today: date) -> Cells:
    """A function giving one row's cells (needs the request's app context, for the words)."""
    locale = current_locale()

    def words(labels: dict[Any, Any]) -> dict[Any, str]:
        return {key: str(label) for key, label in labels.items()}

    status, rating, source = words(STATUS), words(RATING), words(SOURCE)
    progress, callback = words(HANDOFF_STATE), words(CALLBACK)
    yes, no = _("Yes"), _("No")

    def cells(row: ExportRow) -> list[str]:
        more = row.more
        due = more.handoff_due_on if more.handoff_due_on else row.due_date
        typed = safe_cell  # only what people typed can start like a formula
        return [
            row.reference, source[more.source], typed(row.company_name),
            row.category_name(locale), more.unit_name(locale), more.department_name(locale),
            more.handed_off_on.isoformat() if more.handed_off_on else "", due.isoformat(),
            progress[more.handoff_state] if more.handoff_state else status[row.status],
            callback[more.callback] if more.callback else "", _local(more.closed_at, zone)[:10],
            rating[more.rated] if more.rated else "",
            _local(row.created_at, zone), status[row.status], typed(row.company_uscc),
            typed(row.contact_name), typed(row.contact_mobile), typed(row.description),
            yes if row.is_overdue(today) else no, typed(row.assignee_name),
            typed(row.rating_reason),
        ]  # fmt: skip

    return cells


def csv_chunks(rows: Iterable[ExportRow], zone: ZoneInfo, today: date) -> Iterator[str]:
    """The CSV text in chunks of a few hundred rows (needs the request's app context)."""
    cells = row_cells(zone, today)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(headers())
    yield BOM + take()
    for count, row in enumerate(rows, start=1):
        writer.writerow(cells(row))
        if count % ROWS_PER_CHUNK == 0:
            yield take()
    yield take()


def write_xlsx(rows: Iterable[ExportRow], zone: ZoneInfo, today: date, out: IO[bytes]) -> int:
    """The ledger as one XLSX sheet (openpyxl's write-only mode: rows go to disk as they come);
    returns how many rows were written (needs the request's app context)."""
    cells = row_cells(zone, today)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ledger"))
    for index, width in enumerate(XLSX_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for name in headers():
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is returned
        sheet.append(cells(row))
    book.save(out)
    return count
