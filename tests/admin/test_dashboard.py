"""The dashboard: figures for the officer's unit, each a link to the list it counts."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Appeal, AppealStatus, Staff, Unit, UnitKind
from kiosk.services.units import unit_for_code
from tests.admin.conftest import Admin


def _figure(html: str, name: str) -> tuple[str, str]:
    """The value a figure shows and where it links."""
    found = re.search(
        rf'<a class="figure[^"]*" href="([^"]+)" data-figure="{name}">.*?'
        r'<span class="figure__value">([^<]+)</span>',
        html,
        re.S,
    )
    assert found is not None, name
    return found.group(2).strip(), found.group(1).replace("&amp;", "&")


def _total(html: str) -> int:
    found = re.search(r'data-total="(\d+)"', html)
    assert found is not None
    return int(found.group(1))


def test_each_figure_opens_the_list_it_counts(
    admin: Admin, officer: Staff, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    now = datetime.now(UTC)
    for index in range(5):
        appeal = make_appeal()
        if index < 3:
            appeal.status, appeal.resolved_at = AppealStatus.RESOLVED, now
            appeal.due_date = (now - timedelta(days=2 if index == 0 else -3)).date()
    elsewhere = make_appeal()
    elsewhere.building_code = "far-tower"
    db.commit()
    officer.unit = unit_for_code(db, "demo")
    db.commit()
    admin.sign_in("officer")
    html = admin.text("/admin/dashboard", period="year")
    raised, raised_link = _figure(html, "raised")
    solved, solved_link = _figure(html, "solved")
    on_time, on_time_link = _figure(html, "on_time_rate")
    counted = db.scalar(
        select(func.count()).select_from(Appeal).where(Appeal.building_code == "demo")
    )
    assert (raised, solved, on_time) == (str(counted), "3", "66.7%")
    assert _total(admin.text(raised_link)) == 5
    assert _total(admin.text(solved_link)) == 3
    assert _total(admin.text(on_time_link)) == 2


def test_a_unit_out_of_reach_is_not_found_and_bad_periods_fall_back(
    admin: Admin, officer: Staff, db: Session
) -> None:
    officer.unit = unit_for_code(db, "demo")
    far = unit_for_code(db, "far-tower")
    db.commit()
    admin.sign_in("officer")
    assert admin.get("/admin/dashboard", unit=str(far.id)).status_code == 404
    assert admin.get("/admin/dashboard", unit="nonsense").status_code == 404
    # A list link naming a unit out of reach lists no figure of it (not another unit's).
    html = admin.text(
        "/admin/appeals",
        figure="raised",
        unit=str(far.id),
        **{"from": "2026-01-01", "to": "2026-12-31"},
    )
    assert "data-figure=" not in html
    for query in ({"period": "decade"}, {"period": "custom", "from": "x", "to": "2026-13-45"}):
        assert admin.get("/admin/dashboard", **query).status_code == 200


def test_a_district_sees_its_buildings_and_drills_down(
    admin: Admin, officer: Staff, make_appeal: Callable[..., Appeal], db: Session
) -> None:
    city = db.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    district = Unit(code="furong", kind=UnitKind.DISTRICT, name_zh="芙蓉区专班", parent=city)
    db.add_all(
        [
            district,
            Unit(code="demo", kind=UnitKind.BUILDING, name_zh="甲楼", parent=district),
            Unit(code="b-tower", kind=UnitKind.BUILDING, name_zh="乙楼", parent=district),
            Unit(code="c-tower", kind=UnitKind.BUILDING, name_zh="丙楼", parent=city),
        ]
    )
    db.commit()
    make_appeal()
    other = make_appeal()
    other.building_code = "b-tower"
    make_appeal().building_code = "c-tower"  # another district's
    db.commit()
    officer.unit = district
    db.commit()
    admin.sign_in("officer")
    html = admin.text("/admin/dashboard", period="year")
    assert _figure(html, "raised")[0] == "2"
    assert 'data-unit="demo"' in html and 'data-unit="b-tower"' in html
    assert "c-tower" not in html
    assert "Up to" not in html  # the city is above the officer's reach: no link to a 404
    demo = db.scalar(select(Unit.id).where(Unit.code == "demo"))
    assert (
        _figure(admin.text("/admin/dashboard", unit=str(demo), period="year"), "raised")[0] == "1"
    )


def test_reports_read_back_as_spreadsheet_and_pdf(
    admin: Admin, officer: Staff, make_appeal: Callable[..., Appeal], db: Session, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    now = datetime.now(UTC)
    late = make_appeal(company_name='=HYPERLINK("http://evil")有限公司')
    late.due_date = (now - timedelta(days=3)).date()
    solved = make_appeal()
    solved.status, solved.resolved_at = AppealStatus.RESOLVED, now
    db.commit()
    officer.unit = unit_for_code(db, "demo")
    db.commit()
    admin.sign_in("officer")
    html = admin.text("/admin/dashboard", period="year")
    links = dict(re.findall(r'href="(/admin/dashboard/report\?[^"]+format=(xlsx|pdf)[^"]*)"', html))
    assert len(re.findall(r"/admin/dashboard/report\?", html)) == 6  # this period, week, month
    first = html[html.index("/admin/dashboard/report?") :].split('"')[0].replace("&amp;", "&")
    sheet = admin.get(first)
    assert sheet.status_code == 200 and sheet.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(sheet.data), read_only=True)
    cells = [
        str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "Problems solved" in cells and late.reference in cells
    assert any(c.startswith("'=HYPERLINK") for c in cells), "a formula is kept as text"
    assert not any(c.startswith("=") for c in cells)
    pdf = admin.get(first.replace("format=xlsx", "format=pdf"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert late.reference in text and "Overdue at the end of the period" in text
    assert admin.get("/admin/dashboard/report", format="docx").status_code == 404
    assert links  # both kinds offered


def test_a_departments_officer_sees_only_the_menu_of_what_is_handed_to_them(
    admin: Admin, officer: Staff, db: Session
) -> None:
    city = db.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    samr = Unit(code="samr", kind=UnitKind.DEPARTMENT, name_zh="市场监管局", parent=city)
    db.add(samr)
    db.commit()
    officer.unit = samr
    db.commit()
    admin.sign_in("officer")
    html = admin.text("/admin/dashboard")
    assert 'href="/admin/hand-offs"' in html and 'href="/admin/appeals"' in html
    for building_page in ("/admin/companies", "/admin/visits", "/admin/printers", "/admin/fleet"):
        assert f'href="{building_page}"' not in html, building_page
