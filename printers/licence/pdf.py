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

from printers.licence.decor import INNER, draw_emblem_place, draw_frame, draw_qr
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

__all__ = ["KIOSK_FOOTNOTE", "PAGE_SIZE", "SCOPE_CLOSING", "render_licence_pdf", "scope_text"]

# Landscape, like the 2019 licence whose 副本 is 297 x 210 mm. Laid out as that licence is:
# the emblem's place, 营业执照 and (副本) centred at the top; the credit code and the copy's
# number top left; the items in two columns; the notices and the public credit system's
# address bottom left, 国家市场监督管理总局监制 bottom centre; the QR code and 登记机关 with
# the date bottom right, where the authority's seal is stamped (none is drawn here).
PAGE_SIZE = landscape(A4)
KIOSK_FOOTNOTE = "本执照由楼宇政务服务驿站自助终端打印，扫描右下方二维码可验证"
ANNUAL_REPORT = "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。"
CREDIT_SYSTEM = "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn"
SUPERVISED_BY = "国家市场监督管理总局监制"
# The closing clause of 经营范围 every licence prints, unless the scope already says it.
SCOPE_CLOSING = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
OVERFLOW = "……（未尽事项请扫码查看）"
EMPTY = "/"  # printed for an empty item, as on Chinese forms

LABEL_SIZE = 12.0  # points
VALUE_SIZE = 12.0  # points: the largest a value is set; long ones shrink
MIN_SIZE = 7.0  # points: below this a printed line is hard to read; text is cut instead
SCOPE_MIN_SIZE = 6.0  # points: 经营范围 may run to ~1,000 characters; real licences go as small
LINE: float = VALUE_SIZE * 1.4  # points from baseline to baseline at the full value size
ROW_GAP: float = 5 * mm
QR_SIZE: float = 26 * mm
EMBLEM_SIZE: float = 20 * mm
AUTHORITY_WIDTH: float = 80 * mm
FOOT_LINE: float = 3.1 * mm  # baseline to baseline of the 7 pt notices

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
    qr_x, qr_y = right.right - QR_SIZE, bottom + 34.5 * mm
    authority_x = width - INNER - 45 * mm  # centre of 登记机关, its name and the date

    # Each item has room for a few lines at full size and shrinks to fit it; the last item in
    # each column takes what is left above the notices (left) or the QR code (right).
    y = _row(canvas, fonts, left, fields_top, "名称", doc.name, 2 * LINE)
    y = _row(canvas, fonts, left, y, "类型", doc.company_type, 2 * LINE)
    y = _row(canvas, fonts, left, y, "法定代表人", doc.legal_representative, LINE)
    scope_room = y - (bottom + 23 * mm)
    scope = scope_text(doc.business_scope)
    _row(canvas, fonts, left, y, "经营范围", scope, scope_room, OVERFLOW, SCOPE_MIN_SIZE)

    y = _row(canvas, fonts, right, fields_top, "注册资本", doc.registered_capital, LINE)
    y = _row(canvas, fonts, right, y, "成立日期", format_date_cn(doc.established), LINE)
    y = _row(canvas, fonts, right, y, "营业期限", doc.business_term, 2 * LINE)
    address_room = max(y - (qr_y + QR_SIZE + 5 * mm), LINE)
    _row(canvas, fonts, right, y, "住所", doc.address, address_room)

    _draw_qr(canvas, doc, fonts, qr_x, qr_y)
    _draw_authority(canvas, doc, fonts, authority_x, bottom)
    footer_right = authority_x - AUTHORITY_WIDTH / 2 - 6 * mm
    _draw_footer(canvas, doc, fonts, INNER + 14 * mm, bottom, footer_right)
    _centred(canvas, shape(SUPERVISED_BY, fonts, fonts.small), width / 2, bottom + 2.5 * mm, 8)


def scope_text(scope: str) -> str:
    """经营范围 as printed: the tenant's scope, then the standard closing clause once."""
    text = scope.strip()
    if not text or SCOPE_CLOSING[1:-1] in text:
        return text
    return text + SCOPE_CLOSING


def _draw_header(
    canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts, width: float, top: float
) -> None:
    left = INNER + 14 * mm
    label = shape("统一社会信用代码", fonts, fonts.small)
    after = draw_line(canvas, label, left, top - 20 * mm, 11)
    draw_line(canvas, shape(doc.uscc, fonts, fonts.body), after + 3 * mm, top - 20 * mm, 14)
    if doc.copy:
        number = shape(f"副本编号：{clean_text(doc.copy_number).strip()}", fonts, fonts.small)
        draw_line(canvas, number, left, top - 27 * mm, 11)

    draw_emblem_place(
        canvas, (width - EMBLEM_SIZE) / 2, top - 5 * mm - EMBLEM_SIZE, EMBLEM_SIZE, fonts.small
    )
    title = shape("营业执照", fonts, fonts.body)
    spacing = 14.0  # points between the title's characters, as the real licence spreads them
    size = 40.0
    title_width = line_width(title, size) + spacing * (len(title) - 1)
    draw_line(canvas, title, (width - title_width) / 2, top - 45 * mm, size, spacing)
    if doc.copy:
        _centred(canvas, shape("（副本）", fonts, fonts.body), width / 2, top - 55 * mm, 15)


def _draw_qr(canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts, x: float, y: float) -> None:
    """The verification QR code, its words to its left, right-aligned to it."""
    draw_qr(canvas, doc.verification_url, x, y, QR_SIZE)
    caption_y = y + QR_SIZE - 6.5
    for text in ("扫描二维码验证本执照", "查询登记、备案信息", "Scan to verify this licence"):
        glyphs = shape(text, fonts, fonts.small)
        draw_line(canvas, glyphs, x - 3 * mm - line_width(glyphs, 6.5), caption_y, 6.5)
        caption_y -= 6.5 * 1.35


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
    canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts, x: float, bottom: float
) -> None:
    """登记机关, the authority's name and the date, centred on `x`: room for its seal."""
    authority = shape(clean_text(doc.authority).strip() or EMPTY, fonts, fonts.body)
    ellipsis = shape("…", fonts, fonts.body)
    block = fit_block(
        authority, AUTHORITY_WIDTH, 13 * 1.4, max_size=13, min_size=MIN_SIZE, overflow=ellipsis
    )
    canvas.setFillColor(black)
    label = shape("登记机关", fonts, fonts.body)
    draw_line(canvas, label, x - (line_width(label, 12) + 3 * 6.0) / 2, bottom + 26 * mm, 12, 6.0)
    _centred(canvas, block.lines[0], x, bottom + 17.5 * mm, block.size)
    date = shape(format_date_cn(doc.issue_date), fonts, fonts.body)
    _centred(canvas, date, x, bottom + 9.5 * mm, 11)


def _draw_footer(
    canvas: Canvas, doc: LicenceDocument, fonts: LicenceFonts, x: float, bottom: float, right: float
) -> None:
    lines = [CREDIT_SYSTEM, KIOSK_FOOTNOTE, f"验证地址：{doc.verification_url}"]
    if doc.copy:
        lines.insert(0, ANNUAL_REPORT)
    y = bottom + 7.5 * mm + FOOT_LINE * (len(lines) - 1)
    for text in lines:
        glyphs = shape(clean_text(text), fonts, fonts.small)
        ellipsis = shape("…", fonts, fonts.small)
        block = fit_block(
            glyphs, right - x, 7 * 1.2, max_size=7, min_size=5, leading=1.2, overflow=ellipsis
        )
        draw_line(canvas, block.lines[0], x, y, block.size)
        y -= FOOT_LINE
