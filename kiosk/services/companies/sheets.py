"""The company list as offices keep it in a spreadsheet: its columns, reading an uploaded XLSX
or CSV into rows of text, and writing the list back out.

Reading never trusts the file: at most MAX_BYTES, MAX_ROWS rows and MAX_COLUMNS columns are
read; an XLSX is opened read-only (streamed) after its zip directory shows it unpacks to at most
MAX_UNPACKED bytes (a zip bomb is refused before anything is inflated); openpyxl never runs
macros, and formulas are read as the text they are, never calculated. Every cell becomes text,
as a person would type it, for `check_profile` to judge.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session, joinedload

from kiosk.errors import ValidationFailed
from kiosk.i18n import lazy_gettext as _l
from kiosk.models import Tenant
from kiosk.services.companies import CompanyFilter
from kiosk.services.companies import _query as companies_query

MAX_BYTES = 5 * 1024 * 1024  # an office's list of 20,000 companies is under 2 MB as XLSX
MAX_UNPACKED = 120 * 1024 * 1024  # what an XLSX's parts may unpack to, together
MAX_PARTS = 2_000  # files inside an XLSX
MAX_ROWS = 20_000  # companies in one file
EXPORT_BATCH = 500  # companies read per query while exporting
MAX_COLUMNS = 60
MAX_CELL = 1_000  # characters kept of one cell (longer is wrong anyway; the check says so)
# An export puts a quote before text a spreadsheet would run as a formula (CSV injection).
DEFUSED = ("'=", "'+", "'-", "'@")
HEADER_SEARCH = 10  # the header may sit below a title row or two
# A sheet formatted down to row 1,048,576 holds a million empty rows: after this many empty
# rows in a row, the list has ended.
EMPTY_RUN = 1_000


@dataclass(frozen=True)
class Column:
    """One column of the company list: its key, its Chinese and English headers, and other
    headers offices use for it."""

    key: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def header(self, locale: str) -> str:
        """The header in this locale (the columns' names are bilingual data, like a unit's)."""
        return self.en if locale == "en" else self.zh


COLUMNS: tuple[Column, ...] = (
    Column("name", "企业名称", "Company name", ("企业", "公司名称", "名称", "name", "company")),
    Column(
        "uscc",
        "统一社会信用代码",
        "Unified social credit code",
        ("信用代码", "社会信用代码", "uscc", "credit code"),
    ),
    Column("legal_representative", "法定代表人", "Legal representative", ("法人", "法人代表")),
    Column(
        "registered_capital",
        "注册资本（万元）",
        "Registered capital (10,000 yuan)",
        ("注册资本", "registered capital"),
    ),
    Column("founded_on", "成立日期", "Founded on", ("成立时间", "founding date", "founded")),
    Column("industry", "行业门类", "Industry (GB/T 4754)", ("行业", "所属行业", "industry")),
    Column("size_band", "规模", "Size", ("企业规模", "size band")),
    Column("employees", "从业人数", "Employees", ("员工人数", "职工人数", "人数")),
    Column("contact_name", "联系人", "Contact", ("contact name",)),
    Column(
        "contact_mobile",
        "联系电话",
        "Contact mobile",
        ("联系人电话", "手机", "手机号", "mobile", "phone"),
    ),
    Column("building", "楼宇", "Building", ("所在楼宇", "楼宇名称")),
    Column("floor", "楼层", "Floor", ()),
    Column("room", "房间号", "Room", ("房间", "房号", "room number")),
    Column("officer", "联企干部", "Liaison officer", ("officer",)),
    Column("unit", "所属单位", "Unit", ("单位",)),
)
KEYS = tuple(column.key for column in COLUMNS)
BY_KEY = {column.key: column for column in COLUMNS}


class SheetError(ValidationFailed):
    """The file as a whole cannot be read (too large, not a spreadsheet, no header row)."""

    code = "sheet_unreadable"


@dataclass(frozen=True)
class SheetRow:
    """One company's row: its line in the spreadsheet (as Excel numbers it) and its cells as
    text, by column key (only the columns the file has)."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Sheet:
    """What a file held: its rows, which columns it had, which headers were not read, and how
    it was read ("xlsx", "utf-8", "gb18030", "utf-16")."""

    rows: list[SheetRow]
    columns: tuple[str, ...]
    ignored: tuple[str, ...]
    encoding: str


def _fold(header: str) -> str:
    """A header compared loosely: full-width to half-width, no spaces, no case."""
    text = unicodedata.normalize("NFKC", header)
    return "".join(text.split()).casefold()


_HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.key, _column.zh, _column.en, *_column.aliases):
        _HEADERS.setdefault(_fold(_name), _column.key)


def column_for(header: str) -> str | None:
    """The column key a header names (Chinese, English or a usual other name), or None."""
    return _HEADERS.get(_fold(header)) if header else None


def cell_text(value: object) -> str:
    """A cell as a person would have typed it: dates as 2019-03-05, 12.0 as 12, None as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)[:MAX_CELL].strip()


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The rows of an uploaded XLSX or CSV file; SheetError when the file cannot be read."""
    if len(data) > MAX_BYTES:
        raise SheetError(
            _l(
                "The file is larger than %(mb)s MB. Split the list into smaller files.",
                mb=MAX_BYTES // (1024 * 1024),
            )
        )
    if not data.strip():
        raise SheetError(_l("The file is empty."))
    name = filename.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary .xls (OLE2)
        raise SheetError(_l("This is an old .xls file. Save it in Excel as .xlsx or CSV."))
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        rows, encoding = _xlsx_rows(data), "xlsx"
    else:
        text, encoding = decode_csv(data)
        rows = _csv_rows(text)
    return _table(rows, encoding)


def _xlsx_rows(data: bytes) -> Iterator[Sequence[object]]:
    """The first worksheet's rows, streamed; its zip directory is checked first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise SheetError(_l("This is not an XLSX file that can be read.")) from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise SheetError(_l("This XLSX file unpacks to far more than a company list could."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise SheetError(_l("This is not an XLSX file that can be read.")) from None
    return _sheet_values(book)


def _sheet_values(book: Any) -> Iterator[Sequence[object]]:
    try:
        sheet = book.worksheets[0]
        # Formulas come as their text ("=A1+1"): never calculated, stored (and checked) as text.
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except SheetError:
        raise
    except Exception:
        raise SheetError(_l("This is not an XLSX file that can be read.")) from None
    finally:
        book.close()


def decode_csv(data: bytes) -> tuple[str, str]:
    """A CSV file's text and the encoding it was in: UTF-8 (with or without the BOM Excel
    writes), UTF-16 with a BOM (Excel's "Unicode text"), else GB18030 (GBK and GB2312 are
    subsets of it: what Excel on Chinese Windows saves as CSV)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise SheetError(
            _l("The file's text is neither UTF-8 nor GBK. Save it as CSV UTF-8 or XLSX.")
        ) from None


def _csv_rows(text: str) -> Iterator[Sequence[object]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [_undefused(cell) for cell in row[:MAX_COLUMNS]]
    except csv.Error:
        raise SheetError(_l("This CSV file cannot be read: check that it is a CSV.")) from None


def _undefused(cell: str) -> str:
    """A cell as it was before an export put a quote before its leading =, +, - or @."""
    return cell[1:] if cell[:2] in DEFUSED else cell


def _table(rows: Iterable[Sequence[object]], encoding: str) -> Sheet:
    """Find the header row, then take every non-empty row under it as a company's cells."""
    iterator = iter(rows)
    header: dict[int, str] = {}
    ignored: list[str] = []
    line = 0
    for line, row in enumerate(iterator, start=1):
        header, ignored = _header(row)
        if "uscc" in header.values() or line >= HEADER_SEARCH:
            break
    if "uscc" not in header.values():
        raise SheetError(
            _l(
                "The first row must name the columns, with one called %(name)s.",
                name="统一社会信用代码 (Unified social credit code)",
            )
        )
    found: list[SheetRow] = []
    empty = 0
    for number, row in enumerate(iterator, start=line + 1):
        cells = {key: cell_text(row[i]) for i, key in header.items() if i < len(row)}
        if not any(cells.values()):
            empty += 1
            if empty == EMPTY_RUN:
                break
            continue
        empty = 0
        if len(found) == MAX_ROWS:
            raise SheetError(
                _l(
                    "The file has more than %(rows)s companies. Split it into smaller files.",
                    rows=f"{MAX_ROWS:,}",
                )
            )
        found.append(SheetRow(number, cells))
    return Sheet(found, tuple(dict.fromkeys(header.values())), tuple(ignored), encoding)


def _header(row: Sequence[object]) -> tuple[dict[int, str], list[str]]:
    """Which column key each position holds, and the headers that name no column."""
    found: dict[int, str] = {}
    ignored: list[str] = []
    for index, value in enumerate(row):
        text = cell_text(value)
        key = column_for(text)
        if key is None:
            if text:
                ignored.append(text[:40])
        elif key in found.values():
            raise SheetError(_l("Two columns are headed %(name)s.", name=text[:40]))
        else:
            found[index] = key
    return found, ignored


def iter_companies(
    db: Session, wanted: CompanyFilter, *, batch: int = EXPORT_BATCH
) -> Iterator[Tenant]:
    """Every company in reach matching the list's filters, oldest first, in keyset batches
    with what an export writes (room, building, unit, officer) loaded alongside."""
    query = companies_query(db, wanted).options(
        joinedload(Tenant.room),
        joinedload(Tenant.building),
        joinedload(Tenant.unit),
        joinedload(Tenant.officer),
    )
    last = 0
    while True:
        rows = list(
            db.scalars(query.where(Tenant.id > last).order_by(Tenant.id).limit(batch)).unique()
        )
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].id
