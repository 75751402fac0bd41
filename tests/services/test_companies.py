"""The company list's services: the profile's checks, adding, editing and moving a company with
its history, and what each level of the tree sees. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.errors import NotFound, ValidationFailed
from kiosk.models import (
    AuditLog,
    Room,
    Staff,
    Tenant,
    Unit,
)
from kiosk.services import companies
from kiosk.services.audit import Actor
from kiosk.services.companies import moves, profile
from kiosk.validators import uscc_check_char
from tests.support.companies import build_tree

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def uscc(n: int) -> str:
    first17 = f"91430102MA4L{n:05d}"
    return first17 + uscc_check_char(first17)


@pytest.fixture
def tree(db: Session) -> dict[str, Any]:
    """City → district (two buildings with rooms, a street, a department) and its officers."""
    return build_tree(db)


def _as(db: Session, app: Flask, staff: Staff) -> Actor:
    scope.enter(db, scope.for_staff(db, staff, app.config["KIOSK"]))
    return Actor(staff, "test")


def _values(n: int = 1, **more: str) -> dict[str, str]:
    return {"name": f"长沙星辰科技有限公司{n}", "uscc": uscc(n), **more}


def _add(db: Session, actor: Actor, n: int, room: Room, **more: Any) -> Tenant:
    values = _values(n, **more.pop("values", {}))
    return profile.add_company(
        db, values, where=f"room:{room.id}", place="", came_from=more.pop("came_from", ""),
        officer=more.pop("officer", ""), actor=actor, today=TODAY, now=NOW,
    )  # fmt: skip


def test_check_profile_types_every_field_and_accepts_what_offices_write(app: Flask) -> None:
    values = {
        "name": " 长沙星辰科技有限公司 ", "uscc": uscc(7).lower(), "legal_representative": "王五",
        "registered_capital": "1,200.5万元", "founded_on": "2019年3月5日", "industry": "i 信息",
        "size_band": "小型", "employees": "２５", "contact_name": "张三",
        "contact_mobile": "+86 138-1234-5678", "floor_room": "12F-1201",
    }  # fmt: skip
    cleaned, errors = profile.check_profile(values, today=TODAY)
    assert errors == {}
    assert cleaned == {
        "name": "长沙星辰科技有限公司", "uscc": uscc(7), "legal_representative": "王五",
        "registered_capital": Decimal("1200.50"), "founded_on": date(2019, 3, 5), "industry": "I",
        "size_band": "small", "employees": 25, "contact_name": "张三",
        "contact_mobile": "13812345678", "floor_room": "12F-1201",
    }  # fmt: skip


BAD = {
    "name": ("", "Enter the company's name.", "请输入企业名称。"),
    "uscc": (uscc(1)[:17] + "0", "one character is probably mistyped", "营业执照"),
    "registered_capital": ("a lot", "10,000 yuan", "万元"),
    "founded_on": ("2027-01-01", "cannot be in the future", "不能晚于"),
    "industry": ("Z", "GB/T 4754", "GB/T 4754"),
    "size_band": ("huge", "micro, small, medium or large", "微型"),
    "employees": ("-3", "whole number", "整数"),
    "contact_mobile": ("12345", "11-digit mobile number", "11"),
    "legal_representative": ("王" * 61, "at most 60 characters", "60"),
}


@pytest.mark.parametrize("field", sorted(BAD))
def test_each_wrong_field_is_named_with_a_message_in_both_languages(app: Flask, field: str) -> None:
    raw, english, chinese = BAD[field]
    cleaned, errors = profile.check_profile({**_values(), field: raw}, today=TODAY)
    assert set(errors) == {field} and field not in cleaned
    with app.test_request_context():
        with force_locale("en"):
            assert english in str(errors[field])
        with force_locale("zh_CN"):
            assert chinese in str(errors[field])


def test_a_partial_check_judges_only_the_fields_given(app: Flask) -> None:
    cleaned, errors = profile.check_profile({"contact_mobile": ""}, today=TODAY, partial=True)
    assert (cleaned, errors) == ({"contact_mobile": ""}, {})


def test_adding_a_company_moves_it_in_with_its_officer_and_history(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    actor = _as(db, app, tree["demo_chief"])
    room = tree["rooms"]["demo:1201"]
    tenant = _add(
        db, actor, 1, room, came_from="岳麓区某大厦", officer=str(tree["demo_officer"].id),
        values={"industry": "I", "size_band": "small", "founded_on": "2019-03-05"},
    )  # fmt: skip
    db.expire_all()
    tenant = companies.get_company(db, tenant.id)
    assert (tenant.room_id, tenant.floor_room, tenant.active) == (room.id, "12F-1201", True)
    assert tenant.unit_id == tree["units"]["demo"].id
    assert tenant.building is not None and tenant.building.code == "demo"
    assert tenant.officer_id == tree["demo_officer"].id
    [move] = moves.history(db, tenant.id)
    assert (move.kind, move.from_place, move.to_building, move.to_place, move.source) == (
        "in", "岳麓区某大厦", "demo", "12F-1201", "admin"
    )  # fmt: skip
    actions = db.scalars(select(AuditLog.action).where(AuditLog.target_id == tenant.uscc))
    assert sorted(actions) == ["company.create", "company.move"]


def test_moving_between_rooms_out_and_back_in_keeps_the_record_consistent(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    actor = _as(db, app, tree["district"])
    rooms = tree["rooms"]
    tenant = _add(db, actor, 1, rooms["demo:1201"])
    moves_ = companies_moves(db, actor, tenant)
    moves_.room(rooms["demo:1501"])
    assert (tenant.room_id, tenant.floor_room) == (rooms["demo:1501"].id, "15F-1501")
    moves_.out("河西某园区")
    assert (tenant.active, tenant.room_id, tenant.floor_room) == (False, None, "")
    assert tenant.moved_out_at is not None and tenant.unit_id == tree["units"]["demo"].id
    with pytest.raises(ValidationFailed):
        moves_.out("")
    moves_.room(rooms["b-tower:1202"])  # back in, to the other building of the district
    assert tenant.active and tenant.moved_out_at is None
    assert tenant.unit_id == tree["units"]["b-tower"].id
    moves_.outside(tree["units"]["street"], "五一大道 100 号")
    assert (tenant.building_id, tenant.room_id, tenant.unit_id) == (
        None, None, tree["units"]["street"].id
    )  # fmt: skip
    kinds = [(m.kind, m.from_building, m.to_building) for m in moves.history(db, tenant.id)]
    assert kinds == [
        ("in", "b-tower", ""),
        ("in", "", "b-tower"),
        ("out", "demo", ""),
        ("room", "demo", "demo"),
        ("in", "", "demo"),
    ]


class companies_moves:
    """Move one company as the admin's forms do, each in its own transaction."""

    def __init__(self, db: Session, actor: Actor, tenant: Tenant) -> None:
        self.db, self.actor, self.tenant = db, actor, tenant

    def room(self, room: Room) -> None:
        self._to(moves.target_of(self.db, f"room:{room.id}"))

    def outside(self, unit: Unit, address: str) -> None:
        self._to(moves.target_of(self.db, f"unit:{unit.id}", address))

    def _to(self, target: moves.Target) -> None:
        moves.place(self.db, self.tenant, target, staff_id=self.actor.staff_id, now=NOW)
        self.db.commit()

    def out(self, where: str) -> None:
        try:
            moves.move_out(self.db, self.tenant, to_place=where, now=NOW)
            self.db.commit()
        except ValidationFailed:
            self.db.rollback()
            raise


def test_destinations_are_only_those_in_reach(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    _as(db, app, tree["demo_chief"])
    rooms = tree["rooms"]
    with pytest.raises(ValidationFailed) as refused:
        moves.target_of(db, f"room:{rooms['b-tower:1201'].id}")
    assert set(refused.value.fields) == {"where"}
    with pytest.raises(ValidationFailed):
        moves.target_of(db, f"unit:{tree['units']['street'].id}", "五一大道")
    for junk in ("", "room:", "room:x", "unit:99999999999", "room:-1", "tax:1"):
        with pytest.raises(ValidationFailed):
            moves.target_of(db, junk)
    values = {choice.value for choice in moves.destinations(db, "zh_CN")}
    assert values == {f"room:{rooms[f'demo:{n}'].id}" for n in ("1201", "1202", "1501")}


def test_a_credit_code_on_another_units_list_is_refused_with_a_field_message(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    _add(db, _as(db, app, tree["district"]), 1, tree["rooms"]["b-tower:1201"])
    db.expire_all()
    actor = _as(db, app, tree["demo_chief"])
    with pytest.raises(ValidationFailed) as refused:
        _add(db, actor, 1, tree["rooms"]["demo:1201"], officer="tower-officer")
    assert set(refused.value.fields) == {"uscc", "officer"}


def test_what_each_level_of_the_tree_sees(app: Flask, db: Session, tree: dict[str, Any]) -> None:
    actor = _as(db, app, tree["district"])
    ours = _add(db, actor, 1, tree["rooms"]["demo:1201"]).id
    theirs = _add(db, actor, 2, tree["rooms"]["b-tower:1201"]).id
    seen = {t.id for t in companies.list_companies(db, companies.CompanyFilter()).rows}
    assert seen == {ours, theirs}
    db.expire_all()
    _as(db, app, tree["demo_officer"])
    assert [t.id for t in companies.list_companies(db, companies.CompanyFilter()).rows] == [ours]
    with pytest.raises(NotFound):
        companies.get_company(db, theirs)
    db.expire_all()
    _as(db, app, tree["tax"])
    assert companies.list_companies(db, companies.CompanyFilter()).total == 0


def test_the_lists_filters(app: Flask, db: Session, tree: dict[str, Any]) -> None:
    actor = _as(db, app, tree["district"])
    rooms, officer = tree["rooms"], tree["demo_officer"]
    a = _add(db, actor, 1, rooms["demo:1201"], officer=str(officer.id), values={"industry": "I"})
    b = _add(db, actor, 2, rooms["demo:1501"], values={"name": "湘江物流有限公司"})
    c = _add(db, actor, 3, rooms["b-tower:1202"])
    moves.move_out(db, c, now=NOW)
    db.commit()

    def ids(**wanted: Any) -> list[int]:
        page = companies.list_companies(db, companies.CompanyFilter(**wanted))
        return sorted(t.id for t in page.rows)

    assert ids() == sorted([a.id, b.id])
    assert ids(status="moved_out") == [c.id] and ids(status="all") == sorted([a.id, b.id, c.id])
    assert ids(q="湘江") == [b.id] and ids(q=uscc(1)[:10].lower()) == sorted([a.id, b.id])
    assert ids(q="100%_") == []
    assert ids(floor="15") == [b.id] and ids(floor="12F-12") == [a.id]
    assert ids(industry="I") == [a.id] and ids(industry="Z") == []
    assert ids(officer_id=officer.id) == [a.id] and ids(no_officer=True) == [b.id]
    assert ids(unit_id=tree["units"]["b-tower"].id, status="all") == [c.id]
    page = companies.list_companies(db, companies.CompanyFilter(status="all"), page=9, per_page=2)
    assert (page.page, page.pages, page.total, len(page.rows)) == (2, 2, 3, 1)


def test_an_officer_edits_only_the_contact_of_their_own_companies(
    app: Flask, db: Session, tree: dict[str, Any]
) -> None:
    chief = _as(db, app, tree["demo_chief"])
    mine_id = _add(db, chief, 1, tree["rooms"]["demo:1201"], officer="demo-officer").id
    other_id = _add(db, chief, 2, tree["rooms"]["demo:1202"]).id
    db.expire_all()
    officer = _as(db, app, tree["demo_officer"])
    mine, other = companies.get_company(db, mine_id), companies.get_company(db, other_id)
    changed = profile.edit_company(
        db, mine, {"contact_mobile": "13900001111", "name": "改名"}, actor=officer, today=TODAY
    )
    assert changed == {"contact_mobile": [None, "139****1111"]}
    assert mine.name.startswith("长沙星辰") and mine.contact_mobile == "13900001111"
    with pytest.raises(ValidationFailed):
        profile.edit_company(db, other, {"contact_name": "李四"}, actor=officer, today=TODAY)


def test_an_edit_is_audited_old_to_new(app: Flask, db: Session, tree: dict[str, Any]) -> None:
    chief = _as(db, app, tree["demo_chief"])
    tenant = _add(db, chief, 1, tree["rooms"]["demo:1201"], values={"size_band": "micro"})
    changed = profile.edit_company(
        db, tenant, {"size_band": "中型", "registered_capital": "500", "officer": "demo-officer",
                     "industry": ""},
        actor=chief, today=TODAY,
    )  # fmt: skip
    assert changed == {
        "size_band": ["micro", "medium"],
        "registered_capital": [None, "500.00"],
        "officer": [None, "demo-officer (demo-officer)"],
    }
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "company.update"))
    assert entry is not None and entry.building_code == "demo"
    assert entry.detail["size_band"] == ["micro", "medium"]
    with pytest.raises(ValidationFailed) as refused:
        profile.edit_company(db, tenant, {"officer": "tax-officer"}, actor=chief, today=TODAY)
    assert set(refused.value.fields) == {"officer"}
