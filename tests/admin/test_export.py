"""The CSV export: Excel-ready UTF-8, every matching row, no formulas, audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.admin.export import safe_cell
from kiosk.models import Appeal, AppealStatus, AuditLog, Staff
from kiosk.services import ledger
from tests.admin.conftest import Admin


def rows_of(body: bytes) -> list[list[str]]:
    """The CSV's rows, after checking it starts with a UTF-8 byte order mark."""
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:], newline="")))


def test_export_is_an_attachment_with_a_dated_name(signed_in: Admin, app: Flask) -> None:
    response = signed_in.get("/admin/appeals/export")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    day = ledger.today_in(app.config["KIOSK"].zone)
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="appeals-{day:%Y%m%d}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert len(rows_of(response.data)) == 1  # the header alone


def test_export_has_a_header_and_every_row_with_chinese_intact(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session, officer: Staff
) -> None:
    made = [make_appeal(company_name=f"长沙星辰软件科技有限公司{n}") for n in range(23)]  # > a page
    made[0].assignee_id = officer.id
    db.commit()
    header, *rows = rows_of(signed_in.get("/admin/appeals/export").data)
    assert header[:4] == ["Reference", "Source", "Company", "Category"]  # the 台账 order
    assert [row[0] for row in rows] == [a.reference for a in reversed(made)]
    first = dict(zip(header, rows[-1], strict=True))
    assert first["Company"] == "长沙星辰软件科技有限公司0"
    assert first["Contact mobile"] == "13812345678"  # staff see the full number
    assert first["Description"] == "园区到地铁站没有接驳公交，员工通勤时间长。"
    assert first["Status"] == "Received" and first["Category"] == "Policy benefits"
    assert first["Assigned to"] == "Li Officer" and first["Overdue"] == "No"


def test_export_applies_the_filters_and_is_audited(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session, officer: Staff
) -> None:
    resolved = make_appeal(status=AppealStatus.RESOLVED, category="transport")
    make_appeal(status=AppealStatus.NEW, category="transport")
    make_appeal(status=AppealStatus.RESOLVED, category="finance")
    body = signed_in.get(
        "/admin/appeals/export", status="resolved", category="transport", q="贸易"
    ).data
    assert [row[0] for row in rows_of(body)[1:]] == [resolved.reference]
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "appeal.export"))
    assert entry is not None and entry.staff_id == officer.id
    assert entry.detail == {"status": "resolved", "category": "transport", "q": "贸易"}


def test_cells_that_a_spreadsheet_would_run_are_quoted(
    signed_in: Admin, make_appeal: Callable[..., Appeal]
) -> None:
    make_appeal(
        company_name='=HYPERLINK("http://evil.example","点我")',
        contact_name="@SUM(1+1)",
        description="-2+3 的问题\n第二行",
    )
    header, row = rows_of(signed_in.get("/admin/appeals/export").data)
    cells = dict(zip(header, row, strict=True))
    assert cells["Company"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert cells["Contact name"] == "'@SUM(1+1)"
    assert cells["Description"] == "'-2+3 的问题\n第二行"


def test_safe_cell_covers_every_formula_trigger() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    for harmless in ("13812345678", "长沙", "SQ-20261124-0001", "", "a=b"):
        assert safe_cell(harmless) == harmless


def test_rating_and_overdue_columns(
    signed_in: Admin, make_appeal: Callable[..., Appeal], db: Session, app: Flask
) -> None:
    from datetime import timedelta

    from kiosk.models import Rating

    closed = make_appeal(status=AppealStatus.CLOSED)
    closed.rating, closed.rating_reason = Rating.DISSATISFIED, "没有回电话"
    late = make_appeal()
    late.due_date = ledger.today_in(app.config["KIOSK"].zone) - timedelta(days=2)
    db.commit()
    header, *rows = rows_of(signed_in.get("/admin/appeals/export").data)
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_ref[closed.reference]["Rating"] == "Not satisfied"
    assert by_ref[closed.reference]["Rating reason"] == "没有回电话"
    assert by_ref[late.reference]["Overdue"] == "Yes"
