"""The demo's organisation: a city, two districts, a street, two buildings with rooms, five
departments, and staff at each level who reach what their unit reaches."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.models import AppealCategory, Building, Room, Staff, Tenant, Unit, UnitKind
from kiosk.services.demo import load_demo


@pytest.fixture
def loaded(app: Flask, db: Session) -> dict[str, object]:
    started = time.perf_counter()
    result = load_demo(db, app.config["KIOSK"])
    result["seconds"] = time.perf_counter() - started
    return result


def _reach(app: Flask, db: Session, username: str) -> scope.Reach:
    staff = db.scalar(select(Staff).where(Staff.username == username))
    assert staff is not None, username
    return scope.for_staff(db, staff, app.config["KIOSK"])


def test_the_tree_has_every_level(db: Session, loaded: dict[str, object]) -> None:
    kinds = dict(db.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
    assert kinds == {
        UnitKind.CITY: 1, UnitKind.DISTRICT: 2, UnitKind.STREET: 1, UnitKind.BUILDING: 2,
        UnitKind.DEPARTMENT: 5,
    }  # fmt: skip
    city = db.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    assert city is not None and city.name_zh == "长沙市优化营商环境办"
    home = db.scalar(select(Unit).where(Unit.code == "demo"))
    assert home is not None and home.name_zh == "芙蓉国际金融中心" and home.depth == 3
    assert home.parent is not None and home.parent.name_zh == "五一大道街道"
    for code in ("demo", "lugu-plaza"):
        building = db.scalar(select(Building.id).where(Building.code == code))
        rooms = db.scalar(
            select(func.count()).select_from(Room).where(Room.building_id == building)
        )
        assert rooms and rooms >= 40, code
    lugu = db.scalars(select(Tenant).join(Building).where(Building.code == "lugu-plaza")).all()
    assert 3 <= len(lugu) <= 8 and all(t.room_id is not None for t in lugu)
    assert loaded["seconds"] < 30  # type: ignore[operator]


def test_each_level_reaches_what_its_unit_reaches(
    app: Flask, db: Session, loaded: dict[str, object]
) -> None:
    assert _reach(app, db, "city-admin").everything
    furong, yuelu = _reach(app, db, "furong-officer"), _reach(app, db, "yuelu-officer")
    assert furong.buildings == {"demo"} and yuelu.buildings == {"lugu-plaza"}
    assert _reach(app, db, "liujianming").buildings == {"demo"}
    assert _reach(app, db, "wanglei").buildings == {"lugu-plaza"}
    department = _reach(app, db, "samr-officer")
    assert department.buildings == frozenset() and len(department.units or ()) == 1


def test_a_district_officer_sees_the_companies_of_their_district_only(
    app: Flask, db: Session, loaded: dict[str, object]
) -> None:
    sessions = app.extensions["kiosk.sessionmaker"]
    seen = {}
    for username in ("city-admin", "furong-officer", "yuelu-officer", "samr-officer"):
        reach = _reach(app, db, username)
        with scope.open_session(sessions, reach) as limited:
            seen[username] = set(
                limited.scalars(select(Building.code).join(Tenant.building).distinct())
            )
    assert seen == {
        "city-admin": {"demo", "lugu-plaza"}, "furong-officer": {"demo"},
        "yuelu-officer": {"lugu-plaza"}, "samr-officer": set(),
    }  # fmt: skip


def test_officers_look_after_several_companies_and_categories_have_departments(
    db: Session, loaded: dict[str, object]
) -> None:
    linked = dict(
        db.execute(
            select(Staff.username, func.count(Tenant.id))
            .join(Tenant, Tenant.officer_id == Staff.id)
            .group_by(Staff.username)
        ).all()
    )
    assert set(linked) == {"liujianming", "chenjing", "wanglei"}
    assert all(count >= 3 for count in linked.values())
    departments = dict(
        db.execute(
            select(AppealCategory.code, Unit.name_zh).join(
                Unit, Unit.id == AppealCategory.department_id
            )
        ).all()
    )
    assert departments["market"] == "市场监管局" and departments["labour"] == "人社局"
    assert len(departments) >= 4
