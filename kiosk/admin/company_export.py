"""The company list written back out in the columns an import reads: CSV (UTF-8 with the BOM
Excel needs to read Chinese) and XLSX (openpyxl's write-only mode, one row at a time).

A text cell that a spreadsheet would run as a formula (=, +, -, @ …) is defused: in a CSV with a
leading quote, as the ledger's export does; in an XLSX it is written as a string cell, which a
spreadsheet never calculates, with the quote prefix Excel shows it under.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kiosk.admin.export import BOM, FORMULA_START, safe_cell
from kiosk.models import Building, Room, Staff, Tenant, Unit
from kiosk.services.companies.moves import room_label
from kiosk.services.companies.sheets import COLUMNS
from kiosk.services.policies.catalogue import INDUSTRIES, SIZE_BANDS

ROWS_PER_CHUNK = 200
WIDTHS = {"name": 36, "uscc": 22, "building": 24, "unit": 24, "contact_mobile": 14}
CHUNK_BYTES = 64 * 1024


def headers(locale: str) -> list[str]:
    """The header row in the reader's language (an import reads either)."""
    return [column.header(locale) for column in COLUMNS]


def _capital(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def company_cells(tenant: Tenant, locale: str) -> list[Any]:
    """One company's cells in COLUMNS' order: numbers and dates typed, the rest text. A moved-out
    company's building, floor, room and unit are left empty, so importing the file back does
    not move it in again."""
    here = tenant.active
    room = tenant.room if here else None
    building = tenant.building if here else None
    unit = tenant.unit if here else None
    industry = tenant.industry
    values: dict[str, Any] = {
        "name": tenant.name,
        "uscc": tenant.uscc,
        "legal_representative": tenant.legal_representative,
        "registered_capital": _capital(tenant.registered_capital),
        "founded_on": tenant.founded_on,
        "industry": f"{industry} {INDUSTRIES[industry]}" if industry in INDUSTRIES else industry,
        "size_band": str(SIZE_BANDS.get(tenant.size_band, tenant.size_band)),
        "employees": tenant.employees,
        "contact_name": tenant.contact_name,
        "contact_mobile": tenant.contact_mobile,
        "building": _name(building, locale),
        "floor": room.floor if room is not None else None,
        "room": room.number if room is not None else (tenant.floor_room if here else ""),
        "officer": tenant.officer.display_name if tenant.officer is not None else "",
        "unit": unit.name(locale) if unit is not None else "",
    }
    return [values[column.key] for column in COLUMNS]


def _name(building: Any, locale: str) -> str:
    if building is None:
        return ""
    return str(building.name_en if locale == "en" and building.name_en else building.name_zh)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def csv_chunks(tenants: Iterable[Tenant], locale: str) -> Iterator[str]:
    """The list as CSV text, a few hundred rows a chunk (needs the app context, for labels)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(headers(locale))
    yield BOM + take()
    for number, tenant in enumerate(tenants, start=1):
        writer.writerow([safe_cell(_text(cell)) for cell in company_cells(tenant, locale)])
        if number % ROWS_PER_CHUNK == 0:
            yield take()
    yield take()


def xlsx_file(tenants: Iterable[Tenant], locale: str) -> IO[bytes]:
    """The list as an XLSX workbook in a temporary file (rewound), written row by row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业清单" if locale != "en" else "Companies")
    for index, column in enumerate(COLUMNS):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = WIDTHS.get(column.key, 14)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_header_cell(sheet, text, bold) for text in headers(locale)])
    for tenant in tenants:
        sheet.append([_cell(sheet, value) for value in company_cells(tenant, locale)])
    # Handed to the response, which closes it (file_chunks) when the download ends.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out


def _header_cell(sheet: Any, text: str, font: Font) -> Any:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _cell(sheet: Any, value: Any) -> Any:
    """A cell as openpyxl writes it; text a spreadsheet would run becomes a string cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = value
        cell.data_type = "s"  # openpyxl would make "=…" a formula; a string is never run
        cell.quotePrefix = True
        return cell
    if hasattr(value, "isoformat"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    """A file's bytes in chunks, closing it at the end (for a streamed response)."""
    try:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()


def shown(key: str, value: Any, locale: str) -> str:
    """A value of the preview's old → new, as a person reads it ("" for nothing recorded)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Room):
        return room_label(value)
    if isinstance(value, Staff):
        return f"{value.display_name} ({value.username})"
    if isinstance(value, Building):
        return _name(value, locale)
    if isinstance(value, Unit):
        return value.name(locale)
    if key == "industry" and value in INDUSTRIES:
        return f"{value} {INDUSTRIES[value]}"
    if key == "size_band" and value in SIZE_BANDS:
        return str(SIZE_BANDS[value])
    if isinstance(value, Decimal):
        return format(_capital(value), "f")
    return _text(value)
