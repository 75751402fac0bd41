"""Fixtures: a city with two districts, three companies of one district in two buildings, a
building of the other district, two departments, officers at each level, and sessions in an
officer's reach."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import scope
from kiosk.models import (
    Appeal,
    AppealStatus,
    Building,
    Role,
    Staff,
    Tenant,
    Unit,
    UnitKind,
    root_unit,
)
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from kiosk.validators import uscc_check_char
from tests.conftest import STAFF_PASSWORD

BUS = (
    "园区门口的5路公交车站取消了，员工通勤要走二十分钟。",
    "5路公交改线以后不经过我们大厦，员工上下班通勤很不方便。",
    "希望恢复5路公交在园区门口的站点，员工通勤时间太长。",
)


@dataclass
class Org:
    """The tree and its people."""

    city: Unit
    district: Unit  # 芙蓉区: the buildings "demo" and "b-tower"
    other: Unit  # 岳麓区: the building "c-plaza"
    transport: Unit  # 交通 department, under the city
    housing: Unit  # 住建 department, under the district
    lead: Staff  # the district's officer (指标长)
    building_officer: Staff  # the officer of "demo"
    stranger: Staff  # the officer of "c-plaza", in the other district
    tenants: list[Tenant]  # three companies: two in "demo", one in "b-tower"


def _unit(db: Session, code: str, kind: UnitKind, name: str, parent: Unit) -> Unit:
    unit = Unit(code=code, kind=kind, name_zh=name, name_en=code.title(), parent=parent)
    db.add(unit)
    db.flush()
    return unit


def _staff(db: Session, username: str, unit: Unit) -> Staff:
    return create_staff(
        db, username, username.title(), STAFF_PASSWORD, Role.SUPERVISOR, Actor(None, "test"),
        unit_code=unit.code,
    )  # fmt: skip


@pytest.fixture
def org(app: Flask, db: Session) -> Org:
    """The organisation, committed."""
    city = root_unit(db)
    district = _unit(db, "furong", UnitKind.DISTRICT, "芙蓉区专班", city)
    other = _unit(db, "yuelu", UnitKind.DISTRICT, "岳麓区专班", city)
    demo = _unit(db, "demo", UnitKind.BUILDING, "芙蓉国际金融中心", district)
    _unit(db, "b-tower", UnitKind.BUILDING, "B座", district)
    elsewhere = _unit(db, "c-plaza", UnitKind.BUILDING, "C广场", other)
    transport = _unit(db, "transport-dept", UnitKind.DEPARTMENT, "交通运输局", city)
    housing = _unit(db, "housing-dept", UnitKind.DEPARTMENT, "芙蓉区住建局", district)
    buildings = {}
    for code in ("demo", "b-tower", "c-plaza"):
        buildings[code] = Building(code=code, name_zh=f"{code}大厦", name_en=code)
        db.add(buildings[code])
    db.flush()
    tenants = []
    for n, code in enumerate(("demo", "demo", "b-tower"), start=1):
        first17 = f"91430102MA4L{n:05d}"
        tenant = Tenant(
            building_id=buildings[code].id, uscc=first17 + uscc_check_char(first17),
            name=f"长沙第{n}科技有限公司",
        )  # fmt: skip
        db.add(tenant)
        tenants.append(tenant)
    db.commit()
    return Org(
        city=city, district=district, other=other, transport=transport, housing=housing,
        lead=_staff(db, "lead", district), building_officer=_staff(db, "demo-officer", demo),
        stranger=_staff(db, "stranger", elsewhere), tenants=tenants,
    )  # fmt: skip


@pytest.fixture
def bus_appeals(org: Org, make_appeal: Callable[..., Appeal], db: Session) -> list[Appeal]:
    """Three appeals of three companies about the same bus route, two buildings, one district."""
    made = []
    for n, (tenant, text) in enumerate(zip(org.tenants, BUS, strict=True)):
        building = "b-tower" if n == 2 else "demo"
        appeal = make_appeal(
            tenant_id=tenant.id, company_name=tenant.name, description=text,
            category="transport", contact_mobile=f"1381234567{n}",
        )  # fmt: skip
        appeal.building_code = building
        made.append(appeal)
    db.commit()
    return made


class Reach:
    """Sessions limited to what one officer reaches, as their request's would be."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.factory = app.extensions["kiosk.sessionmaker"]
        self.sessions: list[Session] = []

    def __call__(self, staff: Staff) -> tuple[Session, Actor]:
        """A session in `staff`'s reach, and the actor for their steps."""
        with self.factory() as probe:
            reach = scope.for_staff(probe, staff, self.app.config["KIOSK"])
        db = scope.open_session(self.factory, reach)
        self.sessions.append(db)
        me = db.scalar(select(Staff).where(Staff.id == staff.id))
        assert me is not None
        return db, Actor(me, "203.0.113.9")


@pytest.fixture
def as_(app: Flask) -> Iterator[Reach]:
    """Sessions in an officer's reach, inside a request context (closed after the test)."""
    helper = Reach(app)
    with app.test_request_context():
        yield helper
    for db in helper.sessions:
        db.close()


def statuses(db: Session, appeals: list[Appeal]) -> list[AppealStatus]:
    """The appeals' statuses as stored now (a read begun before is ended first)."""
    db.rollback()
    return [db.scalars(select(Appeal.status).where(Appeal.id == a.id)).one() for a in appeals]
