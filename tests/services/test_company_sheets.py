"""Importing a unit's company list from a spreadsheet: the preview's plan, all-or-nothing, and
the limits that keep a huge or hostile file out."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.db import transaction, utcnow
from kiosk.models import AuditLog, Building, Staff, Tenant, TenantMove
from kiosk.services.audit import Actor
from kiosk.services.companies import sheets
from kiosk.services.companies.sheet_import import Plan, plan_import, run_import
from tests.support.company_sheets import HEADERS, make_world, row, uscc, xlsx

TODAY = date(2026, 12, 7)


@pytest.fixture
def world(db: Session) -> dict[str, Any]:
    """Two buildings with rooms (ours and one out of reach), and staff at each."""
    return make_world(db)


@pytest.fixture
def as_chief(app: Flask, db: Session, world: dict[str, Any]) -> Iterator[Session]:
    """The session limited to the building chief's reach, in a request's context."""
    chief: Staff = world["chief"]
    with app.test_request_context():
        scope.enter(db, scope.for_staff(db, chief, app.config["KIOSK"]))
        yield db


def plan_of(db: Session, data: bytes, name: str = "list.xlsx") -> Plan:
    chief = db.scalar(select(Staff).where(Staff.username == "chief"))
    assert chief is not None
    return plan_import(db, sheets.read_sheet(data, name), home=chief.unit, today=TODAY)


def do_import(db: Session, plan: Plan) -> Any:
    chief = db.scalar(select(Staff).where(Staff.username == "chief"))
    with transaction(db):
        return run_import(db, plan, actor=Actor(chief, "test"), now=utcnow(), filename="f.xlsx")


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_200_companies_one_wrong_row_then_fixed(as_chief: Session) -> None:
    db = as_chief
    rows = [row(n) for n in range(1, 201)]
    rows[76][1] = rows[76][1][:-1] + ("0" if rows[76][1][-1] != "0" else "1")  # line 78
    plan = plan_of(db, xlsx(rows))
    assert not plan.ready
    assert [p.line for p in plan.problems] == [78]
    assert plan.problems[0].reasons[0][0] == "uscc"
    assert len(plan.adds) == 199
    with pytest.raises(ValueError):
        do_import(db, plan)
    assert count(db, Tenant) == 0

    rows[76] = row(77)
    plan = plan_of(db, xlsx(rows))
    assert plan.ready and len(plan.adds) == 200 and not plan.problems
    outcome = do_import(db, plan)
    assert (outcome.added, outcome.changed, outcome.moved) == (200, 0, 200)
    assert count(db, Tenant) == 200
    moves = db.scalars(select(TenantMove)).all()
    assert len(moves) == 200 and {m.kind for m in moves} == {"in"}
    assert {m.source for m in moves} == {"import"}
    company = db.scalar(select(Tenant).where(Tenant.uscc == uscc(5)))
    assert company is not None and company.active
    assert company.room is not None and company.floor_room == "15F-1506"
    assert company.officer is not None and company.officer.username == "li"
    assert company.registered_capital == Decimal("105.00")
    assert company.founded_on == date(2019, 3, 5) and company.size_band == "small"
    entries = db.scalars(select(AuditLog).where(AuditLog.action == "company.import")).all()
    assert len(entries) == 1 and entries[0].detail["added"] == 200
    assert entries[0].building_code == "demo"

    again = plan_of(db, xlsx(rows))
    assert (len(again.adds), len(again.changes), again.unchanged) == (0, 0, 200)
    assert not again.ready  # nothing to write


def test_changed_rows_show_old_and_new(as_chief: Session) -> None:
    db = as_chief
    do_import(db, plan_of(db, xlsx([row(1), row(2), row(3)])))
    changed = [
        row(1, 联系电话="13900001111", 房间号="2905", 楼层=29),
        row(2, 联企干部="", 从业人数=None),  # empty cells keep what is recorded
        row(3, 企业名称="长沙新名字有限公司", 联企干部="王主任"),
    ]
    plan = plan_of(db, xlsx(changed))
    assert plan.unchanged == 1 and len(plan.changes) == 2 and plan.ready
    first, third = plan.changes
    shown = {c.field: (c.old, c.new) for c in first.changes}
    assert shown["contact_mobile"] == ("13812345678", "13900001111")
    assert shown["room"][0].number == "1102" and shown["room"][1].number == "2905"
    assert "building" not in shown
    shown = {c.field: (c.old, c.new) for c in third.changes}
    assert shown["name"] == ("长沙测试科技有限公司3", "长沙新名字有限公司")
    assert shown["officer"][0].username == "li" and shown["officer"][1].username == "chief"

    outcome = do_import(db, plan)
    assert (outcome.changed, outcome.moved) == (2, 1)
    moved = db.scalars(select(TenantMove).where(TenantMove.kind == "room")).one()
    assert (moved.from_place, moved.to_place) == ("11F-1102", "29F-2905")
    second = db.scalar(select(Tenant).where(Tenant.uscc == uscc(2)))
    assert second is not None and second.employees == 20 and second.officer is not None


def test_a_wrong_row_writes_nothing(as_chief: Session) -> None:
    db = as_chief
    do_import(db, plan_of(db, xlsx([row(1)])))
    rows = [row(1, 联系电话="13900001111"), row(2), row(3, 房间号="9999")]
    plan = plan_of(db, xlsx(rows))
    assert [(p.line, p.reasons[0][0]) for p in plan.problems] == [(4, "room")]
    with pytest.raises(ValueError):
        do_import(db, plan)
    assert count(db, Tenant) == 1
    kept = db.scalar(select(Tenant.contact_mobile).where(Tenant.uscc == uscc(1)))
    assert kept == "13812345678"


def test_what_is_out_of_reach_is_a_wrong_row(
    app: Flask, db: Session, world: dict[str, Any]
) -> None:
    theirs: Building = world["theirs"]
    other = Tenant(uscc=uscc(900), name="湘江公司", building_id=theirs.id)
    db.add(other)
    db.commit()
    with app.test_request_context():
        scope.enter(db, scope.for_staff(db, world["chief"], app.config["KIOSK"]))
        rows = [
            row(900),  # a company on the other building's list
            row(2, 楼宇="b-tower"),  # a building out of reach
            row(3, 楼宇="湘江大厦", 房间号="1001"),
            row(4, 联企干部="wang"),  # an officer of the other building
            row(5, 统一社会信用代码=uscc(6)),
            row(6),  # the same credit code twice
            row(7),
        ]
        plan = plan_of(db, xlsx(rows))
        reasons = {p.line: p.reasons[0][0] for p in plan.problems}
        assert reasons == {2: "uscc", 3: "building", 4: "building", 5: "officer", 7: "uscc"}
        with force_locale("en"):
            said = str(plan.problems[0].reasons[0][1])
        assert "outside your reach" in said
        with force_locale("zh_CN"):
            assert str(plan.problems[0].reasons[0][1]) != said
        assert len(plan.adds) == 2
    scope.enter(db, scope.EVERYTHING)
    assert db.scalar(select(Tenant.name).where(Tenant.uscc == uscc(900))) == "湘江公司"


def test_csv_in_utf8_with_bom_and_in_gb18030(as_chief: Session) -> None:
    db = as_chief
    lines = [
        ",".join([*HEADERS[:2], "房间号"]),
        f"长沙甲公司,{uscc(1)},1001",
        f"长沙乙公司,{uscc(2)},1002",
    ]
    text = "\r\n".join(lines) + "\r\n"
    for data, encoding in (
        (b"\xef\xbb\xbf" + text.encode(), "utf-8"),
        (text.encode("gb18030"), "gb18030"),
        (text.encode("utf-16"), "utf-16"),
    ):
        sheet = sheets.read_sheet(data, "list.csv")
        assert sheet.encoding == encoding
        assert [r.cells["name"] for r in sheet.rows] == ["长沙甲公司", "长沙乙公司"]
    plan = plan_of(db, text.encode("gb18030"), "list.csv")
    assert plan.ready and len(plan.adds) == 2
    assert plan.adds[0].target is not None and plan.adds[0].target.room is not None


def test_english_headers_and_text_dates(as_chief: Session) -> None:
    english = ["Company name", "Unified social credit code", "Founded on", "Size", "Room"]
    data = xlsx([["Changsha A Co", uscc(1), "2019年3月5日", "Medium", "1001"]], english)
    plan = plan_of(as_chief, data)
    assert plan.ready
    assert plan.adds[0].values["founded_on"] == date(2019, 3, 5)
    assert plan.adds[0].values["size_band"] == "medium"


def test_formula_cells_are_read_as_text_never_run(as_chief: Session) -> None:
    data = xlsx([['=HYPERLINK("http://x.test","x")', uscc(1)], ["ok", "=A1"]], HEADERS[:2])
    sheet = sheets.read_sheet(data, "list.xlsx")
    assert sheet.rows[0].cells["name"].startswith("=HYPERLINK(")
    assert sheet.rows[1].cells["uscc"] == "=A1"
    plan = plan_of(as_chief, data)
    assert [p.line for p in plan.problems] == [3]


@pytest.mark.parametrize(
    ("data", "name", "english"),
    [
        (b"x" * (sheets.MAX_BYTES + 1), "big.xlsx", "larger than 5 MB"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old.xls", "old .xls file"),
        (b"PK\x03\x04 not really", "broken.xlsx", "not an XLSX file"),
        ("名称,备注\n甲,乙\n".encode(), "list.csv", "name the columns"),
        (b"\xff\xfe\x00\xd8", "odd.csv", "neither UTF-8 nor GBK"),
    ],
)
def test_files_that_cannot_be_read_say_why(
    app: Flask, data: bytes, name: str, english: str
) -> None:
    with app.app_context():
        with pytest.raises(sheets.SheetError) as caught:
            sheets.read_sheet(data, name)
        with force_locale("en"):
            said = str(caught.value.message)
        with force_locale("zh_CN"):
            chinese = str(caught.value.message)
        assert english in said
        assert chinese != said and any("\u4e00" <= char <= "\u9fff" for char in chinese)


def test_too_many_rows_is_refused(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_ROWS", 50)
    data = xlsx([[f"公司{n}", uscc(n)] for n in range(1, 52)], HEADERS[:2])
    with app.app_context(), pytest.raises(sheets.SheetError) as caught, force_locale("en"):
        sheets.read_sheet(data, "long.xlsx")
    with app.app_context(), force_locale("en"):
        assert "more than 50 companies" in str(caught.value.message)
    assert (
        len(
            sheets.read_sheet(
                xlsx([[f"公司{n}", uscc(n)] for n in range(1, 51)], HEADERS[:2]), "ok.xlsx"
            ).rows
        )
        == 50
    )


def test_a_zip_bomb_is_refused_before_it_is_inflated(app: Flask) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (sheets.MAX_UNPACKED + 10))
    assert len(out.getvalue()) < sheets.MAX_BYTES
    with app.app_context(), pytest.raises(sheets.SheetError) as caught, force_locale("en"):
        sheets.read_sheet(out.getvalue(), "bomb.xlsx")
    with app.app_context(), force_locale("en"):
        assert "unpacks to far more" in str(caught.value.message)
