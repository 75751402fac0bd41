"""A report as a spreadsheet (openpyxl) and as a PDF (reportlab, with the licence's CJK fonts)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from kiosk.services.figures.report import Report
from kiosk.services.figures.report_rows import sections, title
from printers.licence.fonts import load_fonts

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is kept as text


def _cell(text: str) -> str:
    """Text a spreadsheet will never run as a formula (a company's name may start with '=')."""
    return "'" + text if text.startswith(FORMULA_START) else text


def as_xlsx(report: Report, locale: str) -> bytes:
    """The report as one worksheet: the title, then each table under its heading."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = report.board.period.first.isoformat()
    bold = Font(bold=True)
    sheet.append([_cell(title(report, locale))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([report.made_at.strftime("%Y-%m-%d %H:%M")])
    for heading, columns, rows in sections(report):
        sheet.append([])
        sheet.append([_cell(heading)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([_cell(c) for c in columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in rows:
            sheet.append([_cell(value) for value in row])
    for letter, width in zip("ABCDEFG", (34, 28, 16, 16, 14, 12, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(report: Report, locale: str) -> bytes:
    """The report as an A4 PDF, each table with its heading, Chinese text embedded."""
    fonts = load_fonts()
    text = ParagraphStyle("text", fontName=fonts.small, fontSize=8.5, leading=11, wordWrap="CJK")
    head = ParagraphStyle("head", parent=text, fontSize=11, leading=15, spaceBefore=8)
    big = ParagraphStyle("title", parent=text, fontSize=15, leading=20)
    story: list[object] = [
        Paragraph(_escape(title(report, locale)), big),
        Paragraph(report.made_at.strftime("%Y-%m-%d %H:%M"), text),
    ]
    width = A4[0] - 30 * mm
    for heading, columns, rows in sections(report):
        story.append(Paragraph(_escape(heading), head))
        data = [[Paragraph(_escape(c), text) for c in columns]]
        data += [[Paragraph(_escape(v), text) for v in row] for row in rows]
        table = LongTable(data, colWidths=_widths(len(columns), width), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9edf3")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [table, Spacer(1, 4 * mm)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=title(report, locale), author="Lobby Kiosk",
    )  # fmt: skip
    doc.build(story)
    return out.getvalue()


def _widths(columns: int, width: float) -> list[float]:
    """Column widths: a list of problems gives the reference room to stay on one line."""
    if columns == 7:  # reference, company, category, building, raised, due, note
        fixed = [34 * mm, 0.0, 20 * mm, 20 * mm, 20 * mm, 20 * mm, 26 * mm]
        fixed[1] = width - sum(fixed)
        return fixed
    first = width * 0.34
    return [first] + [(width - first) / (columns - 1)] * (columns - 1)


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
