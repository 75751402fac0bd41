"""The business licence as a one-page A4 PDF with its CJK fonts embedded (reportlab)."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printers.licence.decor import INNER, draw_frame, draw_mark, draw_qr
from printers.licence.document import LicenceDocument, format_date_cn
from printers.licence.fonts import LicenceFonts, load_fonts
from printers.licence.text import (
    Block,
    Glyph,
    clean_text,
    draw_line,
    fit_block,
    line_width,
    shape,
)

__all__ = ["KIOSK_FOOTNOTE", "PAGE_SIZE", "render_licence_pdf"]

# Landscape, like the 2019 licence whose 副本 is 297 x 210 mm.
PAGE_SIZE = landscape(A4)
KIOSK_FOOTNOTE = "本执照由楼宇政务服务驿站自助终端打印，扫描右上角二维码可验证"
ANNUAL_REPORT = "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。"
OVERFLOW = "……（未尽事项请扫码查看）"
EMPTY = "/"  # printed for an empty item, as on Chinese forms

LABEL_SIZE = 12.0  # points
VALUE_SIZE = 12.0  # points: the largest a value is set; long ones shrink
MIN_SIZE = 7.0  # points: below this a printed line is hard to read; text is cut instead
SCOPE_MIN_SIZE = 6.0  # points: 经营范围 may run to ~1,000 characters; real licences go as small
LINE: float = VALUE_SIZE * 1.4  # points from baseline to baseline at the full value size
ROW_GAP: float = 5 * mm
QR_SIZE: float = 28 * mm
MARK_RADIUS: float = 18 * mm

# reportlab's canvas and font subsetting keep per-document state in shared objects.
_render_lock = threading.Lock()


@dataclass(frozen=True)
class _Column:
    label_x: float
    value_x: float
    right: float


def render_licence_pdf(doc: LicenceDocument) -> bytes:
    """One landscape A4 page for `doc`, fonts embedded; ~30 ms once the fonts are loaded."""
    fonts = load_fonts()
    buffer = io.BytesIO()
    with _render_lock:
        canvas = Canvas(
            buffer,
            pagesize=PAGE_SIZE,
            invariant=True,  # same document, same bytes: a reprint can be compared
            initialFontName=fonts.body,  # else an unused, unembedded Helvetica is referenced
            initialFontSize=LABEL_SIZE,
        )
        canvas.setTitle(f"营业执照 {doc.name}")
        canvas.setAuthor("楼宇政务服务驿站")
        canvas.setSubject(doc.uscc)
        canvas.setCreator("Lobby Kiosk")
        _draw_page(canvas, doc, fonts)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _draw_page(canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts) -> None:
    width, height = PAGE_SIZE
    top, bottom = height - INNER, INNER
    draw_frame(canvas, width, height)
    _draw_header(canvas, doc, fonts, width, top)
    label_width = line_width(shape("法定代表人", fonts, fonts.body), LABEL_SIZE)
    left_x, right_x = INNER + 16 * mm, width / 2 + 17 * mm
    left = _Column(left_x, left_x + label_width + 4 * mm, width / 2 + 8 * mm)
    right = _Column(right_x, right_x + label_width + 4 * mm, width - INNER - 12 * mm)
    fields_top = top - 62 * mm
    mark_x, mark_y = width - INNER - 45 * mm, bottom + 30 * mm

    # Each item has room for a few lines at full size and shrinks to fit it; the last item in
    # each column takes what is left above the footer (left) or the authority's mark (right).
    y = _row(canvas, fonts, left, fields_top, "名称", doc.name, 2 * LINE)
    y = _row(canvas, fonts, left, y, "类型", doc.company_type, 2 * LINE)
    y = _row(canvas, fonts, left, y, "法定代表人", doc.legal_representative, LINE)
    scope_room = y - (bottom + 19 * mm)
    _row(
        canvas, fonts, left, y, "经营范围", doc.business_scope, scope_room, OVERFLOW, SCOPE_MIN_SIZE
    )

    y = _row(canvas, fonts, right, fields_top, "注册资本", doc.registered_capital, LINE)
    y = _row(canvas, fonts, right, y, "成立日期", format_date_cn(doc.established), LINE)
    y = _row(canvas, fonts, right, y, "营业期限", doc.business_term, 2 * LINE)
    address_room = max(y - (mark_y + MARK_RADIUS + 4 * mm), LINE)
    _row(canvas, fonts, right, y, "住所", doc.address, address_room)

    _draw_authority(canvas, doc, fonts, mark_x, mark_y)
    _draw_footer(canvas, doc, fonts, INNER + 14 * mm, bottom, mark_x - MARK_RADIUS - 6 * mm)


def _draw_header(
    canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts, width: float, top: float
) -> None:
    left = INNER + 14 * mm
    label = shape("统一社会信用代码", fonts, fonts.small)
    after = draw_line(canvas, label, left, top - 20 * mm, 11)
    draw_line(canvas, shape(doc.uscc, fonts, fonts.body), after + 3 * mm, top - 20 * mm, 14)

    qr_x, qr_y = width - INNER - 14 * mm - QR_SIZE, top - 8 * mm - QR_SIZE
    draw_qr(canvas, doc.verification_url, qr_x, qr_y, QR_SIZE)
    caption_y = qr_y - 4 * mm - 6.5
    for text in ("扫描二维码验证本执照", "查询登记、备案信息", "Scan to verify this licence"):
        _centred(canvas, shape(text, fonts, fonts.small), qr_x + QR_SIZE / 2, caption_y, 6.5)
        caption_y -= 6.5 * 1.35

    title = shape("营业执照", fonts, fonts.body)
    spacing = 14.0  # points between the title's characters, as the real licence spreads them
    size = 44.0
    title_width = line_width(title, size) + spacing * (len(title) - 1)
    draw_line(canvas, title, (width - title_width) / 2, top - 40 * mm, size, spacing)
    if doc.copy:
        _centred(canvas, shape("（副本）", fonts, fonts.body), width / 2, top - 50 * mm, 15)


def _row(
    canvas: Canvas,
    fonts: LicenceFonts,
    column: _Column,
    top: float,
    label: str,
    value: str,
    height: float,
    overflow: str = "……",
    min_size: float = MIN_SIZE,
) -> float:
    """Draw a spread-out label and its value fitted to `height`; returns the next row's top."""
    text = clean_text(value, keep_newlines=label == "经营范围").strip() or EMPTY
    block = fit_block(
        shape(text, fonts, fonts.body),
        column.right - column.value_x,
        height,
        max_size=VALUE_SIZE,
        min_size=min_size,
        overflow=shape(overflow, fonts, fonts.body),
    )
    baseline = top - LABEL_SIZE
    _spread(
        canvas, shape(label, fonts, fonts.body), column.label_x, column.value_x - 4 * mm, baseline
    )
    _draw_block(canvas, block, column.value_x, top)
    return top - len(block.lines) * block.leading - ROW_GAP


def _spread(canvas: Canvas, glyphs: Sequence[Glyph], left: float, right: float, y: float) -> None:
    """Distribute a label's characters evenly from `left` to `right` (名　　称)."""
    if len(glyphs) < 2:
        draw_line(canvas, glyphs, left, y, LABEL_SIZE)
        return
    gap = (right - left - line_width(glyphs, LABEL_SIZE)) / (len(glyphs) - 1)
    draw_line(canvas, glyphs, left, y, LABEL_SIZE, gap)


def _draw_block(canvas: Canvas, block: Block, x: float, top: float) -> None:
    # The first baseline sits one font size below the top, level with the label's.
    baseline = top - block.size
    for line in block.lines:
        draw_line(canvas, line, x, baseline, block.size)
        baseline -= block.leading


def _centred(canvas: Canvas, glyphs: Sequence[Glyph], x: float, y: float, size: float) -> None:
    draw_line(canvas, glyphs, x - line_width(glyphs, size) / 2, y, size)


def _draw_authority(
    canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts, x: float, y: float
) -> None:
    authority = shape(clean_text(doc.authority).strip() or EMPTY, fonts, fonts.body)
    ellipsis = shape("…", fonts, fonts.body)
    block = fit_block(
        authority, 80 * mm, 13 * 1.4, max_size=13, min_size=MIN_SIZE, overflow=ellipsis
    )
    canvas.setFillColor(black)
    _centred(canvas, block.lines[0], x, y + 1 * mm, block.size)
    _centred(canvas, shape(format_date_cn(doc.issue_date), fonts, fonts.body), x, y - 7 * mm, 11)
    draw_mark(canvas, x, y, MARK_RADIUS, fonts.body)


def _draw_footer(
    canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts, x: float, bottom: float, right: float
) -> None:
    lines = [KIOSK_FOOTNOTE, f"验证地址：{doc.verification_url}"]
    if doc.copy:
        lines.insert(0, ANNUAL_REPORT)
    y = bottom + 4.5 * mm + 8.5 * (len(lines) - 1)
    for text in lines:
        glyphs = shape(clean_text(text), fonts, fonts.small)
        ellipsis = shape("…", fonts, fonts.small)
        block = fit_block(
            glyphs, right - x, 7 * 1.2, max_size=7, min_size=5, leading=1.2, overflow=ellipsis
        )
        draw_line(canvas, block.lines[0], x, y, block.size)
        y -= 8.5
